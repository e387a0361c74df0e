"""The test database: one per run (a SQLite file, or a PostgreSQL database of its own when
DATABASE_URL names a server), its schema, and emptying it before each test."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import Config
from forum.extensions import db


def make_config(database_url: str, **overrides) -> Config:
    """The test configuration on `database_url`; keyword arguments override any setting."""
    settings = dict(SQLALCHEMY_DATABASE_URI=database_url, TESTING=True, RATELIMIT_ENABLED=False,
                    SECRET_KEY="test-secret", SERVER_NAME=None)
    settings.update(overrides)
    return Config(**settings)


def run_database(tmp_dir: Path) -> Iterator[str]:
    """Yield a database URL that exists only for this test run, and drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"
        return
    server = make_url(Config().SQLALCHEMY_DATABASE_URI)  # DATABASE_URL with the driver Config picks
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


def create_schema() -> None:
    """Create every table; call inside the app context of an app on the run's database."""
    db.create_all()


def empty_tables() -> None:
    """Delete every row, children first, and commit."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
