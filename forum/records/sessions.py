"""Live sessions as rows <-> core values: the Room loader (attendance, queue, timer, chat and the
convention's consensus rule), the session's write lock, checks and their rolls, and the small dicts
clients receive. Runs inside the caller's transaction; never commits, announces or asks permission.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import func, select, update

from deliberation import sessions as core
from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db
from forum.models import (
    Amendment,
    Assembly,
    AssemblySeat,
    ChatMessage,
    CheckAnswer,
    LiveSession,
    Proposal,
    ProposalVersion,
    SessionCheck,
    SessionConnection,
    SessionItem,
    User,
)
from forum.records import conventions
from forum.records.common import referenced, rows_changed
from forum.records.conventions import now

WORKER = uuid.uuid4().hex[:12]  # this process: connections it holds are its own
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
        assembly = referenced(Assembly, row.assembly_id)
        self.rule = conventions.rules(conventions.of(assembly.convention_id)).consensus
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

    def head(self) -> dict[str, Any]:
        return {"session": self._id, "seq": self.seq}

    def presence(self) -> dict[str, Any]:
        return {**self.head(), "present": sorted(self.attendance.present), "observers": self.attendance.observers,
                "quorum": self.attendance.quorum().to_dict()}

    def queue_state(self, events: Sequence[core.Event] = ()) -> dict[str, Any]:
        q = self.queue
        return {**self.head(),
                "hands": [{"member_id": h.member_id, "name": self.name(h.member_id), "kind": h.kind.value}
                          for h in q.entries],
                "speaker": ({"member_id": q.current.member_id, "name": self.name(q.current.member_id),
                             "kind": q.current.kind.value if q.current.kind else None} if q.current else None),
                "muted": [{"member_id": m, "name": self.name(m)} for m in sorted(q.muted)],
                "events": [e.to_dict() for e in events]}

    def timer_state(self) -> dict[str, Any]:
        at = now()
        return {**self.head(), "state": self.timer.state.value, "duration_s": self.timer.duration_s,
                "remaining": round(self.timer.remaining(at), 3), "server_time": at.isoformat()}

    def agenda_state(self) -> dict[str, Any]:
        return {**self.head(), "current_item": self.attendance.current_item, "title": self.attendance.current_title,
                "text": text_of(self.item.proposal_id)}

    def check_state(self, row: SessionCheck | None, check: core.ConsensusCheck | None = None) -> dict[str, Any]:
        return {**self.head(), "check": None if row is None else describe_check(self, row, check)}



def row(session_id: int) -> LiveSession:
    row = db.session.get(LiveSession, session_id, populate_existing=True)
    if row is None:
        raise NotFound("session_not_found", "There is no such session.")
    return row


def locked(session_id: int, actor) -> Room:
    """Take the session's write lock (the same statement on SQLite and PostgreSQL) and load it.
    The caller then asks permission (`room.standing`) and, for most actions, `require_open`."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise DomainError("payload_invalid", "Name the session by its number.")
    bumped = rows_changed(update(LiveSession).where(LiveSession.id == session_id)
                          .values(seq=LiveSession.seq + 1).execution_options(synchronize_session=False))
    if bumped == 0:
        raise NotFound("session_not_found", "There is no such session.")
    return Room(row(session_id), actor)


def require_open(room: Room) -> None:
    if room.row.status != "open":
        raise Conflict("session_not_open", "This session is not open: " +
                       ("it has not started yet." if room.row.status == "scheduled" else "it has ended."))


def open_check_row(session_id: int) -> SessionCheck | None:
    return db.session.scalar(select(SessionCheck).where(SessionCheck.session_id == session_id,
                                                        SessionCheck.closed_at.is_(None)))


def answers_of(row: SessionCheck) -> list[CheckAnswer]:
    return list(db.session.scalars(select(CheckAnswer).where(CheckAnswer.check_id == row.id)
                                   .order_by(CheckAnswer.user_id)))


def check_value(row: SessionCheck, answers: list[CheckAnswer] | None = None) -> core.ConsensusCheck:
    answers = answers_of(row) if answers is None else answers
    return core.ConsensusCheck(
        subject=row.subject, item=row.item, opened_by=row.opened_by_id, opened_at=row.opened_at,
        answers=tuple(core.Answer(a.user_id, core.Response(a.response), a.reason) for a in answers),
        closed_at=row.closed_at, closed_by=row.closed_by_id,
        outcome=core.CheckOutcome.from_dict(json.loads(row.outcome_json)) if row.outcome_json else None,
        roll=frozenset(json.loads(row.roll_json or "[]")), interrupted=row.interrupted)


