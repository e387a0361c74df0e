"""Live sessions scheduled, opened and closed, and their agenda moved on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select

from deliberation import sessions as core
from deliberation.errors import Conflict, DomainError
from forum import announce
from forum.extensions import db, transaction
from forum.models import Assembly, LiveSession, Proposal, SessionConnection, SessionItem
from forum.permissions import enter_session, require
from forum.records import common
from forum.records import sessions as records
from forum.records.conventions import now

MAX_TITLE = 200
MAX_AGENDA = 30



def get_assembly(assembly_id: int) -> Assembly:
    return common.found(Assembly, assembly_id, "assembly_not_found", "There is no such assembly.")


def schedule_session(actor, assembly_id: int, title: str, starts_at: datetime, proposal_ids: Sequence[int],
                     public: bool = True) -> LiveSession:
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise DomainError("title_invalid", f"Give the session a title of 1 to {MAX_TITLE} characters.")
    if starts_at.tzinfo is None:
        raise DomainError("starts_at_invalid", "Give the start time with its time zone.")
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise DomainError("agenda_empty", "Put at least one text on the agenda.")
    if len(ids) > MAX_AGENDA:
        raise DomainError("agenda_too_long", f"An agenda holds at most {MAX_AGENDA} texts.")
    with transaction():
        assembly = get_assembly(assembly_id)
        require(actor, "schedule_session", records.standing_in(actor, assembly_id))
        found = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(ids)))}
        if set(found) != set(ids) or any(p.area_id != assembly.area_id for p in found.values()):
            raise DomainError("agenda_outside_area",
                              f"The agenda takes texts of the area {assembly.area.name} only.")
        items = [SessionItem(position=i, proposal_id=pid, title=found[pid].title[:core.MAX_AGENDA_ITEM_CHARS])
                 for i, pid in enumerate(ids)]
        row = LiveSession(assembly_id=assembly_id, title=title, starts_at=starts_at, public=public,
                          scheduled_by_id=actor.id, items=items)
        db.session.add(row)
        db.session.flush()
        records.Room(row).save()  # the core checks the agenda; the stored state starts from its defaults
    return row


def open_session(actor, session_id: int) -> LiveSession:
    with transaction():
        room = enter_session(actor, session_id, "run_session", must_be_open=False)
        if room.row.status != "scheduled":
            raise Conflict("session_not_scheduled", "Only a scheduled session can be opened.")
        room.row.status, room.row.opened_at = "open", now()
        connected = db.session.scalars(select(SessionConnection.user_id).where(
            SessionConnection.session_id == session_id, SessionConnection.observer.is_(False)))
        for user_id in set(connected):
            room.attendance, _ = room.attendance.mark_present(user_id)
        room.save()
    announce.to_session(room.id, "session_changed", {**room.head(), "status": "open"})
    announce.to_session(room.id, "presence_changed", room.presence())
    return room.row


def close_session(actor, session_id: int) -> LiveSession:
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        if records.open_check_row(session_id) is not None:
            raise Conflict("check_open", "Close the consensus check before ending the session.")
        room.row.status, room.row.closed_at = "closed", now()
        room.timer = room.timer.reset()
        room.save()
    announce.to_session(room.id, "session_changed", {**room.head(), "status": "closed"})
    return room.row


def go_to_item(actor, session_id: int, index: int | None = None) -> dict[str, Any]:
    """Move to the next agenda item, or to item `index` (from 0)."""
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        if records.open_check_row(session_id) is not None:
            raise Conflict("check_open", "Close the consensus check before moving to another item.")
        room.attendance, events = (room.attendance.next_item() if index is None
                                   else room.attendance.go_to_item(index))
        room.save()
        payload = {**room.agenda_state(), "events": [e.to_dict() for e in events]}
    announce.to_session(room.id, "agenda_changed", payload)
    return payload


def next_item(actor, session_id: int) -> dict[str, Any]:
    return go_to_item(actor, session_id)


@dataclass(frozen=True)
class Listing:
    """The sessions page: every assembly, its sessions (newest first), and the reader's standing in it."""

    assemblies: list[Assembly]
    by_assembly: dict[int, list[LiveSession]]
    standing: dict[int, records.Standing]


def listing(actor) -> Listing:
    assemblies = list(db.session.scalars(select(Assembly).order_by(Assembly.id)))
    rows = db.session.scalars(select(LiveSession).order_by(LiveSession.starts_at.desc(), LiveSession.id.desc()))
    by_assembly: dict[int, list[LiveSession]] = {a.id: [] for a in assemblies}
    for row in rows:
        by_assembly.setdefault(row.assembly_id, []).append(row)
    return Listing(assemblies, by_assembly, records.standings(actor, [a.id for a in assemblies]))


def schedule_form(actor, assembly_id: int) -> tuple[Assembly, list[Proposal]]:
    """What the scheduling form offers: the assembly and the texts of its area, for its facilitators."""
    assembly = get_assembly(assembly_id)
    require(actor, "schedule_session", records.standing_in(actor, assembly_id))
    return assembly, agenda_choices(assembly_id)


def agenda_choices(assembly_id: int) -> list[Proposal]:
    assembly = get_assembly(assembly_id)
    return list(db.session.scalars(select(Proposal).where(Proposal.area_id == assembly.area_id)
                                   .order_by(Proposal.origin.desc(), Proposal.section, Proposal.id)))
