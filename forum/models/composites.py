"""Composite drafts and the submissions they were built from (clause-level provenance is in
VersionClause.sources_json; this table answers "which submissions fed this draft" in one query)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow


class CompositeSource(db.Model):
    __tablename__ = "composite_sources"
    composite_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True)
    clauses_taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source = relationship("Proposal", foreign_keys=[source_id], lazy="joined")
