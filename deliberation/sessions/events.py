"""Session events: what happened in a live session, named in the past tense, as small dicts."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Mapping

from deliberation.consensus import CheckOutcome, Response

if TYPE_CHECKING:
    from deliberation.sessions.chat import Message
    from deliberation.sessions.queue import HandKind

MemberId = int


def plain(value: Any) -> Any:
    """A JSON-able copy of a value: what the shell stores and sends over the socket."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (frozenset, set)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def plain_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-able copy of a mapping: a value's `to_dict`."""
    return {str(k): plain(v) for k, v in value.items()}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Event:
    """Something that happened in a session; its name is past tense (HandRaised → hand_raised)."""

    @property
    def name(self) -> str:
        return _snake(type(self).__name__)

    def to_dict(self) -> dict[str, Any]:
        body = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        return {"event": self.name, **body}


@dataclass(frozen=True)
class AgendaItemOpened(Event):
    index: int
    title: str
    previous_index: int


@dataclass(frozen=True)
class MemberArrived(Event):
    member_id: MemberId


@dataclass(frozen=True)
class MemberLeft(Event):
    member_id: MemberId


@dataclass(frozen=True)
class ObserversCounted(Event):
    count: int


@dataclass(frozen=True)
class HandRaised(Event):
    member_id: MemberId
    kind: HandKind
    position: int


@dataclass(frozen=True)
class HandLowered(Event):
    member_id: MemberId
    by: MemberId
    because: str  # "lowered" by the member or facilitator, or "muted"


@dataclass(frozen=True)
class SpeakerCalled(Event):
    member_id: MemberId
    kind: HandKind | None  # None when the facilitator called someone who had no hand up
    by: MemberId


@dataclass(frozen=True)
class SpeakerSkipped(Event):
    member_id: MemberId
    by: MemberId


@dataclass(frozen=True)
class TurnFinished(Event):
    member_id: MemberId
    by: MemberId


@dataclass(frozen=True)
class QueueReordered(Event):
    member_id: MemberId
    from_position: int
    to_position: int
    by: MemberId


@dataclass(frozen=True)
class QueueCleared(Event):
    member_ids: tuple[MemberId, ...]
    by: MemberId


@dataclass(frozen=True)
class ParticipantMuted(Event):
    member_id: MemberId
    by: MemberId


@dataclass(frozen=True)
class ParticipantUnmuted(Event):
    member_id: MemberId
    by: MemberId


@dataclass(frozen=True)
class CheckOpened(Event):
    subject: str
    item: int
    opened_by: MemberId


@dataclass(frozen=True)
class ResponseGiven(Event):
    subject: str
    member_id: MemberId
    response: Response
    reason: str | None
    previous: Response | None


@dataclass(frozen=True)
class CheckClosed(Event):
    subject: str
    closed_by: MemberId
    outcome: CheckOutcome


@dataclass(frozen=True)
class MessagePosted(Event):
    message: Message


@dataclass(frozen=True)
class MessageRemoved(Event):
    message_id: int
    by: MemberId


@dataclass(frozen=True)
class ChatLocked(Event):
    by: MemberId


@dataclass(frozen=True)
class ChatUnlocked(Event):
    by: MemberId
