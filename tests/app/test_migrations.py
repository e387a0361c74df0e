from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from forum import create_app
from forum.extensions import db
from tests.support.database import make_config


def test_migrations_build_exactly_the_models_schema_on_an_empty_database(database_url, tmp_path):
    """A fresh database upgraded to head has every table the models declare, and nothing differs."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:  # a schema of its own on the test server, so the shared test tables are not touched
        url = database_url
    engine = create_engine(url)
    if not url.startswith("sqlite"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migrated CASCADE"))
            conn.execute(text("CREATE SCHEMA migrated"))
        url = url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigrated"
        engine = create_engine(url)
    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {t.name for t in db.metadata.sorted_tables} <= tables
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert diff == [], diff
    if not database_url.startswith("sqlite"):
        with create_engine(database_url).begin() as conn:
            conn.execute(text("DROP SCHEMA migrated CASCADE"))
