"""Who sits in a session, who came, where the agenda stands, and whether the room is quorate."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Any, Mapping

from deliberation.consensus import ConsensusRule, QuorumStatus, as_fraction, quorum_needed, quorum_status
from deliberation.errors import Conflict, DomainError, NotFound
from deliberation.sessions.events import (
    AgendaItemOpened,
    Event,
    MemberArrived,
    MemberId,
    MemberLeft,
    ObserversCounted,
    plain_dict,
)

MAX_AGENDA_ITEM_CHARS = 300
DEFAULT_QUORUM = ConsensusRule().quorum


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
        return plain_dict({f.name: getattr(self, f.name) for f in fields(self)})

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
