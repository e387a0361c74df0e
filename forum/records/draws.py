"""The draw by lot's rows as the core's values: assemblies, seat plans, characteristics, pools,
quotas and draws, and whether today's pool can meet the quotas.

The seat, pool, draw and draw-page use cases all read through here, so none imports another.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from deliberation import sortition
from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db
from forum.models import Assembly, AssemblySeat, Convention
from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import DRAWN_CATEGORIES, Draw, DrawCharacteristic, DrawQuota, PoolEntry, SeatPlan
from forum.records.common import found

# The seed's composition of each assembly (000): the template an administrator starts from.
DEFAULT_PLAN = {"leadership": 4, "affiliate": 2, "sister_organisation": 1, "local_group": 8, "individual": 4,
                "facilitator": 1}
DEFAULT_CHARACTERISTICS = [
    ("region", ["East Midlands", "East of England", "London", "North East", "North West", "Scotland", "South East",
                "South West", "Wales", "West Midlands", "Yorkshire and the Humber"]),
    ("gender", ["woman", "man", "non-binary", "another gender"]),
    ("ethnicity", ["Asian or Asian British", "Black, African, Caribbean or Black British",
                   "Mixed or multiple ethnic groups", "White", "Another ethnic group"]),
    ("age band", ["18-29", "30-44", "45-64", "65 and over"]),
    ("first-time participant", ["yes", "no"]),
]
LIVE = ("committed", "queued", "running", "done")  # a draw in these states holds its category


def opaque_id(commitment: str, user_id: int) -> str:
    """The name a pool member goes by in a draw's published inputs: an HMAC of the draw's commitment
    and the member's number keyed with the server's secret key, so nobody without that key can link
    an id to a member (a plain hash of public values could be rebuilt by hashing every number). The
    draw keeps its own id -> member mapping, so changing the key later changes no published id."""
    secret = current_app.secret_key
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    key = hmac.new(secret, b"convene-draw-pseudonyms", hashlib.sha256).digest()
    return hmac.new(key, f"{commitment}:{user_id}".encode(), hashlib.sha256).hexdigest()[:12]


# ----- rows by id --------------------------------------------------------------------------------

def assembly(assembly_id: int) -> Assembly:
    return found(Assembly, assembly_id, "assembly_not_found", "There is no such assembly.")


def draw(draw_id: int) -> Draw:
    return found(Draw, draw_id, "draw_not_found", "There is no such draw.")


def drawn_category(category: str) -> str:
    if category not in DRAWN_CATEGORIES:
        raise NotFound("not_a_drawn_category", "Only local-group and individual seats are drawn by lot.")
    return category


def convention_of(row: Assembly) -> Convention:
    return db.session.get(Convention, row.convention_id)


def assemblies(convention_id: int) -> list[Assembly]:
    return list(db.session.scalars(select(Assembly).where(Assembly.convention_id == convention_id)
                                   .order_by(Assembly.id)))


# ----- seats ---------------------------------------------------------------------------------------

def seat_plan(assembly_id: int) -> dict[str, int]:
    return seat_plans([assembly_id])[assembly_id]


def seat_plans(assembly_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each assembly's seats per category (the default plan where none is stored), in one query."""
    stored: dict[int, dict[str, int]] = {i: {} for i in assembly_ids}
    if assembly_ids:
        for r in db.session.scalars(select(SeatPlan).where(SeatPlan.assembly_id.in_(assembly_ids))):
            stored[r.assembly_id][r.category] = r.seats
    return {i: {c: rows.get(c, DEFAULT_PLAN[c]) for c in SEAT_CATEGORIES} for i, rows in stored.items()}


def refuse_if_seated(convention_id: int, user_id: int) -> None:
    """One seat a member per convention: refuse a second, naming the assembly of the first."""
    taken = db.session.scalar(select(Assembly.name).join(AssemblySeat).where(
        Assembly.convention_id == convention_id, AssemblySeat.user_id == user_id,
        AssemblySeat.withdrawn_at.is_(None)).limit(1))
    if taken:
        raise Conflict("already_seated", f"This member already holds a seat in the {taken}.")


# ----- characteristics, pools, quotas ----------------------------------------------------------------

def characteristics(convention_id: int) -> list[sortition.Characteristic]:
    """What the convention asks pool members; the default set until the administrator sets one."""
    rows = list(db.session.scalars(select(DrawCharacteristic).where(DrawCharacteristic.convention_id == convention_id)
                                   .order_by(DrawCharacteristic.position)))
    if not rows:
        return [sortition.Characteristic(n, tuple(v)) for n, v in DEFAULT_CHARACTERISTICS]
    return [sortition.Characteristic(r.name, tuple(json.loads(r.values_json))) for r in rows]


def my_entry(user, convention_id: int) -> PoolEntry | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(PoolEntry).where(PoolEntry.convention_id == convention_id,
                                                     PoolEntry.user_id == user.id))


def features_of(entry: PoolEntry) -> dict[str, str]:
    return json.loads(entry.features_json or "{}")


def pool(assembly_id: int, category: str) -> list[PoolEntry]:
    return list(db.session.scalars(select(PoolEntry).where(PoolEntry.assembly_id == assembly_id,
                                                           PoolEntry.category == category)
                                   .order_by(PoolEntry.id)))


def quotas(assembly_id: int, category: str) -> list[sortition.Quota]:
    rows = db.session.scalars(select(DrawQuota).where(DrawQuota.assembly_id == assembly_id,
                                                      DrawQuota.category == category).order_by(DrawQuota.id))
    return [sortition.Quota(r.characteristic, r.value, r.min, r.max) for r in rows]


def live_draw_exists(assembly_id: int, category: str) -> bool:
    """Whether a seed is committed (or a draw has run) for the category, freezing its pool and quotas."""
    return db.session.scalar(select(Draw.id).where(Draw.assembly_id == assembly_id, Draw.category == category,
                                                   Draw.kind == "draw", Draw.status.in_(LIVE)).limit(1)) is not None


@dataclass
class Preview:
    """Whether the quotas can be met by today's pool, in words, before anything is committed."""

    pool_size: int
    seats: int
    feasible: bool
    problems: list[str]
    changes: list[str]


def preview(assembly_id: int, category: str) -> Preview:
    row = assembly(assembly_id)
    entries = pool(assembly_id, drawn_category(category))
    seats = seat_plan(assembly_id)[category]
    members = [sortition.PoolMember(str(e.user_id), features_of(e)) for e in entries]
    try:
        result = sortition.check_feasibility(members, quotas(assembly_id, category), seats,
                                             characteristics=characteristics(row.convention_id))
    except DomainError as err:  # an empty or too small pool: say so rather than draw
        return Preview(len(entries), seats, False, [err.message], [])
    return Preview(len(entries), seats, result.feasible, [p.message for p in result.problems],
                   [c.message for c in result.changes])
