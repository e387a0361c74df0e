"""Assemblies and their seats as the tracker pages need them: which assembly deliberates an area,
and how many voting seats it has now."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Assembly, AssemblySeat


def names_by_area(convention_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(Assembly.area_id, Assembly.name).where(
        Assembly.convention_id == convention_id)).all())


def voting_seats(area_id: int) -> int:
    """Seats still held in the area's assembly, facilitators not counted."""
    return db.session.scalar(select(func.count()).select_from(AssemblySeat).join(Assembly).where(
        Assembly.area_id == area_id, AssemblySeat.withdrawn_at.is_(None),
        AssemblySeat.category != "facilitator")) or 0
