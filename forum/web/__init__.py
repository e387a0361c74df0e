"""Page blueprints: parse the form, call one service, render or redirect."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from forum.web import (account, admin, amendments, audit, auth, ballot_admin, ballots, discussion, draws, health,
                           lifecycle, proposals, sessions)
    for module in (auth, proposals, discussion, account, admin, amendments, lifecycle, sessions, ballots, ballot_admin,
                   draws, health, audit):
        app.register_blueprint(module.bp)
