"""Live assembly sessions: agenda, attendance and quorum, speaker queue, speaking timer,
consensus checks, chat and minutes.

Everything here is pure. The web shell keeps each piece of state in the database, rebuilds it
from rows on every event (`from_dict`), calls one operation, stores the result (`to_dict`) and
emits the returned events (`event.to_dict()`) to the session's room. Time arrives as `now`;
who is a facilitator is the shell's question, but operations take the actor's id so events can
say who did what.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence

from deliberation.consensus import (REASON_RULES, CheckOutcome, ConsensusRule, QuorumStatus, ReasonRule,
                                    Response, Tally, as_fraction, evaluate, parse_response, quorum_needed,
                                    quorum_status)
from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound

MemberId = int

MAX_MESSAGE_CHARS = 1_000
MAX_REASON_CHARS = 1_000
MAX_SUBJECT_CHARS = 200
MAX_AGENDA_ITEM_CHARS = 300
MAX_TIMER_SECONDS = 24 * 60 * 60
DEFAULT_QUORUM = ConsensusRule().quorum


# --------------------------------------------------------------------------- events


def _plain(value: Any) -> Any:
    """A JSON-able copy of a value: what the shell stores and sends over the socket."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Event:
    """Something that happened in a session; its name is past tense (HandRaised → hand_raised)."""

    @property
    def name(self) -> str:
        return _snake(type(self).__name__)

    def to_dict(self) -> dict[str, Any]:
        body = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
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


# --------------------------------------------------------------------------- session: agenda and attendance


