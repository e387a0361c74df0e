"""The speaker queue: hands by kind and priority, the speaker now, skips, reordering and mutes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from deliberation.sessions.events import (
    Event,
    HandLowered,
    HandRaised,
    MemberId,
    ParticipantMuted,
    ParticipantUnmuted,
    QueueCleared,
    QueueReordered,
    SpeakerCalled,
    SpeakerSkipped,
    TurnFinished,
)


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
            raise DomainError(
                "invalid_priority", "Every kind of hand needs a priority.", missing=sorted(k.value for k in missing)
            )
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
            raise NotAllowed(
                "participant_muted",
                "The facilitator has muted you; you cannot raise your hand until unmuted.",
                member_id=member_id,
            )
        if self.position_of(member_id) is not None:
            raise Conflict(
                "hand_already_raised",
                "Your hand is already up; lower it first to change its kind.",
                member_id=member_id,
            )
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
            raise NotAllowed(
                "participant_muted",
                "This participant is muted; unmute them before giving them the floor.",
                member_id=member_id,
            )
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
