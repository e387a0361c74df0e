"""Page blueprints: parse the form, call one service, render or redirect."""
from __future__ import annotations

from flask import Flask, request


def safe_next(default: str) -> str:
    """Where to go after a form: a local path the form named, else the default."""
    target = request.values.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def register(app: Flask) -> None:
    from forum.web import (account, admin, amendments, auth, ballot_admin, ballots, discussion, draws, lifecycle,
                           proposals, sessions)
    for module in (auth, proposals, discussion, account, admin, amendments, lifecycle, sessions, ballots, ballot_admin,
                   draws):
        app.register_blueprint(module.bp)
