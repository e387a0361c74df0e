"""Login attempt limits, per app, kept in memory or in Redis (RATELIMIT_STORAGE_URI).

The `limits` package (the engine under Flask-Limiter) counts attempts in a moving window. Each
attempt counts against the address it came from and against the email it tried, so neither one
address trying many emails nor many addresses trying one email gets far.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from limits import parse_many, storage, strategies
from werkzeug.exceptions import TooManyRequests

KEY = "convene.login_limits"


def init_app(app: Flask) -> None:
    store = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[KEY] = (strategies.MovingWindowRateLimiter(store), parse_many(app.config["LOGIN_RATE_LIMIT"]))


def count_login_attempt(email: str) -> None:
    """Count one attempt; refuse with 429 once the address or the email is over its limit."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limiter, limits = current_app.extensions[KEY]
    keys = (f"ip:{request.remote_addr}", f"email:{(email or '').strip().lower()[:254]}")
    for key in keys:
        for limit in limits:
            if not limiter.hit(limit, "login", key):
                raise TooManyRequests()
