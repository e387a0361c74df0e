"""Live assembly sessions: the session row (its core state as JSON), agenda items, open
connections, consensus checks with one row per answer, the speakers called and the chat.

The session row holds what deliberation.sessions stores with `to_dict()` (attendance, queue,
timer, chat switch); answers and messages are rows of their own so that members answering at
the same moment never overwrite each other. `seq` goes up by one on every change: it serialises
writers (the first statement of every change is `UPDATE ... SET seq = seq + 1`) and lets clients
drop an update older than one they already applied.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

SESSION_STATUSES = ("scheduled", "open", "closed")


class LiveSession(db.Model):
    __tablename__ = "live_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # one of SESSION_STATUSES
    seq: Mapped[int] = mapped_column(default=0)
    attendance_json: Mapped[str] = mapped_column(Text, default="{}")  # sessions.Session.to_dict()
    queue_json: Mapped[str] = mapped_column(Text, default="{}")  # sessions.SpeakerQueue.to_dict()
    timer_json: Mapped[str] = mapped_column(Text, default="{}")  # sessions.Timer.to_dict()
    chat_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    scheduled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assembly = relationship("Assembly")
    items: Mapped[list["SessionItem"]] = relationship(
        order_by="SessionItem.position", lazy="selectin", cascade="all, delete-orphan")

    @property
    def room(self) -> str:
        return f"session:{self.id}"


class SessionItem(db.Model):
    """One text on the agenda."""

    __tablename__ = "live_session_items"
    __table_args__ = (UniqueConstraint("session_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))

    proposal = relationship("Proposal")


class SessionConnection(db.Model):
    """One open Socket.IO connection in a session; `worker` names the process that holds it."""

    __tablename__ = "live_session_connections"
    __table_args__ = (Index("ix_live_session_connections_session_user", "session_id", "user_id"),)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    observer: Mapped[bool] = mapped_column(Boolean)
    worker: Mapped[str] = mapped_column(String(40))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionCheck(db.Model):
    """A consensus check on the agenda text or on one amendment of it."""

    __tablename__ = "live_session_checks"
    __table_args__ = (Index("ix_live_session_checks_session_closed", "session_id", "closed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    item: Mapped[int] = mapped_column()  # agenda position, from 0
    subject: Mapped[str] = mapped_column(String(200))  # "text:<id>@<version>" or "amendment:<id>"
    label: Mapped[str] = mapped_column(String(300))  # the subject in words
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    amendment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("amendments.id"))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reached: Mapped[Optional[bool]] = mapped_column(Boolean)
    outcome_json: Mapped[Optional[str]] = mapped_column(Text)  # consensus.CheckOutcome.to_dict()
    # The seated members on the check's roll (present when it opened or arriving while open), kept
    # so that a restart or a dropped connection never shrinks the outcome to who is still connected.
    roll_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CheckAnswer(db.Model):
    __tablename__ = "live_check_answers"
    __table_args__ = (UniqueConstraint("check_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("live_session_checks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    response: Mapped[str] = mapped_column(String(30))  # a sessions.Response value
    reason: Mapped[Optional[str]] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpeakerTurn(db.Model):
    """Someone given the floor, in call order: the minutes' list of speakers."""

    __tablename__ = "live_speaker_turns"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    item: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[Optional[str]] = mapped_column(String(30))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")


class ChatMessage(db.Model):
    __tablename__ = "live_chat_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
