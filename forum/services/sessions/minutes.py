"""The minutes of a live session that has ended."""
from __future__ import annotations

import json

from sqlalchemy import select

from deliberation import sessions as core
from deliberation.errors import Conflict
from forum.extensions import db
from forum.models import LiveSession, SessionCheck, SpeakerTurn
from forum.permissions import require
from forum.records import sessions as records


def minutes(actor, session_id: int) -> tuple[LiveSession, core.Minutes]:
    room = records.Room(records.row(session_id), actor)
    require(actor, "watch_session", room.standing)
    if room.row.status != "closed":
        raise Conflict("session_not_closed", "Minutes are produced once the session has ended.")
    turns = db.session.scalars(select(SpeakerTurn).where(SpeakerTurn.session_id == room.id).order_by(SpeakerTurn.id))
    checks = list(db.session.scalars(select(SessionCheck).where(
        SessionCheck.session_id == room.id, SessionCheck.closed_at.is_not(None)).order_by(SessionCheck.id)))
    zone_day = room.row.opened_at or room.row.starts_at
    record = {
        "title": f"{room.row.assembly.name}: {room.row.title}",
        "held_on": zone_day.strftime("%-d %B %Y"),
        "agenda": list(room.attendance.agenda),
        "attendance": {
            "facilitators": [room.names[u] for u in sorted(room.facilitators)],
            "present": sorted(room.names[u] for u in room.attended if u in room.names),
            "absent": sorted(room.names[u] for u in room.seated - room.attended),
            "observers": room.observers_peak,
        },
        "speakers": [{"item": t.item, "name": t.user.name, "kind": t.kind} for t in turns],
        "checks": [{"item": c.item, "subject": c.label, "outcome": json.loads(c.outcome_json or "{}")} for c in checks],
        "decisions": [{"item": c.item, "text": f"Consensus on {c.label}."} for c in checks if c.reached],
    }
    return room.row, core.minutes(record)
