"""The convention as the core sees it: its timeline, and the server's clock.

Every phase decision goes through `require_phase` with `now()` from here, so pages, the API and
socket events agree, and tests move the clock by setting the app's CLOCK.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from deliberation import phases
from forum.extensions import db
from forum.models import Convention, Phase


def now() -> datetime:
    return current_app.config["CLOCK"]()


def timeline(convention: Convention) -> phases.Timeline:
    rows = db.session.scalars(select(Phase).where(Phase.convention_id == convention.id))
    return phases.Timeline(
        tuple(phases.Phase(phases.PhaseKind(r.kind), r.opens_at, r.closes_at) for r in rows), convention.timezone)


def require_phase(convention: Convention, action: phases.Action, at: datetime | None = None) -> None:
    """Refuse, in a member's words, an action its phase does not allow right now."""
    phases.check(action, timeline(convention), at or now())


def is_allowed(convention: Convention, action: phases.Action, at: datetime | None = None) -> bool:
    return phases.allowed(action, timeline(convention), at or now()).allowed
