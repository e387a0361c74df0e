"""The convention as the core sees it: which one is current, its timeline, and the server's clock.

Every phase decision goes through `require_phase` with `now()` from here, so pages, the API and
socket events agree, and tests move the clock by setting the app's CLOCK.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from deliberation import phases, tracker
from deliberation.errors import NotFound
from forum.clock import now  # noqa: F401  (records and use cases read the time here too)
from forum.extensions import db
from forum.models import Convention, Phase
from forum.models.lifecycle import ConventionRules
from forum.records.common import referenced


def current(slug: str | None = None) -> Convention:
    """The convention this instance runs (the first one), or the one with this slug."""
    stmt = select(Convention).order_by(Convention.id)
    if slug:
        stmt = stmt.where(Convention.slug == slug)
    convention = db.session.scalar(stmt.limit(1))
    if convention is None:
        raise NotFound("convention_not_found", "There is no convention here yet.")
    return convention


def of(convention_id: int) -> Convention:
    """The convention a loaded row belongs to (its foreign key guarantees there is one)."""
    return referenced(Convention, convention_id)


def timeline(convention: Convention) -> phases.Timeline:
    rows = db.session.scalars(select(Phase).where(Phase.convention_id == convention.id))
    return phases.Timeline(
        tuple(phases.Phase(phases.PhaseKind(r.kind), r.opens_at, r.closes_at) for r in rows), convention.timezone)


def require_phase(convention: Convention, action: phases.Action, at: datetime | None = None) -> None:
    """Refuse, in a member's words, an action its phase does not allow right now."""
    phases.check(action, timeline(convention), at or now())


def is_allowed(convention: Convention, action: phases.Action, at: datetime | None = None) -> bool:
    return phases.allowed(action, timeline(convention), at or now()).allowed


def rules(convention: Convention) -> tracker.Rules:
    """The convention's rules as data: its consensus rule (the live room's and the record's) and
    its thresholds."""
    row = db.session.get(ConventionRules, convention.id)
    if row is None:
        return tracker.Rules(support_threshold=convention.support_threshold)
    return tracker.Rules(quorum_fraction=row.quorum_fraction, agreement_threshold=row.agreement_threshold,
                         blocks_stop=row.blocks_stop, stand_asides_count=row.stand_asides_count,
                         silent_counts=row.silent_counts, support_threshold=convention.support_threshold)
