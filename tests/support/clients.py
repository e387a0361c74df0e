"""Test clients: each request (and each socket call) in an app context of its own, and a browser-like
wrapper that logs in through the real form and carries the CSRF token."""
from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from typing import TypeVar

from flask.testing import FlaskClient

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
T = TypeVar("T")


def isolated(fn: Callable[..., T], *args, **kwargs) -> T:
    """Call `fn` as a server thread would: in a fresh context where no app context is pushed yet,
    so Flask pushes one of its own, even while the test holds one open for its factories."""
    return contextvars.Context().run(fn, *args, **kwargs)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds one
    open for its factories: otherwise `g` (the logged-in user, the CSRF token) and the database
    session would leak from one request, or one client, into the next."""

    def open(self, *args, **kwargs):
        return isolated(super().open, *args, **kwargs)


class Browser:
    """A test client that logs in through the real form and carries the CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def csrf(self) -> str:
        if self.token is None:
            page = self.client.get("/login").get_data(as_text=True)
            self.token = CSRF.search(page).group(1)
        return self.token

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kwargs)

    def login(self, email, password=PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.token = None  # the session changed; fetch a fresh token
        return response

    def api(self, method, url, json=None):
        headers = {"X-CSRFToken": self.csrf()}
        return self.client.open(url, method=method, json=json, headers=headers)

    def __getattr__(self, name):
        return getattr(self.client, name)


class IsolatedSocket:
    """A Socket.IO test client whose every call runs in its own app context, as on a server,
    not in the test's."""

    def __init__(self, make: Callable):
        self._sio = isolated(make)

    def emit(self, *args, **kwargs):
        return isolated(self._sio.emit, *args, **kwargs)

    def disconnect(self, *args, **kwargs):
        return isolated(self._sio.disconnect, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._sio, name)
