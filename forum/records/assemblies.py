"""Who sits in which assembly: which assembly deliberates an area, its seats, who is seated or facilitates,
and how many voting seats it has now (for permissions, drafting, consensus checks and live sessions)."""
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


def assembly_for_area(area_id: int) -> Assembly | None:
    return db.session.scalar(select(Assembly).where(Assembly.area_id == area_id))


def seats(assembly_id: int) -> list[AssemblySeat]:
    """Current seats (withdrawn members left out), facilitators included."""
    return list(db.session.scalars(
        select(AssemblySeat).where(AssemblySeat.assembly_id == assembly_id, AssemblySeat.withdrawn_at.is_(None))
        .order_by(AssemblySeat.category, AssemblySeat.id)))


def _holds_seat(user, area_id: int, facilitator: bool) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    kind = AssemblySeat.category == "facilitator" if facilitator else AssemblySeat.category != "facilitator"
    return db.session.scalar(
        select(AssemblySeat.id).join(Assembly).where(
            Assembly.area_id == area_id, AssemblySeat.user_id == user.id,
            AssemblySeat.withdrawn_at.is_(None), kind).limit(1)) is not None


def is_seated(user, area_id: int) -> bool:
    """A voting member of the assembly for this area (facilitators facilitate; they do not vote)."""
    return _holds_seat(user, area_id, facilitator=False)


def facilitates(user, area_id: int) -> bool:
    return _holds_seat(user, area_id, facilitator=True)