@dataclass(frozen=True)
class Session:
    """Who sits in the room, who came, and where the agenda stands.

    Facilitators run the session and are never seated: they neither answer checks nor block.
    Observers are only counted; they have no part in the session.
    """

    agenda: tuple[str, ...]
    seated: frozenset[MemberId]
    facilitators: frozenset[MemberId]
    present: frozenset[MemberId] = frozenset()
    observers: int = 0
    current_item: int = 0
    quorum_fraction: Fraction = DEFAULT_QUORUM

    def __post_init__(self) -> None:
        # Normalise so that a session built from lists equals one built from sets.
        object.__setattr__(self, "agenda", tuple(self.agenda))
        object.__setattr__(self, "seated", frozenset(self.seated))
        object.__setattr__(self, "facilitators", frozenset(self.facilitators))
        object.__setattr__(self, "present", frozenset(self.present))
        object.__setattr__(self, "quorum_fraction", as_fraction(self.quorum_fraction))
        quorum_needed(len(self.seated), self.quorum_fraction)  # refuses a nonsense rule early
        both = self.seated & self.facilitators
        if both:
            raise DomainError(
                "facilitator_seated",
                "A facilitator runs the session and cannot also hold a seat.",
                member_ids=sorted(both),
            )
        strangers = self.present - self.seated - self.facilitators
        if strangers:
            raise DomainError(
                "not_a_participant",
                "Only seated members and facilitators are marked present; others watch as observers.",
                member_ids=sorted(strangers),
            )
        if self.observers < 0:
            raise DomainError("invalid_observers", "The number of observers cannot be negative.")
        for number, title in enumerate(self.agenda, start=1):
            if not title.strip() or len(title) > MAX_AGENDA_ITEM_CHARS:
                raise DomainError(
                    "invalid_agenda_item",
                    f"Agenda item {number} needs a title of 1 to {MAX_AGENDA_ITEM_CHARS} characters.",
                    item=number,
                )
        last = max(len(self.agenda) - 1, 0)
        if not 0 <= self.current_item <= last:
            raise DomainError(
                "agenda_item_out_of_range",
                f"The agenda has {len(self.agenda)} items; there is no item {self.current_item + 1}.",
                index=self.current_item,
            )

    # -- reading

    @property
    def present_seated(self) -> frozenset[MemberId]:
        return self.present & self.seated

    @property
    def current_title(self) -> str | None:
        return self.agenda[self.current_item] if self.agenda else None

    def quorum(self) -> QuorumStatus:
        return quorum_status(len(self.seated), len(self.present_seated), self.quorum_fraction)

    def is_seated_and_present(self, member_id: MemberId) -> bool:
        return member_id in self.present_seated

    # -- agenda

    def next_item(self) -> tuple[Session, list[Event]]:
        """Move to the next agenda item; past the last one the agenda is finished."""
        if self.current_item + 1 >= len(self.agenda):
            raise Conflict(
                "agenda_finished",
                "This was the last item on the agenda; there is nothing after it.",
                items=len(self.agenda),
            )
        return self.go_to_item(self.current_item + 1)

    def previous_item(self) -> tuple[Session, list[Event]]:
        if self.current_item == 0:
            raise Conflict("agenda_at_start", "This is the first item on the agenda; there is nothing before it.")
        return self.go_to_item(self.current_item - 1)

    def go_to_item(self, index: int) -> tuple[Session, list[Event]]:
        """Jump to agenda item `index` (counted from 0)."""
        if not 0 <= index < len(self.agenda):
            raise NotFound(
                "agenda_item_out_of_range",
                f"The agenda has {len(self.agenda)} items; there is no item {index + 1}.",
                index=index,
                items=len(self.agenda),
            )
        if index == self.current_item:
            return self, []
        moved = replace(self, current_item=index)
        return moved, [AgendaItemOpened(index=index, title=self.agenda[index], previous_index=self.current_item)]

    # -- attendance: idempotent, because browsers reconnect and resend

    def mark_present(self, member_id: MemberId) -> tuple[Session, list[Event]]:
        if member_id in self.present:
            return self, []
        return replace(self, present=self.present | {member_id}), [MemberArrived(member_id)]

    def mark_absent(self, member_id: MemberId) -> tuple[Session, list[Event]]:
        if member_id not in self.present:
            return self, []
        return replace(self, present=self.present - {member_id}), [MemberLeft(member_id)]

    def count_observers(self, count: int) -> tuple[Session, list[Event]]:
        if count == self.observers:
            return self, []
        return replace(self, observers=count), [ObserversCounted(count)]

    # -- storage

    def to_dict(self) -> dict[str, Any]:
        return _plain({f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        return cls(
            agenda=tuple(data["agenda"]),
            seated=frozenset(data["seated"]),
            facilitators=frozenset(data["facilitators"]),
            present=frozenset(data.get("present", ())),
            observers=int(data.get("observers", 0)),
            current_item=int(data.get("current_item", 0)),
            quorum_fraction=Fraction(data.get("quorum_fraction", str(DEFAULT_QUORUM))),
        )


# --------------------------------------------------------------------------- speaker queue


class HandKind(Enum):
    ORDINARY = "ordinary"
    POINT_OF_INFORMATION = "point_of_information"
    DIRECT_RESPONSE = "direct_response"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


# Lower goes first. Points of information correct a fact and are short, so they jump the queue;
# a direct response answers what was just said, so it comes before fresh contributions.
HAND_PRIORITY: Mapping[HandKind, int] = MappingProxyType(
    {
        HandKind.POINT_OF_INFORMATION: 0,
        HandKind.DIRECT_RESPONSE: 1,
        HandKind.ORDINARY: 2,
    }
)


def parse_hand_kind(kind: HandKind | str) -> HandKind:
    if isinstance(kind, HandKind):
        return kind
    try:
        return HandKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in HandKind)
        raise DomainError(
            "unknown_hand_kind", f"'{kind}' is not a kind of hand; choose one of: {known}.", kind=str(kind)
        ) from None


@dataclass(frozen=True)
class Hand:
    """One raised hand waiting in the queue."""

    member_id: MemberId
    kind: HandKind
    raised_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"member_id": self.member_id, "kind": self.kind.value, "raised_at": self.raised_at.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Hand:
        return cls(int(data["member_id"]), HandKind(data["kind"]), datetime.fromisoformat(data["raised_at"]))


@dataclass(frozen=True)
class Speaker:
    member_id: MemberId
    kind: HandKind | None

    def to_dict(self) -> dict[str, Any]:
        return {"member_id": self.member_id, "kind": self.kind.value if self.kind else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Speaker:
        return cls(int(data["member_id"]), HandKind(data["kind"]) if data.get("kind") else None)


class SpeakerQueue:
    """Who has a hand up, in the order they will be called, plus who is muted and who is speaking.

    The queue is always ordered by priority band (HAND_PRIORITY), and within a band by the order
    hands were raised unless the facilitator moved someone. So the head is always the next
    speaker, what members see is what will happen, and `reorder` cannot carry an ordinary hand
    ahead of a point of information (the facilitator calls that person directly instead).
    Positions are counted from 0. Every operation checks everything before changing anything,
    so a refused operation leaves the queue as it was.
    """

    def __init__(
        self,
        entries: Iterable[Hand] = (),
        muted: Iterable[MemberId] = (),
        current: Speaker | None = None,
        priority: Mapping[HandKind, int] = HAND_PRIORITY,
    ) -> None:
        self._priority = MappingProxyType(dict(priority))
        missing = set(HandKind) - set(self._priority)
        if missing:
            raise DomainError("invalid_priority", "Every kind of hand needs a priority.", missing=sorted(k.value for k in missing))
        self._entries: list[Hand] = list(entries)
        self._muted: set[MemberId] = set(muted)
        self._current = current
        ids = [h.member_id for h in self._entries]
        if len(ids) != len(set(ids)) or self._muted & set(ids):
            raise DomainError("invalid_queue", "A stored queue lists someone twice or lists a muted member.")
        if [self._rank(h) for h in self._entries] != sorted(self._rank(h) for h in self._entries):
            raise DomainError("invalid_queue", "A stored queue is out of priority order.")

    # -- reading

    @property
    def entries(self) -> tuple[Hand, ...]:
        return tuple(self._entries)

    @property
    def member_ids(self) -> tuple[MemberId, ...]:
        return tuple(h.member_id for h in self._entries)

    @property
    def muted(self) -> frozenset[MemberId]:
        return frozenset(self._muted)

    @property
    def current(self) -> Speaker | None:
        return self._current

    @property
    def priority(self) -> Mapping[HandKind, int]:
        return self._priority

    def __len__(self) -> int:
        return len(self._entries)

    def position_of(self, member_id: MemberId) -> int | None:
        for position, hand in enumerate(self._entries):
            if hand.member_id == member_id:
                return position
        return None

    def band(self, kind: HandKind) -> range:
        """The positions a hand of this kind may occupy."""
        rank = self._priority[kind]
        start = sum(1 for h in self._entries if self._rank(h) < rank)
        size = sum(1 for h in self._entries if self._rank(h) == rank)
        return range(start, start + size)

    # -- members

    def raise_hand(self, member_id: MemberId, kind: HandKind | str, now: datetime) -> list[Event]:
        hand_kind = parse_hand_kind(kind)
        if member_id in self._muted:
            raise NotAllowed("participant_muted", "The facilitator has muted you; you cannot raise your hand until unmuted.", member_id=member_id)
        if self.position_of(member_id) is not None:
            raise Conflict("hand_already_raised", "Your hand is already up; lower it first to change its kind.", member_id=member_id)
        rank = self._priority[hand_kind]
        # After everyone of the same or higher priority: first come, first served within a band.
        position = sum(1 for h in self._entries if self._rank(h) <= rank)
        self._entries.insert(position, Hand(member_id, hand_kind, now))
        return [HandRaised(member_id=member_id, kind=hand_kind, position=position)]

    def lower_hand(self, member_id: MemberId, by: MemberId | None = None) -> list[Event]:
        """The member lowers their own hand, or the facilitator (`by`) lowers it for them."""
        position = self._require_position(member_id)
        del self._entries[position]
        return [HandLowered(member_id=member_id, by=member_id if by is None else by, because="lowered")]

    # -- facilitator

    def call_next(self, by: MemberId) -> list[Event]:
        """Give the floor to the head of the queue: points of information, then direct responses,
        then ordinary hands, each in the order raised."""
        if not self._entries:
            raise Conflict("queue_empty", "Nobody has a hand up.")
        hand = self._entries.pop(0)
        return self._give_floor(Speaker(hand.member_id, hand.kind), by)

    def call(self, member_id: MemberId, by: MemberId) -> list[Event]:
        """Give the floor to a particular person, whether or not their hand is up."""
        if member_id in self._muted:
            raise NotAllowed("participant_muted", "This participant is muted; unmute them before giving them the floor.", member_id=member_id)
        position = self.position_of(member_id)
        kind = None if position is None else self._entries.pop(position).kind
        return self._give_floor(Speaker(member_id, kind), by)

    def finish_turn(self, by: MemberId) -> list[Event]:
        if self._current is None:
            raise Conflict("nobody_speaking", "Nobody has the floor.")
        speaker, self._current = self._current, None
        return [TurnFinished(member_id=speaker.member_id, by=by)]

    def skip(self, by: MemberId) -> list[Event]:
        """Pass over the person at the head of the queue (stepped out, lost connection): their hand
        is taken down without giving them the floor."""
        if not self._entries:
            raise Conflict("queue_empty", "Nobody has a hand up.")
        hand = self._entries.pop(0)
        return [SpeakerSkipped(member_id=hand.member_id, by=by)]

    def reorder(self, member_id: MemberId, position: int, by: MemberId) -> list[Event]:
        """Move someone's hand to `position`, within the band of its kind."""
        current = self._require_position(member_id)
        if not 0 <= position < len(self._entries):
            raise DomainError(
                "position_out_of_range",
                f"The queue has {len(self._entries)} places; there is no place {position + 1}.",
                position=position,
                length=len(self._entries),
            )
        kind = self._entries[current].kind
        allowed = self.band(kind)
        if position not in allowed:
            raise DomainError(
                "position_breaks_priority",
                f"A {kind.words} hand can only move between places {allowed.start + 1} and {allowed.stop}; "
                "call the person directly to give them the floor sooner.",
                position=position,
                first=allowed.start,
                last=allowed.stop - 1,
            )
        if position == current:
            return []
        self._entries.insert(position, self._entries.pop(current))
        return [QueueReordered(member_id=member_id, from_position=current, to_position=position, by=by)]

    def clear(self, by: MemberId) -> list[Event]:
        if not self._entries:
            return []
        cleared = tuple(h.member_id for h in self._entries)
        self._entries.clear()
        return [QueueCleared(member_ids=cleared, by=by)]

    def mute(self, member_id: MemberId, by: MemberId) -> list[Event]:
        """Mute a participant: their hand comes down, their turn ends, and they cannot raise it again."""
        if member_id in self._muted:
            raise Conflict("participant_already_muted", "This participant is already muted.", member_id=member_id)
        events: list[Event] = [ParticipantMuted(member_id=member_id, by=by)]
        position = self.position_of(member_id)
        if position is not None:
            del self._entries[position]
            events.append(HandLowered(member_id=member_id, by=by, because="muted"))
        if self._current is not None and self._current.member_id == member_id:
            self._current = None
            events.append(TurnFinished(member_id=member_id, by=by))
        self._muted.add(member_id)
        return events

    def unmute(self, member_id: MemberId, by: MemberId) -> list[Event]:
        if member_id not in self._muted:
            raise Conflict("participant_not_muted", "This participant is not muted.", member_id=member_id)
        self._muted.discard(member_id)
        return [ParticipantUnmuted(member_id=member_id, by=by)]

    # -- storage

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [h.to_dict() for h in self._entries],
            "muted": sorted(self._muted),
            "current": self._current.to_dict() if self._current else None,
            "priority": {k.value: v for k, v in self._priority.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpeakerQueue:
        priority = data.get("priority")
        return cls(
            entries=[Hand.from_dict(h) for h in data.get("entries", ())],
            muted=data.get("muted", ()),
            current=Speaker.from_dict(data["current"]) if data.get("current") else None,
            priority={HandKind(k): int(v) for k, v in priority.items()} if priority else HAND_PRIORITY,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpeakerQueue) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"SpeakerQueue({self.to_dict()!r})"

    # -- helpers

    def _rank(self, hand: Hand) -> int:
        return self._priority[hand.kind]

    def _require_position(self, member_id: MemberId) -> int:
        position = self.position_of(member_id)
        if position is None:
            raise NotFound("hand_not_raised", "This person has no hand up.", member_id=member_id)
        return position

    def _give_floor(self, speaker: Speaker, by: MemberId) -> list[Event]:
        # Calling someone ends the previous turn; the room sees both.
        events: list[Event] = []
        if self._current is not None:
            events.append(TurnFinished(member_id=self._current.member_id, by=by))
        self._current = speaker
        events.append(SpeakerCalled(member_id=speaker.member_id, kind=speaker.kind, by=by))
        return events


# --------------------------------------------------------------------------- speaking timer


class TimerState(Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True)
class Timer:
    """A speaking timer that survives restarts: it stores when it (virtually) started, never a count.

    idle: neither started_at nor paused_remaining; running: started_at set, and remaining is
    duration_s minus the time since; paused: paused_remaining holds what was left. Resuming sets
    started_at back so that duration_s - elapsed equals what was left when paused.
    """

    started_at: datetime | None = None
    duration_s: int = 120
    paused_remaining: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.duration_s <= MAX_TIMER_SECONDS:
            raise DomainError(
                "invalid_duration",
                f"A speaking time is between 1 second and {MAX_TIMER_SECONDS // 3600} hours.",
                duration_s=self.duration_s,
            )
        if self.started_at is not None and self.paused_remaining is not None:
            raise DomainError("invalid_timer", "A timer cannot be running and paused at once.")

    @property
    def state(self) -> TimerState:
        if self.paused_remaining is not None:
            return TimerState.PAUSED
        if self.started_at is not None:
            return TimerState.RUNNING
        return TimerState.IDLE

    def remaining(self, now: datetime) -> float:
        """Seconds left, never below zero."""
        if self.paused_remaining is not None:
            return self.paused_remaining
        if self.started_at is None:
            return float(self.duration_s)
        # A clock that steps backwards must not hand out extra time.
        elapsed = max((now - self.started_at).total_seconds(), 0.0)
        return max(self.duration_s - elapsed, 0.0)

    def is_expired(self, now: datetime) -> bool:
        return self.state is TimerState.RUNNING and self.remaining(now) == 0.0

    def start(self, now: datetime) -> Timer:
        """Start a fresh full turn, whatever the timer was doing."""
        return Timer(started_at=now, duration_s=self.duration_s)

    def pause(self, now: datetime) -> Timer:
        if self.state is not TimerState.RUNNING:
            raise Conflict("timer_not_running", "The timer is not running, so it cannot be paused.")
        return Timer(duration_s=self.duration_s, paused_remaining=self.remaining(now))

    def resume(self, now: datetime) -> Timer:
        if self.state is not TimerState.PAUSED:
            raise Conflict("timer_not_paused", "The timer is not paused, so there is nothing to resume.")
        assert self.paused_remaining is not None
        spent = self.duration_s - self.paused_remaining
        return Timer(started_at=now - timedelta(seconds=spent), duration_s=self.duration_s)

    def reset(self, duration_s: int | None = None) -> Timer:
        return Timer(duration_s=self.duration_s if duration_s is None else duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "duration_s": self.duration_s,
            "paused_remaining": self.paused_remaining,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timer:
        started = data.get("started_at")
        paused = data.get("paused_remaining")
        return cls(
            started_at=datetime.fromisoformat(started) if started else None,
            duration_s=int(data["duration_s"]),
            paused_remaining=float(paused) if paused is not None else None,
        )


# --------------------------------------------------------------------------- consensus checks


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
    def open(cls, session: Session, subject: str, opened_by: MemberId, now: datetime) -> tuple[ConsensusCheck, list[Event]]:
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
            raise Conflict("check_closed", "This consensus check is closed; answers can no longer change.", subject=self.subject)

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


# --------------------------------------------------------------------------- chat


@dataclass(frozen=True)
class Message:
    """One chat message. A removed message keeps its row so the room sees it was removed."""

    message_id: int
    author_id: MemberId
    text: str
    posted_at: datetime
    removed_by: MemberId | None = None

    @property
    def is_removed(self) -> bool:
        return self.removed_by is not None

    def to_dict(self) -> dict[str, Any]:
        """Everything, for storage; send `public_dict()` to the room."""
        return {
            "message_id": self.message_id,
            "author_id": self.author_id,
            "text": self.text,
            "posted_at": self.posted_at.isoformat(),
            "removed_by": self.removed_by,
        }

    def public_dict(self) -> dict[str, Any]:
        """What the room sees: the words of a removed message are gone, the gap remains."""
        return {**self.to_dict(), "text": None if self.is_removed else self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(
            message_id=int(data["message_id"]),
            author_id=int(data["author_id"]),
            text=str(data["text"]),
            posted_at=datetime.fromisoformat(data["posted_at"]),
            removed_by=data.get("removed_by"),
        )


@dataclass(frozen=True)
class Chat:
    """The chat's switch: open or locked. Messages themselves are rows the shell keeps.

    A locked chat still carries the facilitators' own messages, so they can announce why.
    """

    locked: bool = False

    def post(
        self, session: Session, message_id: int, author_id: MemberId, text: str, now: datetime
    ) -> tuple[Message, list[Event]]:
        if self.locked and author_id not in session.facilitators:
            raise NotAllowed("chat_locked", "The facilitator has locked the chat for now.")
        body = text.strip()
        if not body:
            raise DomainError("message_empty", "A message needs some words in it.")
        if len(body) > MAX_MESSAGE_CHARS:
            raise DomainError(
                "message_too_long",
                f"A message is at most {MAX_MESSAGE_CHARS:,} characters; this one has {len(body):,}.",
                limit=MAX_MESSAGE_CHARS,
                length=len(body),
            )
        message = Message(message_id=message_id, author_id=author_id, text=body, posted_at=now)
        return message, [MessagePosted(message)]

    def lock(self, by: MemberId) -> tuple[Chat, list[Event]]:
        if self.locked:
            return self, []
        return Chat(locked=True), [ChatLocked(by=by)]

    def unlock(self, by: MemberId) -> tuple[Chat, list[Event]]:
        if not self.locked:
            return self, []
        return Chat(locked=False), [ChatUnlocked(by=by)]

    def to_dict(self) -> dict[str, Any]:
        return {"locked": self.locked}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Chat:
        return cls(locked=bool(data.get("locked", False)))


def remove_message(message: Message, by: MemberId) -> tuple[Message, list[Event]]:
    """The facilitator removes a message; it stays as a marked gap in the conversation."""
    if message.is_removed:
        raise Conflict("message_already_removed", "This message has already been removed.", message_id=message.message_id)
    return replace(message, removed_by=by), [MessageRemoved(message_id=message.message_id, by=by)]


# --------------------------------------------------------------------------- minutes


@dataclass(frozen=True)
class MinutesCheck:
    subject: str
    reached: bool
    reason: str


@dataclass(frozen=True)
class MinutesItem:
    number: int
    title: str
    speakers: tuple[str, ...]
    checks: tuple[MinutesCheck, ...]
    decisions: tuple[str, ...]


@dataclass(frozen=True)
class Minutes:
    title: str
    held_on: str | None
    facilitators: tuple[str, ...]
    present: tuple[str, ...]
    absent: tuple[str, ...]
    observers: int
    items: tuple[MinutesItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "title": self.title,
                "held_on": self.held_on,
                "facilitators": self.facilitators,
                "present": self.present,
                "absent": self.absent,
                "observers": self.observers,
                "items": [
                    {
                        "number": i.number,
                        "title": i.title,
                        "speakers": i.speakers,
                        "checks": [{"subject": c.subject, "reached": c.reached, "reason": c.reason} for c in i.checks],
                        "decisions": i.decisions,
                    }
                    for i in self.items
                ],
            }
        )


def minutes(record: Mapping[str, Any]) -> Minutes:
    """Minutes from a plain record of the session, grouped by agenda item.

    The record, as the shell assembles it from its rows (names already resolved)::

        {"title": str, "held_on": str | None,
         "agenda": [str, ...],
         "attendance": {"facilitators": [str], "present": [str], "absent": [str], "observers": int},
         "speakers": [{"item": int, "name": str, "kind": "ordinary" | ...}, ...],   # in call order
         "checks": [{"item": int, "subject": str, "outcome": CheckOutcome.to_dict()}, ...],
         "decisions": [{"item": int, "text": str}, ...]}

    Items are counted from 0 as in the session; minutes number them from 1.
    """
    try:
        agenda = [str(t) for t in record["agenda"]]
        attendance = record.get("attendance", {})
        speakers = list(record.get("speakers", ()))
        checks = list(record.get("checks", ()))
        decisions = list(record.get("decisions", ()))
        by_item: dict[int, dict[str, list[Any]]] = {i: {"speakers": [], "checks": [], "decisions": []} for i in range(len(agenda))}
        for s in speakers:
            kind = HandKind(s["kind"]) if s.get("kind") else None
            label = str(s["name"]) if kind in (None, HandKind.ORDINARY) else f"{s['name']} ({kind.words})"
            _slot(by_item, s, "speakers").append(label)
        for c in checks:
            outcome = c["outcome"]
            _slot(by_item, c, "checks").append(MinutesCheck(str(c["subject"]), bool(outcome["reached"]), str(outcome["reason"])))
        for d in decisions:
            _slot(by_item, d, "decisions").append(str(d["text"]))
        return Minutes(
            title=str(record.get("title") or "Session minutes"),
            held_on=record.get("held_on"),
            facilitators=tuple(str(n) for n in attendance.get("facilitators", ())),
            present=tuple(str(n) for n in attendance.get("present", ())),
            absent=tuple(str(n) for n in attendance.get("absent", ())),
            observers=int(attendance.get("observers", 0)),
            items=tuple(
                MinutesItem(
                    number=i + 1,
                    title=agenda[i],
                    speakers=tuple(by_item[i]["speakers"]),
                    checks=tuple(by_item[i]["checks"]),
                    decisions=tuple(by_item[i]["decisions"]),
                )
                for i in range(len(agenda))
            ),
        )
    except (KeyError, TypeError, ValueError) as missing:
        raise DomainError("invalid_record", f"The session record is incomplete or malformed ({missing}).") from None


def _slot(by_item: dict[int, dict[str, list[Any]]], entry: Mapping[str, Any], kind: str) -> list[Any]:
    item = int(entry["item"])
    if item not in by_item:
        raise DomainError("invalid_record", f"The record mentions agenda item {item + 1}, which the agenda does not have.", item=item)
    return by_item[item][kind]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#<>|])")


def _md(text: str) -> str:
    """Member-written words as literal Markdown text: no headings, links or tables sneak in."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _names(names: Sequence[str]) -> str:
    return ", ".join(_md(n) for n in names) if names else "none"


def minutes_markdown(m: Minutes) -> str:
    """The minutes as a Markdown document for export."""
    lines = [f"# {_md(m.title)}", ""]
    if m.held_on:
        lines += [f"Held on {_md(m.held_on)}.", ""]
    lines += [
        "## Attendance",
        "",
        f"- Facilitators: {_names(m.facilitators)}",
        f"- Present ({len(m.present)}): {_names(m.present)}",
        f"- Absent ({len(m.absent)}): {_names(m.absent)}",
        f"- Observers: {m.observers}",
        "",
    ]
    for item in m.items:
        lines += [f"## {item.number}. {_md(item.title)}", ""]
        lines.append(f"Speakers, in order: {_names(item.speakers)}.")
        lines.append("")
        if item.checks:
            lines += ["Consensus checks:", ""]
            lines += [f"- {_md(c.subject)}: {_md(c.reason)}" for c in item.checks]
            lines.append("")
        if item.decisions:
            lines += ["Decisions:", ""]
            lines += [f"- {_md(d)}" for d in item.decisions]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
