"""Who is in a live session: connections joining and leaving, presence, observers, and the page's state."""
from __future__ import annotations

import threading
from typing import Any, Sequence, cast

from flask import current_app
from sqlalchemy import delete, func, select

from forum import announce
from forum.extensions import db, socketio, transaction
from forum.models import LiveSession, SessionConnection
from forum.permissions import enter_session, require
from forum.records import sessions as records
from forum.records.common import rows_changed


def join(actor, session_id: int, sid: str) -> dict[str, Any]:
    """A connection enters the room: a member of the assembly is marked present, anyone else watches.

    Browsers reconnect and resend this, so it is idempotent; it returns the whole state."""
    leave(sid, keep=session_id)
    with transaction():
        room = enter_session(actor, session_id, "watch_session", must_be_open=False)
        participant = room.standing.seated or room.standing.facilitates
        # A connection of the same person held by a process that no longer runs is gone.
        lost = rows_changed(delete(SessionConnection).where(
            SessionConnection.session_id == session_id, SessionConnection.user_id == actor.id,
            SessionConnection.worker != records.WORKER))
        if db.session.get(SessionConnection, sid) is None:
            db.session.add(SessionConnection(sid=sid, session_id=session_id, user_id=actor.id,
                                             observer=not participant, worker=records.WORKER))
        db.session.flush()
        arrived = []
        if participant and room.row.status == "open":
            room.attendance, arrived = room.attendance.mark_present(actor.id)
            records.note_on_open_check(room, actor.id, interrupted=bool(lost))
        observers_before = room.attendance.observers
        if room.row.status == "open":
            room.attendance, _ = room.attendance.count_observers(records.count_observers(session_id))
        room.save()
        state = records.snapshot(room)
    if arrived:
        announce.to_session(room.id, "presence_changed", room.presence())
    elif room.attendance.observers != observers_before:
        _announce_observers_soon(session_id)
    return state


def leave(sid: str, keep: int | None = None) -> None:
    """A connection closes (or moves to another session): the last one of a member marks them absent."""
    with transaction():
        conn = db.session.get(SessionConnection, sid)
        if conn is None or conn.session_id == keep:
            return
        room = records.locked(conn.session_id, None)
        user_id, observer = conn.user_id, conn.observer
        db.session.delete(conn)
        db.session.flush()
        if room.row.status != "open":
            return
        left: Sequence[object] = ()
        others = db.session.scalar(select(func.count()).select_from(SessionConnection).where(
            SessionConnection.session_id == room.id, SessionConnection.user_id == user_id))
        if not observer and not others:
            room.attendance, left = room.attendance.mark_absent(user_id)
        room.attendance, counted = room.attendance.count_observers(records.count_observers(room.id))
        room.save()
    if left:
        announce.to_session(room.id, "presence_changed", room.presence())
    elif counted:
        _announce_observers_soon(room.id)


_pending: set[int] = set()
_pending_lock = threading.Lock()


def _announce_observers_soon(session_id: int) -> None:
    """Observers come and go by the hundred; the room hears the count at most once a second
    (LIVE_OBSERVERS_DELAY), not once per arrival."""
    delay = float(current_app.config.get("LIVE_OBSERVERS_DELAY", 1.0))
    if delay <= 0:
        _announce_observers(session_id)
        return
    with _pending_lock:
        if session_id in _pending:
            return
        _pending.add(session_id)
    socketio.start_background_task(_announce_observers_later, cast(Any, current_app)._get_current_object(),
                                   session_id, delay)


def _announce_observers_later(app, session_id: int, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        _pending.discard(session_id)
    with app.app_context():
        _announce_observers(session_id)
        db.session.remove()


def _announce_observers(session_id: int) -> None:
    room = records.Room(records.row(session_id))
    announce.to_session(room.id, "presence_changed", room.presence())


def session_state(actor, session_id: int) -> tuple[LiveSession, dict[str, Any]]:
    """For the page: the same snapshot the socket sends, without joining."""
    room = records.Room(records.row(session_id), actor)
    require(actor, "watch_session", room.standing)
    return room.row, records.snapshot(room)
