"""Assemblies seated by lot: seat plans, pools of nominees and volunteers, quotas, committed seeds,
draws run off the request thread, replacements, and what each reader may see of them.

The draw itself is deliberation.sortition; this module stores its inputs and results. Pool members
are published only under opaque ids (sha256 of the draw's commitment and the member's id), so the
re-run inputs carry characteristics but no names.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from flask import current_app
from sqlalchemy import select

from deliberation import phases, sortition
from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from forum.extensions import db, socketio, transaction
from forum.models import Assembly, AssemblySeat, Convention, User
from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import DRAWN_CATEGORIES, Draw, DrawCharacteristic, DrawQuota, PoolEntry, SeatPlan
from forum.permissions import require
from forum.records import conventions

log = logging.getLogger(__name__)

CATEGORY_LABELS = {
    "leadership": "Leadership members",
    "affiliate": "Affiliate (trade-union) representatives",
    "sister_organisation": "Representatives of sister organisations in the nations",
    "local_group": "Local-group representatives",
    "individual": "Individual members",
    "facilitator": "Facilitator",
}
# The seed's composition of each assembly (000): the template an administrator starts from.
DEFAULT_PLAN = {"leadership": 4, "affiliate": 2, "sister_organisation": 1, "local_group": 8, "individual": 4,
                "facilitator": 1}
MAX_SEATS = 60
DEFAULT_CHARACTERISTICS = [
    ("region", ["East Midlands", "East of England", "London", "North East", "North West", "Scotland", "South East",
                "South West", "Wales", "West Midlands", "Yorkshire and the Humber"]),
    ("gender", ["woman", "man", "non-binary", "another gender"]),
    ("ethnicity", ["Asian or Asian British", "Black, African, Caribbean or Black British",
                   "Mixed or multiple ethnic groups", "White", "Another ethnic group"]),
    ("age band", ["18-29", "30-44", "45-64", "65 and over"]),
    ("first-time participant", ["yes", "no"]),
]
SUPPRESS_BELOW = 5
LIVE = ("committed", "queued", "running", "done")


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def opaque_id(commitment: str, user_id: int) -> str:
    """The name a pool member goes by in published inputs: unlinkable to them without the mapping."""
    return hashlib.sha256(f"{commitment}:{user_id}".encode()).hexdigest()[:12]


def suppressed(count: int) -> str:
    return f"fewer than {SUPPRESS_BELOW}" if 0 < count < SUPPRESS_BELOW else str(count)


# ----- loading ------------------------------------------------------------------------------

def _assembly(assembly_id: int) -> Assembly:
    assembly = db.session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound("assembly_not_found", "There is no such assembly.")
    return assembly


def _draw(draw_id: int) -> Draw:
    row = db.session.get(Draw, draw_id)
    if row is None:
        raise NotFound("draw_not_found", "There is no such draw.")
    return row


def _drawn_category(category: str) -> str:
    if category not in DRAWN_CATEGORIES:
        raise NotFound("not_a_drawn_category", "Only local-group and individual seats are drawn by lot.")
    return category


def assemblies(convention_id: int) -> list[Assembly]:
    return list(db.session.scalars(select(Assembly).where(Assembly.convention_id == convention_id)
                                   .order_by(Assembly.id)))


# ----- characteristics ------------------------------------------------------------------------

def characteristics(convention_id: int) -> list[sortition.Characteristic]:
    """What the convention asks pool members; the default set until the administrator sets one."""
    rows = list(db.session.scalars(select(DrawCharacteristic).where(DrawCharacteristic.convention_id == convention_id)
                                   .order_by(DrawCharacteristic.position)))
    if not rows:
        return [sortition.Characteristic(n, tuple(v)) for n, v in DEFAULT_CHARACTERISTICS]
    return [sortition.Characteristic(r.name, tuple(json.loads(r.values_json))) for r in rows]


def parse_characteristics(text: str) -> list[tuple[str, list[str]]]:
    """'name: value, value' a line, as the administrator's form sends it."""
    parsed = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, values = line.partition(":")
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not name.strip() or not items:
            raise DomainError("characteristic_unreadable",
                              f"Line {number} should read 'name: value, value, ...' with at least one value.")
        parsed.append((name.strip().lower()[:60], [v[:120] for v in items]))
    if not parsed:
        raise DomainError("no_characteristics", "List at least one characteristic.")
    return parsed


