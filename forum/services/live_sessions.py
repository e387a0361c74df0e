"""Live assembly sessions: schedule, open, join, speak, check for consensus, chat, close, minutes.

Room `session:<id>` in the Socket.IO namespace `/sessions`. Every change runs the same way: lock
the session row (`seq = seq + 1`), rebuild the core values of deliberation.sessions from the rows,
ask permission, call one core operation, write the result back, commit, then emit one small dict
to the room. Every payload carries `seq` so a client drops anything older than what it has.
"""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from flask import current_app
from sqlalchemy import delete, func, select, update

from deliberation import sessions as core
from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db, socketio, transaction
from forum.models import (Amendment, Assembly, AssemblySeat, ChatMessage, CheckAnswer, Convention, LiveSession,
                          Proposal,
                          ProposalVersion, SessionCheck, SessionConnection, SessionItem, SpeakerTurn, User)
from forum.permissions import require
from forum.services import tracking
from forum.records.conventions import now

NAMESPACE = "/sessions"
WORKER = uuid.uuid4().hex[:12]  # this process: connections it holds are its own
MAX_TITLE = 200
MAX_AGENDA = 30
CHAT_BACKLOG = 100


@dataclass(frozen=True)
class Standing:
    """Who the person is in this session's assembly: what permissions.RULES look at."""

    seated: bool
    facilitates: bool
    public: bool

    @property
    def role(self) -> str:
        return "facilitator" if self.facilitates else "seated" if self.seated else "observer"


# --------------------------------------------------------------------------- loading


def _seats(assembly_id: int) -> list[tuple[int, str, str]]:
    """(user id, name, category) of every current seat, in one query."""
    return list(db.session.execute(
        select(AssemblySeat.user_id, User.name, AssemblySeat.category).join(User, User.id == AssemblySeat.user_id)
        .where(AssemblySeat.assembly_id == assembly_id, AssemblySeat.withdrawn_at.is_(None))
        .order_by(AssemblySeat.category, AssemblySeat.id)))


class Room:
    """One session's rows and the core values built from them, inside the caller's transaction."""

    def __init__(self, row: LiveSession, actor=None) -> None:
        self.row = row
        # Kept as plain values: after the commit the row is expired, and reading it again would
        # cost a query per emit.
        self._id, self.seq = row.id, row.seq
        seats = _seats(row.assembly_id)
        self.names = {uid: name for uid, name, _ in seats}
        self.seated = frozenset(uid for uid, _, cat in seats if cat != "facilitator")
        self.facilitators = frozenset(uid for uid, _, cat in seats if cat == "facilitator")
        # The convention's own consensus rule: the same one the tracker records checks under.
        assembly = db.session.get(Assembly, row.assembly_id)
        self.rule = tracking.rules_for(db.session.get(Convention, assembly.convention_id)).consensus
        stored = json.loads(row.attendance_json or "{}")
        self.attended = set(stored.get("attended", ()))
        self.observers_peak = int(stored.get("observers_peak", 0))
        # Seats can change between sessions; attendance keeps only those who still hold one.
        self.attendance = core.Session(
            agenda=tuple(i.title for i in row.items), seated=self.seated, facilitators=self.facilitators,
            present=frozenset(stored.get("present", ())) & (self.seated | self.facilitators),
            observers=int(stored.get("observers", 0)), current_item=int(stored.get("current_item", 0)),
            quorum_fraction=self.rule.quorum)
        self.queue = core.SpeakerQueue.from_dict(json.loads(row.queue_json)) if row.queue_json not in ("", "{}") \
            else core.SpeakerQueue()
        self.timer = core.Timer.from_dict(json.loads(row.timer_json)) if row.timer_json not in ("", "{}") \
            else core.Timer()
        self.chat = core.Chat(locked=row.chat_locked)
        self.standing = None
        if actor is not None and getattr(actor, "is_authenticated", False):
            self.standing = Standing(actor.id in self.seated, actor.id in self.facilitators, row.public)

    @property
    def id(self) -> int:
        return self._id

    @property
    def item(self) -> SessionItem:
        return self.row.items[self.attendance.current_item]

    def save(self) -> None:
        self.attended |= self.attendance.present & self.seated
        self.observers_peak = max(self.observers_peak, self.attendance.observers)
        self.row.attendance_json = json.dumps(
            {**self.attendance.to_dict(), "attended": sorted(self.attended), "observers_peak": self.observers_peak})
        self.row.queue_json = json.dumps(self.queue.to_dict())
        self.row.timer_json = json.dumps(self.timer.to_dict())
        self.row.chat_locked = self.chat.locked

    def name(self, user_id: int) -> str:
        return self.names.get(user_id) or db.session.scalar(select(User.name).where(User.id == user_id)) or "Someone"

    # -- the small dicts the room receives

    def _head(self) -> dict[str, Any]:
        return {"session": self._id, "seq": self.seq}

    def presence(self) -> dict[str, Any]:
        return {**self._head(), "present": sorted(self.attendance.present), "observers": self.attendance.observers,
                "quorum": self.attendance.quorum().to_dict()}

    def queue_state(self, events: Sequence[core.Event] = ()) -> dict[str, Any]:
        q = self.queue
        return {**self._head(),
                "hands": [{"member_id": h.member_id, "name": self.name(h.member_id), "kind": h.kind.value}
                          for h in q.entries],
                "speaker": ({"member_id": q.current.member_id, "name": self.name(q.current.member_id),
                             "kind": q.current.kind.value if q.current.kind else None} if q.current else None),
                "muted": [{"member_id": m, "name": self.name(m)} for m in sorted(q.muted)],
                "events": [e.to_dict() for e in events]}

    def timer_state(self) -> dict[str, Any]:
        at = now()
        return {**self._head(), "state": self.timer.state.value, "duration_s": self.timer.duration_s,
                "remaining": round(self.timer.remaining(at), 3), "server_time": at.isoformat()}

    def agenda_state(self) -> dict[str, Any]:
        return {**self._head(), "current_item": self.attendance.current_item, "title": self.attendance.current_title,
                "text": text_of(self.item.proposal_id)}

    def check_state(self, row: SessionCheck | None, check: core.ConsensusCheck | None = None) -> dict[str, Any]:
        return {**self._head(), "check": None if row is None else describe_check(self, row, check)}

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        announce(self._id, event, payload)


