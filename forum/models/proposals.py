"""Proposals (the texts of a convention), their versions and the clauses of each version."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

proposal_topics = Table(
    "proposal_topics",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Proposal(db.Model):
    """A text: a member's or group's submission, or a text of the convention (composite, interim, final)."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(30), default="submission")  # submission | convention | counter_proposal
    state: Mapped[str] = mapped_column(String(30), default="submission", index=True)
    section: Mapped[Optional[int]] = mapped_column()
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    local_group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("local_groups.id"))
    # a counter-proposal answers this text
    counter_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id"), index=True)
    current_version: Mapped[int] = mapped_column(default=1)
    next_clause_number: Mapped[int] = mapped_column(default=1)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area = relationship("Area", lazy="joined")
    author = relationship("User", lazy="joined")
    local_group = relationship("LocalGroup", lazy="joined")
    topics = relationship("Topic", secondary=proposal_topics, lazy="selectin", order_by="Topic.position")


class ProposalVersion(db.Model):
    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")
    clauses: Mapped[list["VersionClause"]] = relationship(
        order_by="VersionClause.position", lazy="selectin", cascade="all, delete-orphan")


class VersionClause(db.Model):
    """One clause as it reads in one version. `key` is stable across versions of the text."""

    __tablename__ = "version_clauses"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        Index("ix_version_clauses_version_key", "version_id", "key", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    sources_json: Mapped[str] = mapped_column(Text, default="[]")

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def sources(self) -> list[str]:
        return json.loads(self.sources_json)
