"""Amendments to a version of a text, their votes and their dispositions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

AMENDMENT_KINDS = ("replace_words", "insert_clause", "delete_clause", "move_clause")
AMENDMENT_ORIGINS = ("member", "drafting", "leadership")
AMENDMENT_STATUSES = ("pending", "accepted", "accepted_as_modified", "rejected", "withdrawn")


class Amendment(db.Model):
    """One proposed change, made against `base_version` of a text (see deliberation.texts)."""

    __tablename__ = "amendments"
    __table_args__ = (
        Index("ix_amendments_proposal_status", "proposal_id", "status"),
        Index("ix_amendments_proposal_clause", "proposal_id", "clause_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    base_version: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))  # one of AMENDMENT_KINDS
    origin: Mapped[str] = mapped_column(String(20), default="member")  # one of AMENDMENT_ORIGINS
    clause_key: Mapped[Optional[str]] = mapped_column(String(12))  # the clause changed, deleted or moved
    after_key: Mapped[Optional[str]] = mapped_column(String(12))  # where a clause is inserted or moved to
    start: Mapped[Optional[int]] = mapped_column()  # word span [start, end) for replace_words
    end: Mapped[Optional[int]] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")  # the new words, or the inserted clause
    rationale: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="pending")  # one of AMENDMENT_STATUSES
    disposition_reason: Mapped[Optional[str]] = mapped_column(Text)
    disposed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    disposed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    applied_in_version: Mapped[Optional[int]] = mapped_column()
    # "Accepted as modified": the wording the drafters adopted instead of `text`.
    modified_text: Mapped[Optional[str]] = mapped_column(Text)
    # The word diff of the clause as proposed (JSON list of [op, text]), kept for the record once the
    # text has moved on; pending amendments are re-diffed against the current version on each page.
    ops_json: Mapped[str] = mapped_column(Text, default="[]")
    # Set when an accepted amendment made this one impossible to carry onto the new version: the
    # drafter must look at it again (it is never dropped).
    flag_code: Mapped[Optional[str]] = mapped_column(String(40))
    flag_reason: Mapped[Optional[str]] = mapped_column(Text)
    flagged_by: Mapped[Optional[str]] = mapped_column(String(40))  # e.g. "amendment:12"
    # Kept in step with amendment_votes in the same transaction, so pages sort without a join.
    score: Mapped[int] = mapped_column(default=0)
    ups: Mapped[int] = mapped_column(default=0)
    downs: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    disposed_by = relationship("User", foreign_keys=[disposed_by_id])
    proposal = relationship("Proposal")

    @property
    def ref(self) -> str:
        return f"amendment:{self.id}"

    @property
    def is_disposed(self) -> bool:
        return self.status in ("accepted", "accepted_as_modified", "rejected")


class AmendmentVote(db.Model):
    __tablename__ = "amendment_votes"
    __table_args__ = (
        UniqueConstraint("amendment_id", "user_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
