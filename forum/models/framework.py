"""The convention, its phases and its framework of areas and topics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow


class Convention(db.Model):
    __tablename__ = "conventions"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    support_threshold: Mapped[int] = mapped_column(default=20)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    areas: Mapped[list["Area"]] = relationship(order_by="Area.position", back_populates="convention")
    phases: Mapped[list["Phase"]] = relationship(order_by="Phase.opens_at", back_populates="convention")


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("convention_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)

    convention: Mapped[Convention] = relationship(back_populates="phases")


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("convention_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    convention: Mapped[Convention] = relationship(back_populates="areas")
    topics: Mapped[list["Topic"]] = relationship(order_by="Topic.position", back_populates="area")


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("area_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[Area] = relationship(back_populates="topics")
