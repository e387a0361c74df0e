"""Up/down votes on anything scored (clarifications, amendments): one vote per member, changeable
and withdrawable, counts kept in step on the scored row. Runs inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.errors import Conflict, DomainError


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


def check_value(value: int) -> None:
    if value not in (-1, 0, 1):
        raise DomainError("vote_invalid", "A vote is up (1), down (-1) or withdrawn (0).")


def cast(session, target, vote_model, target_column: str, voter_id: int, value: int) -> Score:
    """Record `voter_id`'s vote on `target` (a row with score/ups/downs) and return the new score.

    The unique (target, voter) row is the one vote; the counts move by the difference in one UPDATE,
    so concurrent voters never overwrite each other. The same member voting twice at once meets
    the unique constraint and is told so, with nothing changed."""
    check_value(value)
    column = getattr(vote_model, target_column)
    previous = session.scalar(select(vote_model).where(column == target.id, vote_model.user_id == voter_id))
    old = previous.value if previous else 0
    if value == old:
        raise DomainError("vote_unchanged", "You have already voted this way." if value else "You have no vote to withdraw.")
    try:
        with session.begin_nested():
            if previous is None:
                session.add(vote_model(**{target_column: target.id, "user_id": voter_id, "value": value}))
            elif value == 0:
                session.execute(delete(vote_model).where(vote_model.id == previous.id))
            else:
                previous.value = value
    except IntegrityError:
        raise Conflict("vote_in_progress", "Your vote is already being counted; reload to see it.") from None
    model = type(target)
    session.execute(update(model).where(model.id == target.id).values(
        score=model.score + (value - old),
        ups=model.ups + (int(value == 1) - int(old == 1)),
        downs=model.downs + (int(value == -1) - int(old == -1)),
    ))
    session.refresh(target)
    return Score(target.id, target.proposal_id, target.score, target.ups, target.downs, value)
