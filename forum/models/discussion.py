"""Threaded comments and clarifications, on a whole proposal or on one clause."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_proposal_clause", "proposal_id", "clause_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    clause_key: Mapped[Optional[str]] = mapped_column(String(12))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    author = relationship("User", foreign_keys=[author_id], lazy="joined")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Clarification(db.Model):
    __tablename__ = "clarifications"
    __table_args__ = (Index("ix_clarifications_proposal_score", "proposal_id", "score"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    clause_key: Mapped[Optional[str]] = mapped_column(String(12))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Kept in step with clarification_votes in the same transaction, so pages sort without a join.
    score: Mapped[int] = mapped_column(default=0)
    ups: Mapped[int] = mapped_column(default=0)
    downs: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    proposal = relationship("Proposal")
    answered_by = relationship("User", foreign_keys=[answered_by_id], lazy="joined")


class ClarificationVote(db.Model):
    __tablename__ = "clarification_votes"
    __table_args__ = (
        UniqueConstraint("clarification_id", "user_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clarification_id: Mapped[int] = mapped_column(ForeignKey("clarifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
