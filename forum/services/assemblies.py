"""Who sits in which assembly: the question behind drafting, consensus checks and live sessions."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import Assembly, AssemblySeat


def assembly_for_area(area_id: int) -> Assembly | None:
    return db.session.scalar(select(Assembly).where(Assembly.area_id == area_id))


def seats(assembly_id: int) -> list[AssemblySeat]:
    """Current seats (withdrawn members left out), facilitators included."""
    return list(db.session.scalars(
        select(AssemblySeat).where(AssemblySeat.assembly_id == assembly_id, AssemblySeat.withdrawn_at.is_(None))
        .order_by(AssemblySeat.category, AssemblySeat.id)))


def is_seated(user, area_id: int) -> bool:
    """A voting member of the assembly for this area (facilitators facilitate; they do not vote)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(AssemblySeat.id).join(Assembly).where(
            Assembly.area_id == area_id, AssemblySeat.user_id == user.id,
            AssemblySeat.withdrawn_at.is_(None), AssemblySeat.category != "facilitator").limit(1)) is not None


def facilitates(user, area_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(AssemblySeat.id).join(Assembly).where(
            Assembly.area_id == area_id, AssemblySeat.user_id == user.id,
            AssemblySeat.withdrawn_at.is_(None), AssemblySeat.category == "facilitator").limit(1)) is not None
