"""Read-only listings of members, local groups and affiliates for administrators."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from deliberation.errors import NotFound
from forum.extensions import db
from forum.models import Affiliate, LocalGroup, User
from forum.permissions import require

PAGE_SIZE = 50


@dataclass
class Listing:
    members: list[User]
    total: int
    page: int
    pages: int


def members(query: str = "", page: int = 1) -> Listing:
    stmt = select(User)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    rows = db.session.scalars(stmt.order_by(User.name, User.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return Listing(list(rows), total, page, pages)


def members_for(actor, query: str = "", page: int = 1) -> Listing:
    require(actor, "manage_members")
    return members(query, page)


def member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", "There is no such member.")
    return user


def local_groups() -> list[LocalGroup]:
    return list(db.session.scalars(select(LocalGroup).order_by(LocalGroup.name)))


def local_group(group_id: int) -> LocalGroup:
    group = db.session.get(LocalGroup, group_id)
    if group is None:
        raise NotFound("group_not_found", "There is no such local group.")
    return group


def local_groups_with_counts() -> list[tuple[LocalGroup, int]]:
    rows = db.session.execute(
        select(LocalGroup, func.count(User.id)).outerjoin(User, User.local_group_id == LocalGroup.id)
        .group_by(LocalGroup.id).order_by(LocalGroup.region, LocalGroup.name))
    return [(g, n) for g, n in rows.all()]


def affiliates() -> list[Affiliate]:
    return list(db.session.scalars(select(Affiliate).order_by(Affiliate.kind, Affiliate.name)))
