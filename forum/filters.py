"""Jinja filters and globals: dates in the convention's zone, Markdown, permissions in templates."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user

from forum import render
from forum.permissions import ROLE_LABELS, Role, can
from forum.services.proposals import STATE_LABELS

DEFAULT_ZONE = ZoneInfo("Europe/London")


def _when(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(DEFAULT_ZONE).strftime(fmt)


def register(app: Flask) -> None:
    app.jinja_env.globals["aria"] = _aria
    app.jinja_env.filters["markdown"] = render.markdown
    app.jinja_env.filters["markdown_inline"] = render.markdown_inline
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["day"] = lambda v: _when(v, "%-d %b %Y")
    app.jinja_env.filters["iso"] = lambda v: v.isoformat() if v else ""
    app.jinja_env.filters["state_label"] = lambda s: STATE_LABELS.get(s, s)
    app.jinja_env.filters["role_label"] = lambda r: ROLE_LABELS.get(Role(r), r)

    @app.context_processor
    def helpers():
        return {"can": lambda action, target=None: can(current_user, action, target)}


def _aria(described: list[str], errors) -> dict:
    """aria-describedby and aria-invalid for a control, leaving out what does not apply."""
    attrs: dict = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    return attrs
