"""Shared fixtures: a fresh database per run (SQLite, or PostgreSQL when DATABASE_URL says so),
emptied before each test; an app, clients that log in through the real form, and a live server.
The machinery lives in tests/support/."""
from __future__ import annotations

import pytest

from forum import create_app
from forum.extensions import db
from tests.support.clients import Browser, IsolatedClient
from tests.support.database import create_schema, empty_tables, make_config, run_database
from tests.support.live_server import serve


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    yield from run_database(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def schema(database_url):
    with create_app(make_config(database_url)).app_context():
        create_schema()
    return database_url


@pytest.fixture
def app(schema):
    app = create_app(make_config(schema))
    app.test_client_class = IsolatedClient
    with app.app_context():
        empty_tables()
        yield app
        db.session.remove()
        # Close this app's pooled connections now rather than at garbage collection: a run of
        # several hundred tests would otherwise hold PostgreSQL's connection slots until it ran out.
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app):
    return Browser(app.test_client())


@pytest.fixture
def another_client(app):
    return Browser(app.test_client())


@pytest.fixture
def live_server(app):
    """The app served on a free local port in a thread, for browsers and concurrent clients."""
    db.session.commit()
    with serve(app) as url:
        yield url
