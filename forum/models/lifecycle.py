"""The lifecycle of texts: supports, the tracker's recorded transitions, the convention's rules,
who follows which text and what they are told about it."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

DIGEST_CHOICES = ("daily", "weekly", "never", "off")  # off: no e-mail at all, the app only


class Support(db.Model):
    """One member backing one individual submission; the unique pair is the one support."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")


class Transition(db.Model):
    """One step in a text's history as the tracker recorded it (from_state None: the text began)."""

    __tablename__ = "transitions"
    __table_args__ = (Index("ix_transitions_proposal_at", "proposal_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    from_state: Mapped[Optional[str]] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    event: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    evidence_json: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="")

    actor = relationship("User", lazy="joined")

    @property
    def evidence(self) -> dict[str, Any]:
        return json.loads(self.evidence_json)

    @property
    def moved(self) -> bool:
        return self.from_state != self.to_state


class ConventionRules(db.Model):
    """The consensus thresholds of a convention (the support threshold lives on the convention)."""

    __tablename__ = "convention_rules"
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), primary_key=True)
    quorum_fraction: Mapped[float] = mapped_column(Float, default=0.5)
    agreement_threshold: Mapped[float] = mapped_column(Float, default=0.75)
    blocks_stop: Mapped[bool] = mapped_column(Boolean, default=True)
    stand_asides_count: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    silent_counts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "proposal_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """Something a member should hear about; `immediate` ones are mailed at once, others in a digest."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300), default="")
    immediate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    emailed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal", lazy="joined")


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(10), default="daily")  # one of DIGEST_CHOICES
    last_digest_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
