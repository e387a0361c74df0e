"""The draw by lot as stored: seat plans, the characteristics a convention asks for, the pools of
nominees and volunteers, the quotas of each drawn category, and every draw with its commitment."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

DRAWN_CATEGORIES = ("local_group", "individual")
DRAW_STATUSES = ("committed", "queued", "running", "done", "failed")


class SeatPlan(db.Model):
    """How many seats one category of an assembly has; drawn categories are filled by lot."""

    __tablename__ = "seat_plans"
    __table_args__ = (UniqueConstraint("assembly_id", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    seats: Mapped[int] = mapped_column(default=0)


class DrawCharacteristic(db.Model):
    """A self-declared characteristic the convention asks pool members for, with its values."""

    __tablename__ = "draw_characteristics"
    __table_args__ = (UniqueConstraint("convention_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    values_json: Mapped[str] = mapped_column(Text)  # JSON list; "prefer not to say" is always added
    position: Mapped[int] = mapped_column(default=0)


class PoolEntry(db.Model):
    """A nominee (local_group) or volunteer (individual) in one assembly's pool; one entry a person
    per convention. `features_json` holds their self-declared characteristics: private to them and
    to administrators."""

    __tablename__ = "pool_entries"
    __table_args__ = (UniqueConstraint("convention_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))  # one of DRAWN_CATEGORIES
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    local_group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("local_groups.id"))
    nominated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    features_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined", foreign_keys=[user_id])
    assembly = relationship("Assembly", lazy="joined")
    local_group = relationship("LocalGroup", lazy="joined")


class DrawQuota(db.Model):
    """At least `min` and at most `max` seats of a drawn category for one value of a characteristic."""

    __tablename__ = "draw_quotas"
    __table_args__ = (UniqueConstraint("assembly_id", "category", "characteristic", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    characteristic: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(120))
    min: Mapped[int] = mapped_column(default=0)
    max: Mapped[int] = mapped_column(default=0)


class Draw(db.Model):
    """One draw by lot (kind 'draw') or one replacement (kind 'replacement').

    The pool and quotas are frozen in `inputs_json` when the seed is committed; the commitment is
    public from then on, the seed only once the draw has run. `result_json` holds the panel (opaque
    ids), each opaque id's chance, and the quota caps.
    """

    __tablename__ = "draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20), default="draw")  # draw | replacement
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("draws.id"))
    withdrawn_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    seats: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="committed")
    message: Mapped[str] = mapped_column(Text, default="")
    commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(200))  # secret until the draw has run
    inputs_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[Optional[str]] = mapped_column(Text)
    members_json: Mapped[str] = mapped_column(Text, default="{}")  # opaque id -> user id; never published
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    assembly = relationship("Assembly", lazy="joined")
    withdrawn_user = relationship("User", foreign_keys=[withdrawn_user_id])
