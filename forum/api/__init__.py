"""The JSON API, /api/v1: the same services and permission checks as the pages.

Clients authenticate with a personal token (`Authorization: Bearer cv_...`, made on the profile
page) or with the browser session; a session-authenticated call that changes something must send
the page's CSRF token in `X-CSRFToken`, so another site cannot ride on a member's cookie.
"""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from forum.extensions import csrf
from forum.permissions import LoginRequired

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[len("Bearer "):].strip() if header.startswith("Bearer ") else None


@bp.before_request
def authenticate():
    """A token request is authenticated by Flask-Login's request loader and needs no CSRF token;
    a cookie request that changes something must carry the page's CSRF token."""
    if bearer_token() is not None:
        if not current_user.is_authenticated:
            raise LoginRequired("token_invalid", "This API token is not valid. Make a new one on your profile page.")
        return None
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


from forum.api import routes  # noqa: E402,F401
from forum.api import amendments  # noqa: E402,F401
from forum.api import lifecycle  # noqa: E402,F401
from forum.api import ballots  # noqa: E402,F401
