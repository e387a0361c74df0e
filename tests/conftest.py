"""Shared fixtures: a fresh database per run (SQLite, or PostgreSQL when DATABASE_URL says so),
emptied before each test; an app, a client, and logins through the real form."""
from __future__ import annotations

import os
import re
import threading
import uuid

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from config import Config, _database_url
from forum import create_app
from forum.extensions import db

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _server_database(tmp_path_factory):
    """Yield a database URL that exists only for this test run."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server = make_url(_database_url(url))
    name = f"convene_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # fails loudly when PostgreSQL is not there
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    yield from _server_database(tmp_path_factory)


def make_config(database_url: str, **overrides) -> Config:
    settings = dict(SQLALCHEMY_DATABASE_URI=database_url, TESTING=True, RATELIMIT_ENABLED=False,
                    SECRET_KEY="test-secret", SERVER_NAME=None)
    settings.update(overrides)
    return Config(**settings)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds one
    open for its factories: otherwise `g` (the logged-in user, the CSRF token) and the database
    session would leak from one request, or one client, into the next."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(make_config(database_url))
    with app.app_context():
        db.create_all()
    return True


@pytest.fixture
def app(database_url, _schema):
    app = create_app(make_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        yield app
        db.session.remove()


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

    def login(self, email, password="correct horse battery"):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.token = None  # the session changed; fetch a fresh token
        return response

    def api(self, method, url, json=None):
        headers = {"X-CSRFToken": self.csrf()}
        return self.client.open(url, method=method, json=json, headers=headers)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def client(app):
    return Browser(app.test_client())


@pytest.fixture
def another_client(app):
    return Browser(app.test_client())


@pytest.fixture
def live_server(app):
    """The app served on a free local port in a thread, for browsers and concurrent clients."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db.session.commit()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
