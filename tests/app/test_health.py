"""Health probes and the production check say what is wrong, in words an operator can act on."""
from __future__ import annotations

import contextlib
import secrets

import pytest
from flask_migrate import stamp, upgrade

from forum import create_app
from forum.extensions import db
from tests.live.servers import free_port
from tests.support.database import make_config, run_database

SHARED_REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def migrated(tmp_path):
    """A database of its own (same kind as the run's), upgraded to the latest migration."""
    with contextlib.contextmanager(run_database)(tmp_path) as url:
        app = create_app(make_config(url))
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        yield url


def ready(app):
    response = app.test_client().get("/health/ready")
    return response.status_code, {c["name"]: c for c in response.get_json()["checks"]}


def test_liveness_answers_without_logging_in(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_a_migrated_database_is_ready(migrated):
    status, checks = ready(create_app(make_config(migrated)))
    assert status == 200
    assert checks["database"]["ok"] and checks["migrations"]["ok"]


def test_a_database_behind_the_latest_migration_is_not_ready_and_says_how_to_fix_it(migrated):
    app = create_app(make_config(migrated))
    with app.app_context():
        stamp(revision="e2662e215880")
        db.session.remove()
    status, checks = ready(app)
    assert status == 503
    assert checks["database"]["ok"]
    assert not checks["migrations"]["ok"]
    assert "e2662e215880" in checks["migrations"]["detail"]
    assert "flask db upgrade" in checks["migrations"]["detail"]


def test_a_database_never_migrated_is_not_ready(app):
    """The test schema is made with create_all: it has tables but no migration stamp."""
    status, checks = ready(app)
    assert status == 503
    assert "never been migrated" in checks["migrations"]["detail"]


def test_an_unreachable_database_is_not_ready_but_the_process_is_alive(tmp_path):
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = create_app(make_config(dead))
    assert app.test_client().get("/health").status_code == 200
    status, checks = ready(app)
    assert status == 503
    assert not checks["database"]["ok"]
    assert "does not answer" in checks["database"]["detail"]


@pytest.mark.parametrize("path, kind", [("/api/v1/me", "json"), ("/proposals", "page")])
def test_a_database_that_refuses_connections_answers_503_with_retry_after_not_a_crash(path, kind):
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    # a token makes the API look the member up, which needs the database
    response = create_app(make_config(dead)).test_client().get(path, headers={"Authorization": "Bearer cv_x"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    if kind == "json":
        assert response.get_json()["error"] == "database_unavailable"
        assert response.get_json()["error_id"]
    else:
        assert "The database is not answering just now" in response.get_data(as_text=True)


def test_a_configured_redis_that_does_not_answer_makes_the_instance_not_ready(migrated):
    silent = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    status, checks = ready(create_app(make_config(migrated, RATELIMIT_STORAGE_URI=silent)))
    assert status == 503
    assert not checks["redis (login limits)"]["ok"]
    assert "does not answer" in checks["redis (login limits)"]["detail"]
    assert "hunter2" not in str(checks)  # the probe is public: it never shows a password


def test_a_configured_redis_that_answers_is_ready(migrated):
    status, checks = ready(create_app(make_config(migrated, RATELIMIT_STORAGE_URI=SHARED_REDIS)))
    assert status == 200
    assert checks["redis (login limits)"]["ok"]


def check_production(app):
    return app.test_cli_runner().invoke(args=["check-production"])


def test_the_production_check_lists_everything_a_development_setup_lacks(app):
    result = check_production(app)
    assert result.exit_code == 1
    for problem in ("CONVENE_ENV is 'development'", "cookies would travel over plain HTTP",
                    "links in e-mails need https://", "never been migrated"):
        assert problem in result.output
    assert "FAIL  secret key: SECRET_KEY has 11 bytes; it needs at least 32." in result.output


def test_the_production_check_passes_a_complete_production_configuration(migrated):
    if migrated.startswith("sqlite"):
        # The embedded SQLite file is itself one of the things the check refuses in production.
        result = check_production(create_app(make_config(migrated)))
        assert "FAIL  database kind" in result.output
        return
    config = make_config(migrated, CONVENE_ENV="production", SECRET_KEY=secrets.token_urlsafe(48),
                         SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                         BASE_URL="https://convene.example.org", RATELIMIT_STORAGE_URI=SHARED_REDIS)
    result = check_production(create_app(config))
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "All 8 checks passed." in result.output  # 5 of configuration, database, migrations, Redis
