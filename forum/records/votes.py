"""Up/down votes on anything scored (clarifications, amendments) as rows: one vote row per member,
counts on the scored row set from those rows under a lock on it. The rule itself is deliberation.scores."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from deliberation import scores
from forum.extensions import db


@dataclass(frozen=True)
class Score:
    id: int
    proposal_id: int
    score: int
    ups: int
    downs: int
    mine: int  # the voter's own vote: 1, -1 or 0

    def as_dict(self) -> dict:
        return {"id": self.id, "score": self.score, "ups": self.ups, "downs": self.downs}


def cast(target: Any, vote_model: type, target_column: str, voter_id: int, value: int) -> Score:
    """Record `voter_id`'s vote on `target` (a row with score/ups/downs) and return the new score.

    The scored row is locked first, so votes on one item are counted one at a time on every
    database and across workers; under the lock the member's standing vote is read, the one vote row
    (unique per item and member) written, and the counts set from the vote rows themselves, so the
    counts shown always equal the votes stored."""
    session = db.session
    value = scores.check(value)
    model = type(target)
    column = getattr(vote_model, target_column)
    _lock(model, target.id)
    previous = session.scalar(select(vote_model).where(column == target.id, vote_model.user_id == voter_id))
    scores.change(previous.value if previous else scores.NONE, value)  # refuses a vote that changes nothing
    if previous is None:
        session.add(vote_model(**{target_column: target.id, "user_id": voter_id, "value": value}))
    elif value == scores.NONE:
        session.delete(previous)
    else:
        previous.value = value
    session.flush()
    counts = counted(vote_model, target_column, target.id)
    session.execute(update(model).where(model.id == target.id).values(
        score=counts.score, ups=counts.ups, downs=counts.downs))
    session.refresh(target)
    return Score(target.id, target.proposal_id, target.score, target.ups, target.downs, value)


def _lock(model: type, target_id: int) -> None:
    """Hold the scored row until the transaction ends. An UPDATE that changes nothing does it on
    both databases: PostgreSQL locks the row (a second voter waits, then reads the first one's
    committed vote); SQLite takes its one write lock before anything is read, which
    `SELECT ... FOR UPDATE` would not."""
    db.session.execute(update(model).where(model.id == target_id).values(score=model.score))


def counted(vote_model: type, target_column: str, target_id: int) -> scores.Counts:
    """The counts of the vote rows standing on one item, counted in SQL."""
    column = getattr(vote_model, target_column)
    by_value = dict(db.session.execute(select(vote_model.value, func.count()).where(column == target_id)
                                       .group_by(vote_model.value)).all())
    return scores.counts(ups=by_value.get(scores.UP, 0), downs=by_value.get(scores.DOWN, 0))


def mine(vote_model: type, target_model: type, target_column: str, proposal_id: int, voter) -> dict[int, int]:
    """This member's votes on the scored items of one text, by item id."""
    if not getattr(voter, "is_authenticated", False):
        return {}
    column = getattr(vote_model, target_column)
    return dict(db.session.execute(
        select(column, vote_model.value).join(target_model, target_model.id == column)
        .where(target_model.proposal_id == proposal_id, vote_model.user_id == voter.id)).all())