def save_characteristics(actor, convention_id: int, text: str) -> list[sortition.Characteristic]:
    with transaction():
        require(actor, "manage_draws")
        parsed = parse_characteristics(text)
        chars = [sortition.Characteristic(n, tuple(v)) for n, v in parsed]  # refuses a value listed twice
        if len({c.name for c in chars}) != len(chars):
            raise DomainError("duplicate_characteristic", "A characteristic is listed twice.")
        if db.session.scalar(select(PoolEntry.id).where(PoolEntry.convention_id == convention_id).limit(1)):
            raise Conflict("characteristics_in_use",
                           "Members have already joined a pool with the current characteristics; "
                           "they cannot change until the pools are empty.")
        db.session.execute(DrawCharacteristic.__table__.delete().where(
            DrawCharacteristic.convention_id == convention_id))
        for position, c in enumerate(chars):
            values = [v for v in c.values if v != sortition.PREFER_NOT_TO_SAY]
            db.session.add(DrawCharacteristic(convention_id=convention_id, name=c.name, values_json=json.dumps(values),
                                              position=position))
    return chars


def _clean_features(chars: list[sortition.Characteristic], raw: dict[str, str]) -> dict[str, str]:
    """Every characteristic the convention asks for, each a value on its list."""
    known = {c.name: c for c in chars}
    for name in raw:
        if name not in known:
            raise DomainError("unknown_characteristic", f"'{name}' is not one of the characteristics asked for.")
    features = {}
    for c in chars:
        value = (raw.get(c.name) or sortition.PREFER_NOT_TO_SAY).strip()
        if value not in c.values:
            raise DomainError("unknown_value", f"'{value}' is not on the list of values for {c.name}.",
                              characteristic=c.name, value=value)
        features[c.name] = value
    return features


# ----- seat plans and appointed seats ----------------------------------------------------------

def seat_plan(assembly_id: int) -> dict[str, int]:
    rows = {r.category: r.seats for r in db.session.scalars(select(SeatPlan).where(SeatPlan.assembly_id == assembly_id))}
    return {c: rows.get(c, DEFAULT_PLAN[c]) for c in SEAT_CATEGORIES}


def save_seat_plan(actor, assembly_id: int, counts: dict[str, int]) -> dict[str, int]:
    with transaction():
        require(actor, "manage_draws")
        _assembly(assembly_id)
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
    return seat_plan(assembly_id)


def _current_seats(assembly_id: int, category: str | None = None) -> list[AssemblySeat]:
    query = select(AssemblySeat).where(AssemblySeat.assembly_id == assembly_id, AssemblySeat.withdrawn_at.is_(None))
    if category:
        query = query.where(AssemblySeat.category == category)
    return list(db.session.scalars(query.order_by(AssemblySeat.id)))


def appoint(actor, assembly_id: int, category: str, email: str) -> AssemblySeat:
    with transaction():
        require(actor, "manage_draws")
        assembly = _assembly(assembly_id)
        if category not in SEAT_CATEGORIES or category in DRAWN_CATEGORIES:
            raise DomainError("not_appointed", "Local-group and individual seats are drawn by lot, not appointed.")
        member = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if member is None:
            raise DomainError("member_not_found", f"No member has the email {email.strip()}.")
        if len(_current_seats(assembly_id, category)) >= seat_plan(assembly_id)[category]:
            raise Conflict("category_full", f"All seats for {category_label(category).lower()} are taken.")
        _refuse_if_seated(assembly.convention_id, member.id)
        seat = AssemblySeat(assembly_id=assembly_id, user_id=member.id, category=category, how="appointed",
                            seated_at=conventions.now())
        db.session.add(seat)
    return seat


def _refuse_if_seated(convention_id: int, user_id: int) -> None:
    taken = db.session.scalar(select(Assembly.name).join(AssemblySeat).where(
        Assembly.convention_id == convention_id, AssemblySeat.user_id == user_id,
        AssemblySeat.withdrawn_at.is_(None)).limit(1))
    if taken:
        raise Conflict("already_seated", f"This member already holds a seat in the {taken}.")


def withdraw_seat(actor, seat_id: int) -> AssemblySeat:
    """Record that a seated member has stood down; a drawn seat is then refilled by a replacement draw."""
    with transaction():
        require(actor, "manage_draws")
        seat = db.session.get(AssemblySeat, seat_id)
        if seat is None:
            raise NotFound("seat_not_found", "There is no such seat.")
        if seat.withdrawn_at is not None:
            raise Conflict("seat_withdrawn", "This member has already stood down.")
        seat.withdrawn_at = conventions.now()
    return seat


