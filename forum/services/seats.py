"""An assembly's seats: how many each category has, appointing members to the appointed ones,
and recording that a seated member has stood down."""
from __future__ import annotations

from sqlalchemy import select

from deliberation.errors import Conflict, DomainError
from forum.extensions import db, transaction
from forum.models import AssemblySeat, User
from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import DRAWN_CATEGORIES, SeatPlan
from forum.permissions import require
from forum.records import conventions
from forum.records import draws as records
from forum.records.common import found

CATEGORY_LABELS = {
    "leadership": "Leadership members",
    "affiliate": "Affiliate (trade-union) representatives",
    "sister_organisation": "Representatives of sister organisations in the nations",
    "local_group": "Local-group representatives",
    "individual": "Individual members",
    "facilitator": "Facilitator",
}
MAX_SEATS = 60


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def save_seat_plan(actor, assembly_id: int, counts: dict[str, int]) -> dict[str, int]:
    with transaction():
        require(actor, "manage_draws")
        records.assembly(assembly_id)
        for category in SEAT_CATEGORIES:
            seats = counts.get(category)
            if seats is None or not 0 <= seats <= MAX_SEATS:
                raise DomainError("seats_out_of_range",
                                  f"{category_label(category)}: give a number of seats from 0 to {MAX_SEATS}.")
            row = db.session.scalar(select(SeatPlan).where(SeatPlan.assembly_id == assembly_id,
                                                           SeatPlan.category == category))
            if row is None:
                db.session.add(SeatPlan(assembly_id=assembly_id, category=category, seats=seats))
            else:
                row.seats = seats
    return records.seat_plan(assembly_id)


def _current_seats(assembly_id: int, category: str) -> list[AssemblySeat]:
    return list(db.session.scalars(select(AssemblySeat).where(
        AssemblySeat.assembly_id == assembly_id, AssemblySeat.withdrawn_at.is_(None),
        AssemblySeat.category == category).order_by(AssemblySeat.id)))


def appoint(actor, assembly_id: int, category: str, email: str) -> AssemblySeat:
    with transaction():
        require(actor, "manage_draws")
        assembly = records.assembly(assembly_id)
        if category not in SEAT_CATEGORIES or category in DRAWN_CATEGORIES:
            raise DomainError("not_appointed", "Local-group and individual seats are drawn by lot, not appointed.")
        member = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if member is None:
            raise DomainError("member_not_found", f"No member has the email {email.strip()}.")
        if len(_current_seats(assembly_id, category)) >= records.seat_plan(assembly_id)[category]:
            raise Conflict("category_full", f"All seats for {category_label(category).lower()} are taken.")
        records.refuse_if_seated(assembly.convention_id, member.id)
        seat = AssemblySeat(assembly_id=assembly_id, user_id=member.id, category=category, how="appointed",
                            seated_at=conventions.now())
        db.session.add(seat)
    return seat


def withdraw_seat(actor, seat_id: int) -> AssemblySeat:
    """Record that a seated member has stood down; a drawn seat is then refilled by a replacement draw."""
    with transaction():
        require(actor, "manage_draws")
        seat = found(AssemblySeat, seat_id, "seat_not_found", "There is no such seat.")
        if seat.withdrawn_at is not None:
            raise Conflict("seat_withdrawn", "This member has already stood down.")
        seat.withdrawn_at = conventions.now()
    return seat