def announce(session_id: int, event: str, payload: dict[str, Any]) -> None:
    socketio.emit(event, payload, to=f"session:{session_id}", namespace=NAMESPACE)


def _row(session_id: int) -> LiveSession:
    row = db.session.get(LiveSession, session_id, populate_existing=True)
    if row is None:
        raise NotFound("session_not_found", "There is no such session.")
    return row


def _locked(session_id: int, actor, action: str | None, *, must_be_open: bool = True) -> Room:
    """Take the session's write lock (the same statement on SQLite and PostgreSQL) and load it."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise DomainError("payload_invalid", "Name the session by its number.")
    bumped = db.session.execute(update(LiveSession).where(LiveSession.id == session_id)
                                .values(seq=LiveSession.seq + 1).execution_options(synchronize_session=False))
    if bumped.rowcount == 0:
        raise NotFound("session_not_found", "There is no such session.")
    room = Room(_row(session_id), actor)
    if action is not None:
        require(actor, action, room.standing)
    if must_be_open and room.row.status != "open":
        raise Conflict("session_not_open", "This session is not open: " +
                       ("it has not started yet." if room.row.status == "scheduled" else "it has ended."))
    return room


def _open_check(session_id: int) -> SessionCheck | None:
    return db.session.scalar(select(SessionCheck).where(SessionCheck.session_id == session_id,
                                                        SessionCheck.closed_at.is_(None)))


def _answers(row: SessionCheck) -> list[CheckAnswer]:
    return list(db.session.scalars(select(CheckAnswer).where(CheckAnswer.check_id == row.id)
                                   .order_by(CheckAnswer.user_id)))


def _check_value(row: SessionCheck, answers: list[CheckAnswer] | None = None) -> core.ConsensusCheck:
    answers = _answers(row) if answers is None else answers
    return core.ConsensusCheck(
        subject=row.subject, item=row.item, opened_by=row.opened_by_id, opened_at=row.opened_at,
        answers=tuple(core.Answer(a.user_id, core.Response(a.response), a.reason) for a in answers),
        closed_at=row.closed_at, closed_by=row.closed_by_id,
        outcome=core.CheckOutcome.from_dict(json.loads(row.outcome_json)) if row.outcome_json else None,
        roll=frozenset(json.loads(row.roll_json or "[]")), interrupted=row.interrupted)


def _store_roll(row: SessionCheck, check: core.ConsensusCheck) -> None:
    row.roll_json, row.interrupted = json.dumps(sorted(check.roll)), check.interrupted


def describe_check(room: Room, row: SessionCheck, check: core.ConsensusCheck | None = None) -> dict[str, Any]:
    check = check or _check_value(row)
    tally = check.tally(room.attendance) if check.outcome is None else check.outcome.counts
    reasons = [{"name": room.name(a.member_id), "response": a.response.value, "reason": a.reason}
               for a in check.answers if a.reason]
    return {"id": row.id, "subject": row.subject, "label": row.label, "open": check.is_open,
            "amendment_id": row.amendment_id, "tally": tally.to_dict(), "words": tally.words(),
            "reasons": reasons, "outcome": check.outcome.to_dict() if check.outcome else None,
            "tracker": json.loads(row.outcome_json).get("tracker") if row.outcome_json else None,
            "answered": sorted(a.member_id for a in check.answers)}


def text_of(proposal_id: int) -> dict[str, Any]:
    """The agenda text as it reads now, with the amendments pending on it."""
    proposal = db.session.get(Proposal, proposal_id)
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal_id, ProposalVersion.number == proposal.current_version))
    amendments = db.session.scalars(select(Amendment).where(
        Amendment.proposal_id == proposal_id, Amendment.status == "pending").order_by(Amendment.id))
    return {"proposal_id": proposal_id, "title": proposal.title, "version": proposal.current_version,
            "clauses": [{"key": c.key, "number": c.number, "body": c.body} for c in (version.clauses if version else [])],
            "amendments": [amendment_dict(a) for a in amendments]}


def amendment_dict(a: Amendment) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "clause_key": a.clause_key, "after_key": a.after_key, "text": a.text,
            "rationale": a.rationale, "author": a.author.name if a.author else "", "status": a.status}


# --------------------------------------------------------------------------- scheduling


def standing_in(actor, assembly_id: int, public: bool = True) -> Standing:
    if not getattr(actor, "is_authenticated", False):
        return Standing(False, False, public)
    categories = set(db.session.scalars(select(AssemblySeat.category).where(
        AssemblySeat.assembly_id == assembly_id, AssemblySeat.user_id == actor.id,
        AssemblySeat.withdrawn_at.is_(None))))
    return Standing(bool(categories - {"facilitator"}), "facilitator" in categories, public)


def get_assembly(assembly_id: int) -> Assembly:
    assembly = db.session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound("assembly_not_found", "There is no such assembly.")
    return assembly


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
        require(actor, "schedule_session", standing_in(actor, assembly_id))
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
        Room(row).save()  # the core checks the agenda; the stored state starts from its defaults
    return row


def open_session(actor, session_id: int) -> LiveSession:
    with transaction():
        room = _locked(session_id, actor, "run_session", must_be_open=False)
        if room.row.status != "scheduled":
            raise Conflict("session_not_scheduled", "Only a scheduled session can be opened.")
        room.row.status, room.row.opened_at = "open", now()
        connected = db.session.scalars(select(SessionConnection.user_id).where(
            SessionConnection.session_id == session_id, SessionConnection.observer.is_(False)))
        for user_id in set(connected):
            room.attendance, _ = room.attendance.mark_present(user_id)
        room.save()
    room.emit("session_changed", {**room._head(), "status": "open"})
    room.emit("presence_changed", room.presence())
    return room.row


def close_session(actor, session_id: int) -> LiveSession:
    with transaction():
        room = _locked(session_id, actor, "run_session")
        if _open_check(session_id) is not None:
            raise Conflict("check_open", "Close the consensus check before ending the session.")
        room.row.status, room.row.closed_at = "closed", now()
        room.timer = room.timer.reset()
        room.save()
    room.emit("session_changed", {**room._head(), "status": "closed"})
    return room.row


# --------------------------------------------------------------------------- joining and leaving


def join(actor, session_id: int, sid: str) -> dict[str, Any]:
    """A connection enters the room: a member of the assembly is marked present, anyone else watches.

    Browsers reconnect and resend this, so it is idempotent; it returns the whole state."""
    leave(sid, keep=session_id)
    with transaction():
        room = _locked(session_id, actor, "watch_session", must_be_open=False)
        participant = room.standing.seated or room.standing.facilitates
        # A connection of the same person held by a process that no longer runs is gone.
        lost = db.session.execute(delete(SessionConnection).where(
            SessionConnection.session_id == session_id, SessionConnection.user_id == actor.id,
            SessionConnection.worker != WORKER)).rowcount
        if db.session.get(SessionConnection, sid) is None:
            db.session.add(SessionConnection(sid=sid, session_id=session_id, user_id=actor.id,
                                             observer=not participant, worker=WORKER))
        db.session.flush()
        arrived = []
        if participant and room.row.status == "open":
            room.attendance, arrived = room.attendance.mark_present(actor.id)
            _note_on_open_check(room, actor.id, interrupted=bool(lost))
        observers_before = room.attendance.observers
        if room.row.status == "open":
            room.attendance, _ = room.attendance.count_observers(_count_observers(session_id))
        room.save()
        state = snapshot(room)
    if arrived:
        room.emit("presence_changed", room.presence())
    elif room.attendance.observers != observers_before:
        _announce_observers_soon(session_id)
    return state


def _note_on_open_check(room: Room, member_id: int, interrupted: bool) -> None:
    """A seated member who arrives while a check is open joins its roll; one whose connection
    was held by a process that has gone tells the check that a restart interrupted it."""
    row = _open_check(room.id)
    if row is None:
        return
    check = _check_value(row).note_arrival(room.attendance, member_id)
    if interrupted:
        check = check.note_interruption()
    _store_roll(row, check)


def leave(sid: str, keep: int | None = None) -> None:
    """A connection closes (or moves to another session): the last one of a member marks them absent."""
    with transaction():
        conn = db.session.get(SessionConnection, sid)
        if conn is None or conn.session_id == keep:
            return
        room = _locked(conn.session_id, None, None, must_be_open=False)
        user_id, observer = conn.user_id, conn.observer
        db.session.delete(conn)
        db.session.flush()
        if room.row.status != "open":
            return
        left = []
        others = db.session.scalar(select(func.count()).select_from(SessionConnection).where(
            SessionConnection.session_id == room.id, SessionConnection.user_id == user_id))
        if not observer and not others:
            room.attendance, left = room.attendance.mark_absent(user_id)
        room.attendance, counted = room.attendance.count_observers(_count_observers(room.id))
        room.save()
    if left:
        room.emit("presence_changed", room.presence())
    elif counted:
        _announce_observers_soon(room.id)


def _count_observers(session_id: int) -> int:
    return db.session.scalar(select(func.count(func.distinct(SessionConnection.user_id))).where(
        SessionConnection.session_id == session_id, SessionConnection.observer.is_(True))) or 0


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
    socketio.start_background_task(_announce_observers_later, current_app._get_current_object(), session_id, delay)


def _announce_observers_later(app, session_id: int, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        _pending.discard(session_id)
    with app.app_context():
        _announce_observers(session_id)
        db.session.remove()


def _announce_observers(session_id: int) -> None:
    room = Room(_row(session_id))
    room.emit("presence_changed", room.presence())


# --------------------------------------------------------------------------- reading


def snapshot(room: Room) -> dict[str, Any]:
    """Everything a client needs to draw the session, as on the page: sent on every (re)join."""
    closed = db.session.scalars(select(SessionCheck).where(
        SessionCheck.session_id == room.id, SessionCheck.closed_at.is_not(None)).order_by(SessionCheck.id))
    messages = list(db.session.scalars(select(ChatMessage).where(ChatMessage.session_id == room.id)
                                       .order_by(ChatMessage.id.desc()).limit(CHAT_BACKLOG)))
    standing = room.standing
    return {
        "session": {"id": room.id, "seq": room.row.seq, "title": room.row.title, "status": room.row.status,
                    "public": room.row.public},
        "you": {"role": standing.role if standing else "observer"},
        "agenda": {**room.agenda_state(),
                   "items": [{"index": i.position, "title": i.title, "proposal_id": i.proposal_id}
                             for i in room.row.items]},
        "presence": room.presence(),
        "seats": [{"member_id": uid, "name": room.names[uid]} for uid in sorted(room.seated, key=room.names.get)],
        "facilitators": [{"member_id": uid, "name": room.names[uid]} for uid in sorted(room.facilitators)],
        "queue": room.queue_state(),
        "timer": room.timer_state(),
        "check": room.check_state(_open_check(room.id))["check"],
        "results": [{"id": c.id, "label": c.label, "reached": c.reached,
                     "reason": json.loads(c.outcome_json)["reason"],
                     "tracker": json.loads(c.outcome_json).get("tracker")} for c in closed],
        "chat": {"locked": room.chat.locked,
                 "messages": [message_dict(room, m) for m in reversed(messages)]},
    }


def session_state(actor, session_id: int) -> tuple[LiveSession, dict[str, Any]]:
    """For the page: the same snapshot the socket sends, without joining."""
    room = Room(_row(session_id), actor)
    require(actor, "watch_session", room.standing)
    return room.row, snapshot(room)


def message_dict(room: Room, m: ChatMessage) -> dict[str, Any]:
    return {"id": m.id, "author_id": m.author_id, "author": room.name(m.author_id),
            "text": None if m.removed_by_id else m.text, "removed": m.removed_by_id is not None,
            "posted_at": m.posted_at.isoformat()}


def sessions_of(assembly_id: int) -> list[LiveSession]:
    return list(db.session.scalars(select(LiveSession).where(LiveSession.assembly_id == assembly_id)
                                   .order_by(LiveSession.starts_at.desc(), LiveSession.id.desc())))


def all_sessions() -> list[LiveSession]:
    return list(db.session.scalars(select(LiveSession).order_by(LiveSession.starts_at.desc(), LiveSession.id.desc())))


def assemblies() -> list[Assembly]:
    return list(db.session.scalars(select(Assembly).order_by(Assembly.id)))


def agenda_choices(assembly_id: int) -> list[Proposal]:
    assembly = get_assembly(assembly_id)
    return list(db.session.scalars(select(Proposal).where(Proposal.area_id == assembly.area_id)
                                   .order_by(Proposal.origin.desc(), Proposal.section, Proposal.id)))


# --------------------------------------------------------------------------- speaker queue and timer


def _queue_change(actor, session_id: int, action: str, change: Callable[[Room], list[core.Event]]) -> dict[str, Any]:
    with transaction():
        room = _locked(session_id, actor, action)
        before = room.timer
        events = change(room)
        room.save()
        for e in events:
            if isinstance(e, core.SpeakerCalled):
                db.session.add(SpeakerTurn(session_id=room.id, item=room.attendance.current_item, user_id=e.member_id,
                                           kind=e.kind.value if e.kind else None, called_at=now()))
        payload = room.queue_state(events)
        timer_moved = room.timer != before
    room.emit("queue_changed", payload)
    if timer_moved:
        room.emit("timer_changed", room.timer_state())
    return payload


def _give_floor(room: Room, events: list[core.Event]) -> list[core.Event]:
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
    def change(room: Room) -> list[core.Event]:
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
    def change(room: Room) -> list[core.Event]:
        if member not in room.seated:
            raise NotFound("not_seated", "Only seated members speak, so only they can be muted.", member_id=member)
        return _give_floor(room, room.queue.mute(member, actor.id))
    return _queue_change(actor, session_id, "run_session", change)


def unmute(actor, session_id: int, member: int) -> dict[str, Any]:
    return _queue_change(actor, session_id, "run_session", lambda r: r.queue.unmute(member, actor.id))


def _timer_change(actor, session_id: int, change: Callable[[core.Timer, datetime], core.Timer]) -> dict[str, Any]:
    with transaction():
        room = _locked(session_id, actor, "run_session")
        room.timer = change(room.timer, now())
        room.save()
        payload = room.timer_state()
    room.emit("timer_changed", payload)
    return payload


def start_timer(actor, session_id: int, seconds: int | None = None) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: (t.reset(seconds) if seconds else t).start(at))


def pause_timer(actor, session_id: int) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.pause(at))


def resume_timer(actor, session_id: int) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.resume(at))


def reset_timer(actor, session_id: int, seconds: int | None = None) -> dict[str, Any]:
    return _timer_change(actor, session_id, lambda t, at: t.reset(seconds))


# --------------------------------------------------------------------------- agenda


def go_to_item(actor, session_id: int, index: int | None = None) -> dict[str, Any]:
    """Move to the next agenda item, or to item `index` (from 0)."""
    with transaction():
        room = _locked(session_id, actor, "run_session")
        if _open_check(session_id) is not None:
            raise Conflict("check_open", "Close the consensus check before moving to another item.")
        room.attendance, events = (room.attendance.next_item() if index is None
                                   else room.attendance.go_to_item(index))
        room.save()
        payload = {**room.agenda_state(), "events": [e.to_dict() for e in events]}
    room.emit("agenda_changed", payload)
    return payload


def next_item(actor, session_id: int) -> dict[str, Any]:
    return go_to_item(actor, session_id)


# --------------------------------------------------------------------------- consensus checks


def open_check(actor, session_id: int, amendment: int | None = None) -> dict[str, Any]:
    """Open a consensus check on the current agenda text, or on one amendment pending on it."""
    with transaction():
        room = _locked(session_id, actor, "run_session")
        if _open_check(session_id) is not None:
            raise Conflict("check_already_open", "A consensus check is already open; close it first.")
        proposal = room.item.proposal
        if amendment is None:
            subject = f"text:{proposal.id}@{proposal.current_version}"
            label = f"{proposal.title} (version {proposal.current_version})"
        else:
            row = db.session.get(Amendment, amendment)
            if row is None or row.proposal_id != proposal.id:
                raise NotFound("amendment_not_found", "That amendment is not on the text under deliberation.")
            subject, label = row.ref, f"Amendment {row.id} to {proposal.title}"
        check, _ = core.ConsensusCheck.open(room.attendance, subject, actor.id, now())
        row = SessionCheck(session_id=room.id, item=check.item, subject=check.subject, label=label[:300],
                           proposal_id=proposal.id, amendment_id=amendment, opened_by_id=actor.id,
                           opened_at=check.opened_at)
        _store_roll(row, check)
        db.session.add(row)
        db.session.flush()
        room.save()
        payload = room.check_state(row)
    room.emit("check_opened", payload)
    return payload


def answer_check(actor, session_id: int, response: str, reason: str | None = None) -> dict[str, Any]:
    """A seated member present agrees, agrees with reservations, stands aside or blocks (with a reason)."""
    with transaction():
        room = _locked(session_id, actor, "take_part_in_session")
        row = _open_check(session_id)
        if row is None:
            raise Conflict("no_open_check", "No consensus check is open.")
        rows = _answers(row)
        check, events = _check_value(row, rows).answer(room.attendance, actor.id, response, reason)
        if events:
            answer = check.answer_of(actor.id)
            stored = next((a for a in rows if a.user_id == actor.id), None)
            if stored is None:
                db.session.add(CheckAnswer(check_id=row.id, user_id=actor.id, response=answer.response.value,
                                           reason=answer.reason, answered_at=now()))
            else:
                stored.response, stored.reason, stored.answered_at = answer.response.value, answer.reason, now()
            db.session.flush()
        _store_roll(row, check)
        room.save()
        payload = room.check_state(row, check)
    room.emit("tally_changed", payload)
    return payload


def close_check(actor, session_id: int) -> dict[str, Any]:
    """Close the open check; its outcome is kept with it (and reported in the minutes), and a check
    on the text itself goes to the consensus tracker in the same transaction. If the tracker cannot
    take it now (its phase, or the text's state), the check still closes and says why."""
    tracked = None
    with transaction():
        room = _locked(session_id, actor, "run_session")
        row = _open_check(session_id)
        if row is None:
            raise Conflict("no_open_check", "No consensus check is open.")
        answers = _answers(row)
        check, outcome, _ = _check_value(row, answers).close(room.attendance, actor.id, now(), room.rule)
        row.closed_at, row.closed_by_id = check.closed_at, actor.id
        result = outcome.to_dict()
        if row.amendment_id is None:
            tracked, result["tracker"] = _feed_tracker(actor, row, outcome, answers)
        row.reached, row.outcome_json = outcome.reached, json.dumps(result)
        room.save()
        payload = room.check_state(row)
    room.emit("check_closed", payload)
    if tracked is not None:
        tracking.announce(tracked, actor)
    return payload


def _feed_tracker(actor, row: SessionCheck, outcome: core.CheckOutcome, answers: list[CheckAnswer]):
    """Hand a closed check on a text to the tracker, in a savepoint so a refusal leaves the check."""
    counts = outcome.counts
    reasons = [a.reason for a in answers if a.response == "block" and a.reason]
    try:
        with db.session.begin_nested():
            transition, ctx = tracking.apply_consensus_check(
                actor, row.proposal_id, {"agree": counts.agree, "reservations": counts.reservations,
                                         "stand_aside": counts.stand_aside, "block": counts.block},
                counts.seats, counts.present_seated, reasons, f"session:{row.session_id}", outcome.interrupted)
    except DomainError as err:
        return None, f"Not recorded by the tracker: {err.message}"
    return ctx, transition.reason


# --------------------------------------------------------------------------- chat


def post_message(actor, session_id: int, text: str) -> dict[str, Any]:
    with transaction():
        room = _locked(session_id, actor, "chat_in_session")
        message, _ = room.chat.post(room.attendance, 0, actor.id, text if isinstance(text, str) else "", now())
        row = ChatMessage(session_id=room.id, author_id=actor.id, text=message.text, posted_at=message.posted_at)
        db.session.add(row)
        db.session.flush()
        room.save()
        payload = {**room._head(), "message": message_dict(room, row)}
    room.emit("message_posted", payload)
    return payload


def remove_message(actor, session_id: int, message: int) -> dict[str, Any]:
    with transaction():
        room = _locked(session_id, actor, "run_session")
        row = db.session.get(ChatMessage, message)
        if row is None or row.session_id != room.id:
            raise NotFound("message_not_found", "There is no such message in this session.")
        value = core.Message(row.id, row.author_id, row.text, row.posted_at, row.removed_by_id)
        removed, _ = core.remove_message(value, actor.id)
        row.removed_by_id = removed.removed_by
        room.save()
        payload = {**room._head(), "message": message_dict(room, row)}
    room.emit("message_removed", payload)
    return payload


def _chat_switch(actor, session_id: int, locked: bool) -> dict[str, Any]:
    with transaction():
        room = _locked(session_id, actor, "run_session")
        room.chat, _ = room.chat.lock(actor.id) if locked else room.chat.unlock(actor.id)
        room.save()
        payload = {**room._head(), "locked": room.chat.locked}
    room.emit("chat_changed", payload)
    return payload


def lock_chat(actor, session_id: int) -> dict[str, Any]:
    return _chat_switch(actor, session_id, True)


def unlock_chat(actor, session_id: int) -> dict[str, Any]:
    return _chat_switch(actor, session_id, False)


# --------------------------------------------------------------------------- amendments


def announce_amendment(amendment_id: int) -> None:
    """Tell every open session deliberating this amendment's text that it was proposed.

    The amendment service calls this after its commit (hooked in at merge)."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None:
        return
    rows = db.session.scalars(select(LiveSession).join(SessionItem).where(
        LiveSession.status == "open", SessionItem.proposal_id == amendment.proposal_id))
    payload = amendment_dict(amendment)
    for row in set(rows):
        room = Room(row)
        if room.item.proposal_id == amendment.proposal_id:
            room.emit("amendment_proposed", {**room._head(), "amendment": payload})


# --------------------------------------------------------------------------- minutes


def minutes(actor, session_id: int) -> tuple[LiveSession, core.Minutes]:
    room = Room(_row(session_id), actor)
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
        "checks": [{"item": c.item, "subject": c.label, "outcome": json.loads(c.outcome_json)} for c in checks],
        "decisions": [{"item": c.item, "text": f"Consensus on {c.label}."} for c in checks if c.reached],
    }
    return room.row, core.minutes(record)