# ----- the pools ---------------------------------------------------------------------------------

def my_entry(user, convention_id: int) -> PoolEntry | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(PoolEntry).where(PoolEntry.convention_id == convention_id,
                                                     PoolEntry.user_id == user.id))


def features_of(entry: PoolEntry) -> dict[str, str]:
    return json.loads(entry.features_json or "{}")


def _add_entry(assembly: Assembly, category: str, member: User, features: dict[str, str], nominator=None) -> PoolEntry:
    _refuse_if_seated(assembly.convention_id, member.id)
    if db.session.scalar(select(PoolEntry.id).where(PoolEntry.convention_id == assembly.convention_id,
                                                    PoolEntry.user_id == member.id)):
        raise Conflict("already_in_pool", f"{member.name} is already in a pool of this convention: "
                                          "each member enters one pool once.")
    entry = PoolEntry(convention_id=assembly.convention_id, assembly_id=assembly.id, category=category,
                      user_id=member.id, local_group_id=member.local_group_id if category == "local_group" else None,
                      nominated_by_id=nominator.id if nominator else None, features_json=json.dumps(features),
                      created_at=conventions.now())
    db.session.add(entry)
    return entry


def nominate(actor, assembly_id: int, nominee_email: str, raw_features: dict[str, str] | None = None) -> PoolEntry:
    """A local group's representative nominates one of its members (or themself) into the pool."""
    with transaction():
        assembly = _assembly(assembly_id)
        require(actor, "nominate")
        conventions.require_phase(_convention(assembly), phases.Action.NOMINATE)
        nominee = db.session.scalar(select(User).where(User.email == (nominee_email or "").strip().lower()))
        if nominee is None:
            raise DomainError("member_not_found", f"No member has the email {(nominee_email or '').strip()}.")
        if nominee.local_group_id != actor.local_group_id:
            raise NotAllowed("not_your_group", "You can nominate only members of your own local group.")
        chars = characteristics(assembly.convention_id)
        raw = dict(raw_features or {})
        if nominee.local_group and "region" in {c.name for c in chars} and not raw.get("region"):
            region = nominee.local_group.region
            if region in next(c for c in chars if c.name == "region").values:
                raw["region"] = region
        entry = _add_entry(assembly, "local_group", nominee, _clean_features(chars, raw), nominator=actor)
    return entry


def volunteer(actor, assembly_id: int, raw_features: dict[str, str]) -> PoolEntry:
    """A member offers to be drawn as an individual member of one assembly."""
    with transaction():
        assembly = _assembly(assembly_id)
        require(actor, "volunteer")
        conventions.require_phase(_convention(assembly), phases.Action.VOLUNTEER)
        entry = _add_entry(assembly, "individual", actor,
                           _clean_features(characteristics(assembly.convention_id), raw_features))
    return entry


def declare(actor, convention_id: int, raw_features: dict[str, str]) -> PoolEntry:
    """A pool member updates the characteristics they declare (a nominee declares their own)."""
    with transaction():
        entry = my_entry(actor, convention_id)
        if entry is None:
            raise NotFound("no_entry", "You are not in a pool.")
        conventions.require_phase(db.session.get(Convention, convention_id), phases.Action.VOLUNTEER)
        entry.features_json = json.dumps(_clean_features(characteristics(convention_id), raw_features))
    return entry


def withdraw_entry(actor, convention_id: int) -> None:
    with transaction():
        entry = my_entry(actor, convention_id)
        if entry is None:
            raise NotFound("no_entry", "You are not in a pool.")
        conventions.require_phase(db.session.get(Convention, convention_id), phases.Action.VOLUNTEER)
        db.session.delete(entry)


def pool(assembly_id: int, category: str) -> list[PoolEntry]:
    return list(db.session.scalars(select(PoolEntry).where(PoolEntry.assembly_id == assembly_id,
                                                           PoolEntry.category == category)
                                   .order_by(PoolEntry.id)))


def _convention(assembly: Assembly) -> Convention:
    return db.session.get(Convention, assembly.convention_id)


# ----- quotas ------------------------------------------------------------------------------------

def quotas(assembly_id: int, category: str) -> list[sortition.Quota]:
    rows = db.session.scalars(select(DrawQuota).where(DrawQuota.assembly_id == assembly_id,
                                                      DrawQuota.category == category).order_by(DrawQuota.id))
    return [sortition.Quota(r.characteristic, r.value, r.min, r.max) for r in rows]