def store_roll(row: SessionCheck, check: core.ConsensusCheck) -> None:
    row.roll_json, row.interrupted = json.dumps(sorted(check.roll)), check.interrupted


def note_on_open_check(room: Room, member_id: int, interrupted: bool) -> None:
    """A seated member who arrives while a check is open joins its roll; one whose connection
    was held by a process that has gone tells the check that a restart interrupted it."""
    row = open_check_row(room.id)
    if row is None:
        return
    check = check_value(row).note_arrival(room.attendance, member_id)
    if interrupted:
        check = check.note_interruption()
    store_roll(row, check)


def describe_check(room: Room, row: SessionCheck, check: core.ConsensusCheck | None = None) -> dict[str, Any]:
    check = check or check_value(row)
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
    proposal = referenced(Proposal, proposal_id)
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal_id, ProposalVersion.number == proposal.current_version))
    amendments = db.session.scalars(select(Amendment).where(
        Amendment.proposal_id == proposal_id, Amendment.status == "pending").order_by(Amendment.id))
    return {"proposal_id": proposal_id, "title": proposal.title, "version": proposal.current_version,
            "clauses": [{"key": c.key, "number": c.number, "body": c.body}
                        for c in (version.clauses if version else [])],
            "amendments": [amendment_dict(a) for a in amendments]}


def amendment_dict(a: Amendment) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "clause_key": a.clause_key, "after_key": a.after_key, "text": a.text,
            "rationale": a.rationale, "author": a.author.name if a.author else "", "status": a.status}


def message_dict(room: Room, m: ChatMessage) -> dict[str, Any]:
    return {"id": m.id, "author_id": m.author_id, "author": room.name(m.author_id),
            "text": None if m.removed_by_id else m.text, "removed": m.removed_by_id is not None,
            "posted_at": m.posted_at.isoformat()}


def standing_in(actor, assembly_id: int, public: bool = True) -> Standing:
    if not getattr(actor, "is_authenticated", False):
        return Standing(False, False, public)
    categories = set(db.session.scalars(select(AssemblySeat.category).where(
        AssemblySeat.assembly_id == assembly_id, AssemblySeat.user_id == actor.id,
        AssemblySeat.withdrawn_at.is_(None))))
    return Standing(bool(categories - {"facilitator"}), "facilitator" in categories, public)


def count_observers(session_id: int) -> int:
    return db.session.scalar(select(func.count(func.distinct(SessionConnection.user_id))).where(
        SessionConnection.session_id == session_id, SessionConnection.observer.is_(True))) or 0


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
        "seats": [{"member_id": uid, "name": room.names[uid]}
                  for uid in sorted(room.seated, key=lambda uid: room.names[uid])],
        "facilitators": [{"member_id": uid, "name": room.names[uid]} for uid in sorted(room.facilitators)],
        "queue": room.queue_state(),
        "timer": room.timer_state(),
        "check": room.check_state(open_check_row(room.id))["check"],
        "results": [{"id": c.id, "label": c.label, "reached": c.reached,
                     "reason": json.loads(c.outcome_json or "{}")["reason"],
                     "tracker": json.loads(c.outcome_json or "{}").get("tracker")} for c in closed],
        "chat": {"locked": room.chat.locked,
                 "messages": [message_dict(room, m) for m in reversed(messages)]},
    }


def amendment_notices(amendment_id: int) -> list[tuple[int, dict[str, Any]]]:
    """(session id, payload) for every open session whose current agenda item is the amendment's
    text: what each room hears when the amendment is proposed."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None:
        return []
    rows = db.session.scalars(select(LiveSession).join(SessionItem).where(
        LiveSession.status == "open", SessionItem.proposal_id == amendment.proposal_id))
    rooms = sorted((Room(r) for r in set(rows)), key=lambda r: r.id)
    return [(r.id, {**r.head(), "amendment": amendment_dict(amendment)})
            for r in rooms if r.item.proposal_id == amendment.proposal_id]


def standings(actor, assembly_ids: Sequence[int]) -> dict[int, Standing]:
    """The actor's standing in each assembly, in one query."""
    categories: dict[int, set[str]] = {a: set() for a in assembly_ids}
    if getattr(actor, "is_authenticated", False) and assembly_ids:
        for assembly_id, category in db.session.execute(select(AssemblySeat.assembly_id, AssemblySeat.category).where(
                AssemblySeat.assembly_id.in_(list(assembly_ids)), AssemblySeat.user_id == actor.id,
                AssemblySeat.withdrawn_at.is_(None))):
            categories.setdefault(assembly_id, set()).add(category)
    return {a: Standing(bool(c - {"facilitator"}), "facilitator" in c, True) for a, c in categories.items()}
