"""The append-only audit trail: who did what to which object, when, from where, chained by hash."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.types import UTCDateTime


class AuditEntry(db.Model):
    """One administrative or moderating action or decision. Rows are only ever inserted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_action_seq", "action", "seq"),
                      Index("ix_audit_entries_proposal_seq", "proposal_id", "seq"))
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))  # "proposal 12", "member 7", "convention 1"
    summary: Mapped[str] = mapped_column(Text)
    before_json: Mapped[Optional[str]] = mapped_column(Text)
    after_json: Mapped[Optional[str]] = mapped_column(Text)
    address: Mapped[Optional[str]] = mapped_column(String(64))
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """The one row every audited transaction updates first: it serialises the chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