def save_quotas(actor, assembly_id: int, category: str,
                rows: list[tuple[str, str, int | None, int | None]]) -> list[sortition.Quota]:
    """Replace the category's quotas. A row with neither bound is no quota; a missing minimum is 0,
    a missing maximum is every seat."""
    with transaction():
        require(actor, "manage_draws")
        assembly = _assembly(assembly_id)
        _drawn_category(category)
        if db.session.scalar(select(Draw.id).where(Draw.assembly_id == assembly_id, Draw.category == category,
                                                   Draw.kind == "draw", Draw.status.in_(LIVE)).limit(1)):
            raise Conflict("draw_committed", "A seed is already committed for this category: its quotas are fixed.")
        seats = seat_plan(assembly_id)[category]
        known = {c.name: c for c in characteristics(assembly.convention_id)}
        result = []
        for name, value, low, high in rows:
            if low is None and high is None:
                continue
            if name not in known or value not in known[name].values:
                raise DomainError("unknown_value", f"'{value}' is not on the list of values for {name}.")
            low = 0 if low is None else low
            high = seats if high is None else high
            if low < 0 or high < 0:
                raise DomainError("quota_negative", f"The quota for {name} {value} cannot be negative.")
            if low > high:
                raise DomainError("quota_min_above_max", f"The quota for {name} {value} asks for at least {low} "
                                                         f"but at most {high} seats.")
            if low > seats:
                raise DomainError("quota_min_above_seats", f"The quota for {name} {value} asks for at least {low} "
                                                           f"seats, but there are only {seats}.")
            result.append(sortition.Quota(name, value, low, high))
        db.session.execute(DrawQuota.__table__.delete().where(DrawQuota.assembly_id == assembly_id,
                                                              DrawQuota.category == category))
        for q in result:
            db.session.add(DrawQuota(assembly_id=assembly_id, category=category, characteristic=q.characteristic,
                                     value=q.value, min=q.min, max=q.max))
    return result


@dataclass
class Preview:
    """Whether the quotas can be met by today's pool, in words, before anything is committed."""

    pool_size: int
    seats: int
    feasible: bool
    problems: list[str]
    changes: list[str]


def preview(assembly_id: int, category: str) -> Preview:
    assembly = _assembly(assembly_id)
    entries = pool(assembly_id, _drawn_category(category))
    seats = seat_plan(assembly_id)[category]
    members = [sortition.PoolMember(str(e.user_id), features_of(e)) for e in entries]
    try:
        result = sortition.check_feasibility(members, quotas(assembly_id, category), seats,
                                             characteristics=characteristics(assembly.convention_id))
    except DomainError as err:  # an empty or too small pool: say so rather than draw
        return Preview(len(entries), seats, False, [err.message], [])
    return Preview(len(entries), seats, result.feasible, [p.message for p in result.problems],
                   [c.message for c in result.changes])


# ----- committing a seed and drawing ---------------------------------------------------------------

def _inputs(commitment: str, chars, entries: list[PoolEntry], quota_list, seats: int) -> tuple[dict, dict]:
    members = {opaque_id(commitment, e.user_id): e.user_id for e in entries}
    inputs = {
        "algorithm": sortition.ALGORITHM,
        "seats": seats,
        "characteristics": [{"name": c.name, "values": list(c.values)} for c in chars],
        "quotas": [{"characteristic": q.characteristic, "value": q.value, "min": q.min, "max": q.max}
                   for q in quota_list],
        "pool": sorted(({"id": opaque_id(commitment, e.user_id), "features": features_of(e)} for e in entries),
                       key=lambda m: m["id"]),
    }
    return inputs, members


def _seed(seed: str | None) -> str:
    seed = (seed or "").strip()
    if len(seed) > 200:
        raise DomainError("seed_too_long", "A seed has at most 200 characters.")
    return seed or secrets.token_hex(16)


