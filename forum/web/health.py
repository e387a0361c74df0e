"""Liveness and readiness for the proxy and a monitor: /health says the process answers,
/health/ready that it can serve (database, migrations, Redis where configured)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from forum import readiness

bp = Blueprint("health", __name__)


@bp.get("/health")
def alive():
    return jsonify(status="ok")


@bp.get("/health/ready")
def ready():
    checks = readiness.ready(current_app)
    ok = all(c.ok for c in checks)
    body = jsonify(status="ready" if ok else "not ready", checks=[c.as_dict() for c in checks])
    body.headers["Cache-Control"] = "no-store"
    return body, 200 if ok else 503
