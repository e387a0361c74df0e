"""The JSON API, /api/v1: the same services and permission checks as the pages.

Clients authenticate with a personal token (`Authorization: Bearer cv_...`, made on the profile
page) or with the browser session; a session-authenticated call that changes something must send
the page's CSRF token in `X-CSRFToken`, so another site cannot ride on a member's cookie.
"""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import login_user

from forum.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def authenticate():
    from forum.services.accounts import user_by_token
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_by_token(header[len("Bearer "):].strip())
        if user is None:
            raise _unauthorised()
        login_user(user)  # for this request only: API calls never set a session cookie
        g.token_auth = True
        return None
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


@bp.after_request
def no_session_cookie_for_tokens(response):
    if g.get("token_auth"):
        from flask import session
        session.clear()
        response.headers.pop("Set-Cookie", None)
    return response


def _unauthorised():
    from forum.permissions import LoginRequired
    return LoginRequired("token_invalid", "This API token is not valid. Make a new one on your profile page.")


from forum.api import routes  # noqa: E402,F401
