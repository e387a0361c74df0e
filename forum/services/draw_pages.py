"""What readers see of the draws by lot: assemblies and their seats, each draw's evidence with
small counts suppressed, a member's own pool entry, and the administrators' overview pages.

Every list here loads in a fixed number of queries, however many assemblies, seats or draws."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from deliberation import phases, sortition
from forum.extensions import db
from forum.models import Assembly, AssemblySeat, Convention
from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import Draw, PoolEntry
from forum.permissions import require
from forum.records import conventions
from forum.records import draws as records

SUPPRESS_BELOW = 5
STATUS_LABELS = {
    "committed": "Seed committed; the draw has not started.",
    "queued": "Queued: the draw will start in a moment.",
    "running": "Running: computing the fairest lottery the quotas allow and drawing from it.",
    "done": "Done: the panel is seated.",
    "failed": "Failed: nothing was seated.",
}


def suppressed(count: int) -> str:
    return f"fewer than {SUPPRESS_BELOW}" if 0 < count < SUPPRESS_BELOW else str(count)


# ----- assemblies --------------------------------------------------------------------------------

@dataclass
class AssemblyPage:
    assembly: Assembly
    plan: dict[str, int]
    seats: dict[str, list[AssemblySeat]]
    history: list[AssemblySeat]
    draws: list[Draw]


def _pages(assemblies: list[Assembly]) -> list[AssemblyPage]:
    """Each assembly with its plan, seats and draws: three queries whatever the number of assemblies."""
    ids = [a.id for a in assemblies]
    if not ids:
        return []
    plans = records.seat_plans(ids)
    history: dict[int, list[AssemblySeat]] = {i: [] for i in ids}
    for seat in db.session.scalars(select(AssemblySeat).where(AssemblySeat.assembly_id.in_(ids))
                                   .order_by(AssemblySeat.seated_at, AssemblySeat.id)):
        history[seat.assembly_id].append(seat)
    draws: dict[int, list[Draw]] = {i: [] for i in ids}
    for row in db.session.scalars(select(Draw).where(Draw.assembly_id.in_(ids)).order_by(Draw.id)):
        draws[row.assembly_id].append(row)
    pages = []
    for assembly in assemblies:
        current: dict[str, list[AssemblySeat]] = {c: [] for c in SEAT_CATEGORIES}
        for seat in history[assembly.id]:
            if seat.withdrawn_at is None:
                current.setdefault(seat.category, []).append(seat)
        pages.append(AssemblyPage(assembly, plans[assembly.id], current, history[assembly.id], draws[assembly.id]))
    return pages


def assembly_page(assembly_id: int) -> AssemblyPage:
    return _pages([records.assembly(assembly_id)])[0]


def assembly_pages(convention_id: int) -> list[AssemblyPage]:
    """Every assembly of the convention, for the public list."""
    return _pages(records.assemblies(convention_id))


def admin_overview(actor, convention_id: int) -> tuple[list[AssemblyPage], list[sortition.Characteristic]]:
    require(actor, "manage_draws")
    return _pages(records.assemblies(convention_id)), records.characteristics(convention_id)


def admin_assembly(actor, assembly_id: int) -> AssemblyPage:
    require(actor, "manage_draws")
    return assembly_page(assembly_id)


# ----- one draw ------------------------------------------------------------------------------------

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
    row = records.draw(draw_id)
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
    row = records.draw(draw_id)
    return {"id": row.id, "status": row.status, "message": row.message,
            "label": STATUS_LABELS[row.status]}


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


# ----- pools and quotas, as members and administrators see them ---------------------------------------

@dataclass
class CategoryAdmin:
    assembly: Assembly
    category: str
    seats: int
    characteristics: list[sortition.Characteristic]
    quotas: dict[tuple[str, str], sortition.Quota]
    preview: records.Preview
    entries: list[PoolEntry]
    draw: Draw | None
    features: dict[int, dict[str, str]] = field(default_factory=dict)  # by pool entry id


def category_admin(actor, assembly_id: int, category: str) -> CategoryAdmin:
    require(actor, "manage_draws")
    assembly = records.assembly(assembly_id)
    records.drawn_category(category)
    draw_row = db.session.scalar(select(Draw).where(Draw.assembly_id == assembly_id, Draw.category == category,
                                                    Draw.kind == "draw").order_by(Draw.id.desc()).limit(1))
    entries = records.pool(assembly_id, category)
    return CategoryAdmin(assembly, category, records.seat_plan(assembly_id)[category],
                         records.characteristics(assembly.convention_id),
                         {(q.characteristic, q.value): q for q in records.quotas(assembly_id, category)},
                         records.preview(assembly_id, category), entries, draw_row,
                         {e.id: records.features_of(e) for e in entries})


def pool_page(viewer, convention_id: int) -> dict:
    entry = records.my_entry(viewer, convention_id)
    draw_ids = []
    if entry:
        draw_ids = [d.id for d in db.session.scalars(select(Draw).where(Draw.assembly_id == entry.assembly_id,
                                                                        Draw.category == entry.category,
                                                                        Draw.kind == "draw"))]
    convention = db.session.get(Convention, convention_id)
    return {"entry": entry, "features": records.features_of(entry) if entry else {}, "draw_ids": draw_ids,
            "characteristics": records.characteristics(convention_id),
            "assemblies": records.assemblies(convention_id),
            "open": conventions.is_allowed(convention, phases.Action.VOLUNTEER),
            "can_nominate": bool(viewer.has_role("representative") and viewer.local_group_id)}
