"""The floor of a live session: the speaker queue, mutes and the speaking timer."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from deliberation import sessions as core
from deliberation.errors import NotFound
from forum import announce
from forum.extensions import db, transaction
from forum.models import SpeakerTurn
from forum.permissions import enter_session
from forum.records import audit
from forum.records import sessions as records
from forum.records.conventions import now


def _queue_change(actor, session_id: int, action: str,
                  change: Callable[[records.Room], list[core.Event]]) -> dict[str, Any]:
    with transaction():
        room = enter_session(actor, session_id, action)
        before = room.timer
        events = change(room)
        room.save()
        for e in events:
            if isinstance(e, core.SpeakerCalled):
                db.session.add(SpeakerTurn(session_id=room.id, item=room.attendance.current_item, user_id=e.member_id,
                                           kind=e.kind.value if e.kind else None, called_at=now()))
        payload = room.queue_state(events)
        timer_moved = room.timer != before
    announce.to_session(room.id, "queue_changed", payload)
    if timer_moved:
        announce.to_session(room.id, "timer_changed", room.timer_state())
    return payload


def _give_floor(room: records.Room, events: list[core.Event]) -> list[core.Event]:
    """Calling a speaker starts their time; a turn that ends stops it."""
    if any(isinstance(e, core.SpeakerCalled) for e in events):
        room.timer = room.timer.start(now())
    elif any(isinstance(e, core.TurnFinished) for e in events):
        room.timer = room.timer.reset()
    return events


def raise_hand(actor, session_id: int, kind: str = "ordinary") -> dict[str, Any]:
    return _queue_change(actor, session_id, "take_part_in_session",
                         lambda r: r.queue.raise_hand(actor.id, kind, now()))


def lower_hand(actor, session_id: int, member: int | None = None) -> dict[str, Any]:
    """Members lower their own hand; the facilitator may lower anyone's."""
    if member is None or member == actor.id:
        return _queue_change(actor, session_id, "take_part_in_session", lambda r: r.queue.lower_hand(actor.id))
    return _queue_change(actor, session_id, "run_session", lambda r: r.queue.lower_hand(member, by=actor.id))


def call_next(actor, session_id: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: _give_floor(r, r.queue.call_next(actor.id)))


def call_speaker(actor, session_id: int, member: int) -> dict[str, Any]:
    def change(room: records.Room) -> list[core.Event]:
        if member not in room.seated:
            raise NotFound("not_seated", "Only seated members can be given the floor.", member_id=member)
        return _give_floor(room, room.queue.call(member, actor.id))
    return _queue_change(actor, session_id, "run_session", change)


def finish_turn(actor, session_id: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: _give_floor(r, r.queue.finish_turn(actor.id)))


def skip_speaker(actor, session_id: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: r.queue.skip(actor.id))


def move_hand(actor, session_id: int, member: int, position: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: r.queue.reorder(member, position, actor.id))


def clear_queue(actor, session_id: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: r.queue.clear(actor.id))


def mute(actor, session_id: int, member: int) -> dict[str, Any]:
    def change(room: records.Room) -> list[core.Event]:
        if member not in room.seated:
            raise NotFound("not_seated", "Only seated members speak, so only they can be muted.", member_id=member)
        events = _give_floor(room, room.queue.mute(member, actor.id))
        audit.record(actor, "member_muted", f"session {room.id}", f"Muted {room.names[member]} in “{room.row.title}”.",
                     after={"member_id": member})
        return events
    return _queue_change(actor, session_id, "run_session", change)


def unmute(actor, session_id: int, member: int) -> dict[str, Any]:
    def change(room: records.Room) -> list[core.Event]:
        events = room.queue.unmute(member, actor.id)
        if events:
            audit.record(actor, "member_unmuted", f"session {room.id}",
                         f"Gave {room.names.get(member, 'a member')} their voice back in “{room.row.title}”.",
                         after={"member_id": member})
        return events
    return _queue_change(actor, session_id, "run_session", change)


def _timer_change(actor, session_id: int, change: Callable[[core.Timer, datetime], core.Timer]) -> dict[str, Any]:
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        room.timer = change(room.timer, now())
        room.save()
        payload = room.timer_state()
    announce.to_session(room.id, "timer_changed", payload)
    return payload


def start_timer(actor, session_id: int, seconds: int | None = None) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: (t.reset(seconds) if seconds else t).start(at))


def pause_timer(actor, session_id: int) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.pause(at))


def resume_timer(actor, session_id: int) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.resume(at))


def reset_timer(actor, session_id: int, seconds: int | None = None) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.reset(seconds))
