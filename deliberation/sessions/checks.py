"""Consensus checks in the room: open, answer, keep the roll, tally and close under the one rule."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from deliberation.consensus import (
    REASON_RULES,
    CheckOutcome,
    ConsensusRule,
    ReasonRule,
    Response,
    Tally,
    evaluate,
    parse_response,
)
from deliberation.errors import Conflict, DomainError, NotAllowed
from deliberation.sessions.attendance import Session
from deliberation.sessions.events import CheckClosed, CheckOpened, Event, MemberId, ResponseGiven

MAX_REASON_CHARS = 1_000
MAX_SUBJECT_CHARS = 200


@dataclass(frozen=True)
class Answer:
    member_id: MemberId
    response: Response
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"member_id": self.member_id, "response": self.response.value, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        return cls(int(data["member_id"]), parse_response(data["response"]), data.get("reason"))


@dataclass(frozen=True)
class ConsensusCheck:
    """A consensus check on the text under discussion or on one amendment (`subject`, e.g.
    "text:12@3" or "amendment:45"): open until the facilitator closes it; members may change
    their answer while it is open.

    The check keeps its own roll: the seated members present when it opened, and those who
    arrive while it is open. Someone on the roll who leaves still counts (their answer, or their
    silence), so an outcome never shrinks to whoever happens to be connected at the close, and a
    server restart during the check changes nothing but the note that it happened.
    """

    subject: str
    item: int
    opened_by: MemberId
    opened_at: datetime
    answers: tuple[Answer, ...] = ()
    closed_at: datetime | None = None
    closed_by: MemberId | None = None
    outcome: CheckOutcome | None = None
    roll: frozenset[MemberId] = frozenset()
    interrupted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "roll", frozenset(self.roll))

    @classmethod
    def open(
        cls, session: Session, subject: str, opened_by: MemberId, now: datetime
    ) -> tuple[ConsensusCheck, list[Event]]:
        """Open a check on `subject` during the session's current agenda item; the seated
        members present now are its roll."""
        subject = subject.strip()
        if not subject or len(subject) > MAX_SUBJECT_CHARS:
            raise DomainError(
                "invalid_subject",
                f"A consensus check needs a subject of 1 to {MAX_SUBJECT_CHARS} characters.",
            )
        check = cls(subject=subject, item=session.current_item, opened_by=opened_by, opened_at=now,
                    roll=session.present_seated)
        return check, [CheckOpened(subject=subject, item=check.item, opened_by=opened_by)]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def answer_of(self, member_id: MemberId) -> Answer | None:
        return next((a for a in self.answers if a.member_id == member_id), None)

    def note_arrival(self, session: Session, member_id: MemberId) -> ConsensusCheck:
        """A seated member who arrives while the check is open joins its roll."""
        if not self.is_open or member_id not in session.seated or member_id in self.roll:
            return self
        return replace(self, roll=self.roll | {member_id})

    def note_interruption(self) -> ConsensusCheck:
        """The server lost its connections while the check was open (a restart)."""
        return self if not self.is_open or self.interrupted else replace(self, interrupted=True)

    def answer(
        self, session: Session, member_id: MemberId, response: Response | str, reason: str | None = None
    ) -> tuple[ConsensusCheck, list[Event]]:
        """Record or change a seated, present member's answer."""
        self._require_open()
        if member_id not in session.seated:
            raise NotAllowed(
                "not_seated",
                "Only seated members answer a consensus check; facilitators and observers take no part.",
                member_id=member_id,
            )
        if member_id not in session.present:
            raise NotAllowed("not_present", "Mark yourself present to answer the consensus check.", member_id=member_id)
        chosen = parse_response(response)
        given = _clean_reason(chosen, reason)
        previous = self.answer_of(member_id)
        new = Answer(member_id, chosen, given)
        rolled = self.note_arrival(session, member_id)
        if previous == new:
            return rolled, []
        others = [a for a in self.answers if a.member_id != member_id]
        answers = tuple(sorted([*others, new], key=lambda a: a.member_id))
        event = ResponseGiven(
            subject=self.subject, member_id=member_id, response=chosen, reason=given,
            previous=previous.response if previous else None,
        )
        return replace(rolled, answers=answers), [event]

    def tally(self, session: Session) -> Tally:
        """The answers of the seated members on the roll (a member whose seat was withdrawn since
        drops out)."""
        room = self.roll & session.seated
        counted = [a.response for a in self.answers if a.member_id in room]
        return Tally(
            agree=counted.count(Response.AGREE),
            reservations=counted.count(Response.AGREE_WITH_RESERVATIONS),
            stand_aside=counted.count(Response.STAND_ASIDE),
            block=counted.count(Response.BLOCK),
            not_answered=len(room) - len(counted),
            present_seated=len(room),
            seats=len(session.seated),
        )

    def evaluate(self, session: Session, rule: ConsensusRule) -> CheckOutcome:
        """What closing now would decide under the convention's rule, with the reason in words."""
        return evaluate(rule, self.tally(session), self.interrupted)

    def close(
        self, session: Session, closed_by: MemberId, now: datetime, rule: ConsensusRule
    ) -> tuple[ConsensusCheck, CheckOutcome, list[Event]]:
        """Close the check; the outcome is kept on the closed check and returned."""
        self._require_open()
        outcome = self.evaluate(session, rule)
        closed = replace(self, closed_at=now, closed_by=closed_by, outcome=outcome)
        return closed, outcome, [CheckClosed(subject=self.subject, closed_by=closed_by, outcome=outcome)]

    def _require_open(self) -> None:
        if not self.is_open:
            raise Conflict(
                "check_closed", "This consensus check is closed; answers can no longer change.", subject=self.subject
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "item": self.item,
            "opened_by": self.opened_by,
            "opened_at": self.opened_at.isoformat(),
            "answers": [a.to_dict() for a in self.answers],
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by,
            "outcome": self.outcome.to_dict() if self.outcome else None,
            "roll": sorted(self.roll),
            "interrupted": self.interrupted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsensusCheck:
        return cls(
            subject=data["subject"],
            item=int(data["item"]),
            opened_by=int(data["opened_by"]),
            opened_at=datetime.fromisoformat(data["opened_at"]),
            answers=tuple(Answer.from_dict(a) for a in data.get("answers", ())),
            closed_at=datetime.fromisoformat(data["closed_at"]) if data.get("closed_at") else None,
            closed_by=data.get("closed_by"),
            outcome=CheckOutcome.from_dict(data["outcome"]) if data.get("outcome") else None,
            roll=frozenset(int(m) for m in data.get("roll", ())),
            interrupted=bool(data.get("interrupted", False)),
        )


def _clean_reason(response: Response, reason: str | None) -> str | None:
    text = (reason or "").strip() or None
    rule = REASON_RULES[response]
    if rule is ReasonRule.REQUIRED and text is None:
        raise DomainError("block_needs_reason", "A block stops the room, so it needs a reason the room can hear.")
    if rule is ReasonRule.NONE and text is not None:
        raise DomainError(
            "reason_not_expected",
            "A plain agree carries no reason; choose 'agree with reservations' to add one.",
        )
    if text is not None and len(text) > MAX_REASON_CHARS:
        raise DomainError(
            "reason_too_long", f"A reason is at most {MAX_REASON_CHARS:,} characters.", limit=MAX_REASON_CHARS
        )
    return text
