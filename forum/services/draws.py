"""Draws by lot: committing a seed over a frozen pool, running the draw off the request thread and
seating the panel, refilling a withdrawn seat by a replacement draw, and the published inputs
anyone can re-run.

The draw itself is deliberation.sortition; this module stores its inputs and results. Pool members
are published only under opaque ids (an HMAC keyed with the server's secret, see
records.draws.opaque_id), so the re-run inputs carry characteristics but no names, and nobody can
rebuild who is who from them. The solver runs before the transaction that
seats the panel, so no transaction stays open while it computes.
"""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from deliberation import sortition
from deliberation.errors import Conflict, DomainError
from forum.extensions import db, socketio, transaction
from forum.models import Assembly, AssemblySeat
from forum.models.draws import Draw, PoolEntry
from forum.permissions import require
from forum.records import conventions
from forum.records import draws as records
from forum.records.common import found

log = logging.getLogger(__name__)


# ----- committing a seed ---------------------------------------------------------------------------

def _inputs(commitment: str, chars, entries: list[PoolEntry], quota_list, seats: int) -> tuple[dict, dict]:
    members = {records.opaque_id(commitment, e.user_id): e.user_id for e in entries}
    inputs = {
        "algorithm": sortition.ALGORITHM,
        "seats": seats,
        "characteristics": [{"name": c.name, "values": list(c.values)} for c in chars],
        "quotas": [{"characteristic": q.characteristic, "value": q.value, "min": q.min, "max": q.max}
                   for q in quota_list],
        "pool": sorted(({"id": records.opaque_id(commitment, e.user_id), "features": records.features_of(e)}
                        for e in entries), key=lambda m: m["id"]),
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
        assembly = records.assembly(assembly_id)
        records.drawn_category(category)
        if records.live_draw_exists(assembly_id, category):
            raise Conflict("draw_exists", "This category already has a committed draw; a withdrawn seat is "
                                          "refilled by a replacement draw.")
        seats = records.seat_plan(assembly_id)[category]
        chars = records.characteristics(assembly.convention_id)
        entries = records.pool(assembly_id, category)
        quota_list = records.quotas(assembly_id, category)
        members = [sortition.PoolMember(str(e.user_id), records.features_of(e)) for e in entries]
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


def _seated_user_ids(convention_id: int) -> set[int]:
    return set(db.session.scalars(select(AssemblySeat.user_id).join(Assembly).where(
        Assembly.convention_id == convention_id, AssemblySeat.withdrawn_at.is_(None))))


def _core_inputs(inputs: dict):
    members = [sortition.PoolMember(m["id"], m["features"]) for m in inputs["pool"]]
    quota_list = [sortition.Quota(q["characteristic"], q["value"], q["min"], q["max"]) for q in inputs["quotas"]]
    chars = [sortition.Characteristic(c["name"], tuple(c["values"])) for c in inputs["characteristics"]]
    return members, quota_list, chars


def commit_replacement(actor, seat_id: int, seed: str | None = None) -> Draw:
    """Commit a seed to refill a withdrawn drawn seat from the same pool, within the same quotas."""
    with transaction():
        require(actor, "manage_draws")
        seat = found(AssemblySeat, seat_id, "seat_not_found", "There is no such seat.")
        if seat.how != "drawn" or seat.withdrawn_at is None:
            raise DomainError("seat_not_vacant", "Only a drawn seat whose member has stood down is refilled by lot.")
        parent = db.session.scalar(select(Draw).where(Draw.assembly_id == seat.assembly_id,
                                                      Draw.category == seat.category, Draw.kind == "draw",
                                                      Draw.status == "done"))
        if parent is None:
            raise DomainError("no_draw", "This seat was not filled by a recorded draw.")
        if db.session.scalar(select(Draw.id).where(Draw.parent_id == parent.id, Draw.withdrawn_user_id == seat.user_id,
                                                   Draw.status.in_(records.LIVE)).limit(1)):
            raise Conflict("replacement_exists", "A replacement for this seat is already committed.")
        mapping = json.loads(parent.members_json)
        withdrawn = next(opaque for opaque, user_id in mapping.items() if user_id == seat.user_id)
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


# ----- running a draw ------------------------------------------------------------------------------

def start_draw(actor, draw_id: int, seed: str | None = None) -> Draw:
    """Queue a committed draw and run it in the background; the page follows its status.

    A seed typed in now must match the commitment published earlier."""
    with transaction():
        require(actor, "manage_draws")
        row = records.draw(draw_id)
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
    """Run the draw (the background task, and the demo loader, call this), seat the panel, record the outcome.

    The solver runs between two transactions: the first marks the draw running, the second seats the panel."""
    with transaction():
        row = records.draw(draw_id)
        row.status = "running"
        row.started_at = conventions.now()
        inputs, seed = json.loads(row.inputs_json), row.seed
    try:
        result = compute(inputs, seed)  # no transaction is open while the solver works
        with transaction():
            row = records.draw(draw_id)
            mapping = json.loads(row.members_json)
            chosen = [result["chosen"]] if row.kind == "replacement" else result["panel"]
            for opaque in chosen:
                user_id = mapping[opaque]
                records.refuse_if_seated(row.assembly.convention_id, user_id)
                db.session.add(AssemblySeat(assembly_id=row.assembly_id, user_id=user_id, category=row.category,
                                            how="drawn", seated_at=conventions.now()))
            row.result_json = json.dumps(result, sort_keys=True)
            row.status, row.message, row.finished_at = "done", "", conventions.now()
    except DomainError as err:
        with transaction():
            row = records.draw(draw_id)
            row.status, row.message, row.finished_at = "failed", err.message, conventions.now()
    except Exception:  # the draw must end in a recorded status, never hang at "running"
        log.exception("draw %s failed", draw_id)
        with transaction():
            row = records.draw(draw_id)
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


# ----- publishing and verifying -----------------------------------------------------------------------

def published_inputs(draw_id: int) -> dict:
    """The downloadable inputs: everything needed to re-run the draw, under opaque ids, no names."""
    row = records.draw(draw_id)
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


@dataclass
class Verification:
    draw_id: int
    matches: bool
    panel: list[str]
    published: list[str]
    commitment_ok: bool


def verify(draw_id: int) -> Verification:
    row = records.draw(draw_id)
    if row.status != "done":
        raise DomainError("draw_not_done", "Only a draw that has run can be verified.")
    from deliberation.sortition_verify import verify as verify_inputs
    outcome = verify_inputs(published_inputs(draw_id))
    return Verification(row.id, outcome.matches, outcome.panel, outcome.published, outcome.commitment_ok)