def commit_seed(actor, assembly_id: int, category: str, seed: str | None = None) -> Draw:
    """Freeze the pool and quotas and publish the seed's commitment; the seed stays with the administrators."""
    with transaction():
        require(actor, "manage_draws")
        assembly = _assembly(assembly_id)
        _drawn_category(category)
        if db.session.scalar(select(Draw.id).where(Draw.assembly_id == assembly_id, Draw.category == category,
                                                   Draw.kind == "draw", Draw.status.in_(LIVE)).limit(1)):
            raise Conflict("draw_exists", "This category already has a committed draw; a withdrawn seat is "
                                          "refilled by a replacement draw.")
        seats = seat_plan(assembly_id)[category]
        chars = characteristics(assembly.convention_id)
        entries = pool(assembly_id, category)
        quota_list = quotas(assembly_id, category)
        members = [sortition.PoolMember(str(e.user_id), features_of(e)) for e in entries]
        feasibility = sortition.check_feasibility(members, quota_list, seats, characteristics=chars)
        if not feasibility.feasible:
            raise DomainError("quotas_infeasible", feasibility.message)
        seed = _seed(seed)
        commitment = sortition.commit(seed)
        inputs, mapping = _inputs(commitment, chars, entries, quota_list, seats)
        row = Draw(assembly_id=assembly_id, category=category, kind="draw", seats=seats, status="committed",
                   commitment=commitment, seed=seed, inputs_json=json.dumps(inputs, sort_keys=True),
                   members_json=json.dumps(mapping), created_by_id=actor.id, committed_at=conventions.now())
        db.session.add(row)
    return row


def _current_panel(parent: Draw) -> list[str]:
    """The parent draw's panel with every replacement since applied, as opaque ids."""
    panel = list(json.loads(parent.result_json)["panel"])
    replacements = db.session.scalars(select(Draw).where(Draw.parent_id == parent.id, Draw.status == "done")
                                      .order_by(Draw.id))
    for r in replacements:
        result = json.loads(r.result_json)
        panel = list(result["panel"])
    return panel


def commit_replacement(actor, seat_id: int, seed: str | None = None) -> Draw:
    """Commit a seed to refill a withdrawn drawn seat from the same pool, within the same quotas."""
    with transaction():
        require(actor, "manage_draws")
        seat = db.session.get(AssemblySeat, seat_id)
        if seat is None:
            raise NotFound("seat_not_found", "There is no such seat.")
        if seat.how != "drawn" or seat.withdrawn_at is None:
            raise DomainError("seat_not_vacant", "Only a drawn seat whose member has stood down is refilled by lot.")
        parent = db.session.scalar(select(Draw).where(Draw.assembly_id == seat.assembly_id,
                                                      Draw.category == seat.category, Draw.kind == "draw",
                                                      Draw.status == "done"))
        if parent is None:
            raise DomainError("no_draw", "This seat was not filled by a recorded draw.")
        if db.session.scalar(select(Draw.id).where(Draw.parent_id == parent.id, Draw.withdrawn_user_id == seat.user_id,
                                                   Draw.status.in_(LIVE)).limit(1)):
            raise Conflict("replacement_exists", "A replacement for this seat is already committed.")
        mapping = json.loads(parent.members_json)
        withdrawn = opaque_id(parent.commitment, seat.user_id)
        base = json.loads(parent.inputs_json)
        panel = _current_panel(parent)
        members, quota_list, chars = _core_inputs(base)
        # Refused now, before any seed is committed, if nobody can take the seat.
        candidates = sortition.replacement_candidates(members, quota_list, base["seats"], panel, withdrawn,
                                                      characteristics=chars)
        seated_elsewhere = _seated_user_ids(seat.assembly.convention_id)
        if not [c for c in candidates if mapping.get(c) not in seated_elsewhere]:
            raise DomainError("pool_exhausted", "Nobody left in the pool can take this seat without breaking a quota.")
        seed = _seed(seed)
        inputs = dict(base, panel=panel, withdrawn=withdrawn,
                      unavailable=sorted(c for c in candidates if mapping.get(c) in seated_elsewhere))
        row = Draw(assembly_id=seat.assembly_id, category=seat.category, kind="replacement", parent_id=parent.id,
                   withdrawn_user_id=seat.user_id, seats=base["seats"], status="committed",
                   commitment=sortition.commit(seed), seed=seed, inputs_json=json.dumps(inputs, sort_keys=True),
                   members_json=parent.members_json, created_by_id=actor.id, committed_at=conventions.now())
        db.session.add(row)
    return row


def _seated_user_ids(convention_id: int) -> set[int]:
    return set(db.session.scalars(select(AssemblySeat.user_id).join(Assembly).where(
        Assembly.convention_id == convention_id, AssemblySeat.withdrawn_at.is_(None))))


def _core_inputs(inputs: dict):
    members = [sortition.PoolMember(m["id"], m["features"]) for m in inputs["pool"]]
    quota_list = [sortition.Quota(q["characteristic"], q["value"], q["min"], q["max"]) for q in inputs["quotas"]]
    chars = [sortition.Characteristic(c["name"], tuple(c["values"])) for c in inputs["characteristics"]]
    return members, quota_list, chars


