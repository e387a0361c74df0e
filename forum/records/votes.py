"""Up/down votes on anything scored (clarifications, amendments) as rows: one vote row per member,
counts kept in step on the scored row. The rule itself is deliberation.scores."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from deliberation import scores
from deliberation.errors import Conflict
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

    The unique (target, voter) row is the one vote; the counts move by the difference in one UPDATE,
    so concurrent voters never overwrite each other. The same member voting twice at once meets
    the unique constraint and is told so, with nothing changed."""
    session = db.session
    value = scores.check(value)
    column = getattr(vote_model, target_column)
    previous = session.scalar(select(vote_model).where(column == target.id, vote_model.user_id == voter_id))
    old = previous.value if previous else scores.NONE
    delta = scores.change(old, value)
    try:
        with session.begin_nested():
            if previous is None:
                session.add(vote_model(**{target_column: target.id, "user_id": voter_id, "value": value}))
            elif value == scores.NONE:
                session.execute(delete(vote_model).where(vote_model.id == previous.id))
            else:
                previous.value = value
    except IntegrityError:
        raise Conflict("vote_in_progress", "Your vote is already being counted; reload to see it.") from None
    model = type(target)
    session.execute(update(model).where(model.id == target.id).values(
        score=model.score + delta.score, ups=model.ups + delta.ups, downs=model.downs + delta.downs))
    session.refresh(target)
    return Score(target.id, target.proposal_id, target.score, target.ups, target.downs, value)


def mine(vote_model: type, target_model: type, target_column: str, proposal_id: int, voter) -> dict[int, int]:
    """This member's votes on the scored items of one text, by item id."""
    if not getattr(voter, "is_authenticated", False):
        return {}
    column = getattr(vote_model, target_column)
    return dict(db.session.execute(
        select(column, vote_model.value).join(target_model, target_model.id == column)
        .where(target_model.proposal_id == proposal_id, vote_model.user_id == voter.id)).all())
