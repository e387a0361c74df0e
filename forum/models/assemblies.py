"""Assemblies, one per framework area, and the seats their members hold."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

SEAT_CATEGORIES = ("leadership", "affiliate", "sister_organisation", "local_group", "individual", "facilitator")


class Assembly(db.Model):
    __tablename__ = "assemblies"
    __table_args__ = (UniqueConstraint("convention_id", "area_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area = relationship("Area", lazy="joined")
    seats: Mapped[list["AssemblySeat"]] = relationship(back_populates="assembly", order_by="AssemblySeat.id")


class AssemblySeat(db.Model):
    """A seat held by a member. Facilitators hold a seat of their own category but do not vote."""

    __tablename__ = "assembly_seats"
    __table_args__ = (Index("ix_assembly_seats_assembly_user", "assembly_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))  # one of SEAT_CATEGORIES
    how: Mapped[str] = mapped_column(String(20), default="appointed")  # appointed | drawn
    seated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    assembly: Mapped[Assembly] = relationship(back_populates="seats")
    user = relationship("User", lazy="joined")