def start_draw(actor, draw_id: int, seed: str | None = None) -> Draw:
    """Queue a committed draw and run it in the background; the page follows its status.

    A seed typed in now must match the commitment published earlier."""
    with transaction():
        require(actor, "manage_draws")
        row = _draw(draw_id)
        if row.status != "committed":
            raise Conflict("draw_not_committed", "This draw has already been started.")
        if seed and sortition.commit(seed.strip()) != row.commitment:
            raise DomainError("seed_mismatch", "This seed does not match the commitment published for the draw.")
        row.status = "queued"
    app = current_app._get_current_object()
    socketio.start_background_task(_run_in_app, app, draw_id)
    return row


def _run_in_app(app, draw_id: int) -> None:
    with app.app_context():
        run_draw(draw_id)


def run_draw(draw_id: int) -> Draw:
    """Run the draw (the background task, and the demo loader, call this), seat the panel, record the outcome."""
    with transaction():
        row = _draw(draw_id)
        row.status = "running"
        row.started_at = conventions.now()
    try:
        with transaction():
            result = compute(json.loads(row.inputs_json), row.seed)
            mapping = json.loads(row.members_json)
            chosen = [result["chosen"]] if row.kind == "replacement" else result["panel"]
            for opaque in chosen:
                user_id = mapping[opaque]
                _refuse_if_seated(row.assembly.convention_id, user_id)
                db.session.add(AssemblySeat(assembly_id=row.assembly_id, user_id=user_id, category=row.category,
                                            how="drawn", seated_at=conventions.now()))
            row.result_json = json.dumps(result, sort_keys=True)
            row.status, row.message, row.finished_at = "done", "", conventions.now()
    except DomainError as err:
        with transaction():
            row = _draw(draw_id)
            row.status, row.message, row.finished_at = "failed", err.message, conventions.now()
    except Exception:  # the draw must end in a recorded status, never hang at "running"
        log.exception("draw %s failed", draw_id)
        with transaction():
            row = _draw(draw_id)
            row.status, row.finished_at = "failed", conventions.now()
            row.message = "The draw failed on our side; nothing was seated. Start it again."
    return row


def compute(inputs: dict, seed: str) -> dict:
    """The outcome of a draw or replacement from its published inputs: what verification re-runs."""
    members, quota_list, chars = _core_inputs(inputs)
    if "withdrawn" in inputs:
        unavailable = set(inputs.get("unavailable", []))
        pool_left = [m for m in members if m.id not in unavailable]
        chosen = sortition.replace(pool_left, quota_list, inputs["seats"], inputs["panel"], inputs["withdrawn"], seed,
                                   characteristics=chars)
        panel = sorted([i for i in inputs["panel"] if i != inputs["withdrawn"]] + [chosen])
        return {"chosen": chosen, "panel": panel}
    result = sortition.draw(members, quota_list, inputs["seats"], seed, characteristics=chars)
    return {
        "panel": list(result.panel),
        "probabilities": {k: round(v, 9) for k, v in sorted(result.probabilities.items())},
        "caps": {k: {"characteristic": c.characteristic, "value": c.value, "max": c.max, "holders": c.holders,
                     "message": c.message} for k, c in sorted(result.caps.items())},
    }


def published_inputs(draw_id: int) -> dict:
    """The downloadable inputs: everything needed to re-run the draw, under opaque ids, no names."""
    row = _draw(draw_id)
    inputs = json.loads(row.inputs_json)
    body = {"draw": row.id, "kind": row.kind, "assembly": row.assembly.name, "category": row.category,
            "commitment": row.commitment, "committed_at": row.committed_at.isoformat(), **inputs}
    if row.status == "done":
        result = json.loads(row.result_json)
        body["seed"] = row.seed
        if row.kind == "replacement":
            body["chosen"], body["panel_after"] = result["chosen"], result["panel"]
        else:
            body["panel"] = result["panel"]
    return body


# ----- verification --------------------------------------------------------------------------------

@dataclass
class Verification:
    draw_id: int
    matches: bool
    panel: list[str]
    published: list[str]
    commitment_ok: bool


