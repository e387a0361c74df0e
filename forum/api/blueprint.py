"""The API blueprint, its authentication and the one check that a caller is signed in."""
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


def signed_in():
    """The member making this call; anonymous callers get a 401 asking them to log in or send a token."""
    if not current_user.is_authenticated:
        raise LoginRequired("login_required", "Log in or send an API token.")
    return current_user