def verify(draw_id: int) -> Verification:
    row = _draw(draw_id)
    if row.status != "done":
        raise DomainError("draw_not_done", "Only a draw that has run can be verified.")
    from deliberation.sortition_verify import verify as verify_inputs
    outcome = verify_inputs(published_inputs(draw_id))
    return Verification(row.id, outcome.matches, outcome.panel, outcome.published, outcome.commitment_ok)


# ----- what readers see ---------------------------------------------------------------------------

@dataclass
class AssemblyPage:
    assembly: Assembly
    plan: dict[str, int]
    seats: dict[str, list[AssemblySeat]]
    history: list[AssemblySeat]
    draws: list[Draw]


def assembly_page(assembly_id: int) -> AssemblyPage:
    assembly = _assembly(assembly_id)
    all_seats = list(db.session.scalars(select(AssemblySeat).where(AssemblySeat.assembly_id == assembly_id)
                                        .order_by(AssemblySeat.seated_at, AssemblySeat.id)))
    current: dict[str, list[AssemblySeat]] = {c: [] for c in SEAT_CATEGORIES}
    for seat in all_seats:
        if seat.withdrawn_at is None:
            current.setdefault(seat.category, []).append(seat)
    draws = list(db.session.scalars(select(Draw).where(Draw.assembly_id == assembly_id).order_by(Draw.id)))
    return AssemblyPage(assembly, seat_plan(assembly_id), current, all_seats, draws)


@dataclass
class DrawPage:
    draw: Draw
    seed_visible: bool
    panel: list[AssemblySeat]
    stats: list[tuple[str, list[tuple[str, str]]]]
    quartiles: list[tuple[str, float]]
    histogram: list[dict]
    caps: list[dict]
    mine: dict | None
    pool_size: int
    replacement: dict | None = None
    verify_command: str = ""
    admin: bool = False
    quotas: list[dict] = field(default_factory=list)


def draw_page(draw_id: int, viewer) -> DrawPage:
    row = _draw(draw_id)
    inputs = json.loads(row.inputs_json)
    result = json.loads(row.result_json) if row.result_json else None
    mapping = json.loads(row.members_json)
    by_user = {v: k for k, v in mapping.items()}
    admin = bool(getattr(viewer, "is_authenticated", False) and viewer.has_role("admin"))
    stats = []
    for c in inputs["characteristics"]:
        counts = {v: 0 for v in c["values"]}
        for m in inputs["pool"]:
            counts[m["features"].get(c["name"], sortition.PREFER_NOT_TO_SAY)] += 1
        stats.append((c["name"], [(v, suppressed(n)) for v, n in counts.items()]))
    panel_seats = []
    if result:
        chosen_ids = {mapping[i] for i in ([result["chosen"]] if row.kind == "replacement" else result["panel"])}
        panel_seats = list(db.session.scalars(select(AssemblySeat).where(
            AssemblySeat.assembly_id == row.assembly_id, AssemblySeat.category == row.category,
            AssemblySeat.how == "drawn", AssemblySeat.user_id.in_(chosen_ids))))
    quartiles, histogram, caps = [], [], []
    parent_result = result
    if row.kind == "replacement" and row.parent_id:
        parent = db.session.get(Draw, row.parent_id)
        parent_result = json.loads(parent.result_json) if parent and parent.result_json else None
    if result and row.kind == "draw":
        probabilities = sorted(result["probabilities"].values())
        quartiles = _quartiles(probabilities)
        histogram = _histogram(probabilities)
        average = row.seats / max(1, len(inputs["pool"]))
        caps = _public_caps({k: c for k, c in result["caps"].items()
                             if result["probabilities"].get(k, average) < average - 1e-6})
    mine = None
    if getattr(viewer, "is_authenticated", False) and viewer.id in by_user:
        opaque = by_user[viewer.id]
        mine = {"opaque": opaque, "features": next((m["features"] for m in inputs["pool"] if m["id"] == opaque), {})}
        if parent_result and "probabilities" in parent_result:
            mine["chance"] = parent_result["probabilities"].get(opaque)
            cap = parent_result["caps"].get(opaque)
            mine["cap"] = cap["message"] if cap else None
        if result:
            mine["seated"] = opaque in result["panel"]
            mine["seated_here"] = opaque == result.get("chosen", opaque) and mine["seated"]
    replacement = None
    if row.kind == "replacement":
        replacement = {"withdrawn": row.withdrawn_user.name if row.withdrawn_user else "",
                       "parent_id": row.parent_id}
    return DrawPage(row, row.status == "done" or admin, panel_seats, stats, quartiles, histogram, caps, mine,
                    len(inputs["pool"]), replacement, f"flask --app wsgi draws verify {row.id}", admin,
                    inputs["quotas"])


def status(draw_id: int) -> dict:
    row = _draw(draw_id)
    return {"id": row.id, "status": row.status, "message": row.message,
            "label": STATUS_LABELS[row.status]}


STATUS_LABELS = {
    "committed": "Seed committed; the draw has not started.",
    "queued": "Queued: the draw will start in a moment.",
    "running": "Running: computing the fairest lottery the quotas allow and drawing from it.",
    "done": "Done: the panel is seated.",
    "failed": "Failed: nothing was seated.",
}


def _quartiles(values: list[float]) -> list[tuple[str, float]]:
    summary = sortition.summarise(values) if values else None  # the core's own quartiles
    if summary is None:
        return []
    return [("Lowest", summary.minimum), ("Lower quartile", summary.lower_quartile), ("Median", summary.median),
            ("Upper quartile", summary.upper_quartile), ("Highest", summary.maximum)]


def _histogram(values: list[float], bins: int = 5) -> list[dict]:
    """Counts of pool members by chance of selection, in equal bands; small counts suppressed."""
    if not values:
        return []
    values = [round(v, 4) for v in values]  # solver noise must not split equal chances into bands
    low, high = values[0], values[-1]
    if high - low < 0.0005:
        return [{"label": f"{low:.1%}", "count": suppressed(len(values)), "width": 20}]
    step = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / step))] += 1
    most = max(counts)
    return [{"label": f"{low + i * step:.1%} to {low + (i + 1) * step:.1%}", "count": suppressed(n),
             "width": round(20 * n / most) if n >= SUPPRESS_BELOW else 0} for i, n in enumerate(counts)]


def _public_caps(caps: dict) -> list[dict]:
    """Which quotas hold chances down, counted without naming anyone."""
    grouped: dict[tuple[str, str], dict] = {}
    for cap in caps.values():
        key = (cap["characteristic"], cap["value"])
        entry = grouped.setdefault(key, {"characteristic": cap["characteristic"], "value": cap["value"],
                                         "max": cap["max"], "people": 0})
        entry["people"] += 1
    for entry in grouped.values():
        entry["people"] = suppressed(entry["people"])
    return sorted(grouped.values(), key=lambda e: (e["characteristic"], e["value"]))


@dataclass
class CategoryAdmin:
    assembly: Assembly
    category: str
    seats: int
    characteristics: list[sortition.Characteristic]
    quotas: dict[tuple[str, str], sortition.Quota]
    preview: Preview
    entries: list[PoolEntry]
    draw: Draw | None


def category_admin(actor, assembly_id: int, category: str) -> CategoryAdmin:
    require(actor, "manage_draws")
    assembly = _assembly(assembly_id)
    _drawn_category(category)
    draw_row = db.session.scalar(select(Draw).where(Draw.assembly_id == assembly_id, Draw.category == category,
                                                    Draw.kind == "draw").order_by(Draw.id.desc()).limit(1))
    return CategoryAdmin(assembly, category, seat_plan(assembly_id)[category], characteristics(assembly.convention_id),
                         {(q.characteristic, q.value): q for q in quotas(assembly_id, category)},
                         preview(assembly_id, category), pool(assembly_id, category), draw_row)


def admin_overview(actor, convention_id: int) -> tuple[list[AssemblyPage], list[sortition.Characteristic]]:
    require(actor, "manage_draws")
    return [assembly_page(a.id) for a in assemblies(convention_id)], characteristics(convention_id)


def admin_assembly(actor, assembly_id: int) -> AssemblyPage:
    require(actor, "manage_draws")
    return assembly_page(assembly_id)


def pool_page(viewer, convention_id: int) -> dict:
    entry = my_entry(viewer, convention_id)
    draw_ids = []
    if entry:
        draw_ids = [d.id for d in db.session.scalars(select(Draw).where(Draw.assembly_id == entry.assembly_id,
                                                                        Draw.category == entry.category,
                                                                        Draw.kind == "draw"))]
    convention = db.session.get(Convention, convention_id)
    return {"entry": entry, "features": features_of(entry) if entry else {}, "draw_ids": draw_ids,
            "characteristics": characteristics(convention_id), "assemblies": assemblies(convention_id),
            "open": conventions.is_allowed(convention, phases.Action.VOLUNTEER),
            "can_nominate": bool(viewer.has_role("representative") and viewer.local_group_id)}
