"""Production is never the demo: no default account, no demo load, no short secret key."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import User
from tests.support.database import empty_tables, make_config

LONG_KEY = "k" * 40


@pytest.fixture
def production_app(schema, monkeypatch):
    monkeypatch.setenv("CONVENE_ENV", "production")
    app = create_app(make_config(schema, SECRET_KEY=LONG_KEY))
    with app.app_context():
        empty_tables()
        yield app
        db.session.remove()


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_production_on_an_empty_database_has_no_account(production_app):
    assert production_app.config["CONVENE_ENV"] == "production"
    assert _accounts() == 0
    page = production_app.test_client().post("/login", data={"email": "admin@convene.example",
                                                             "password": "convene-demo-2026"})
    assert page.status_code in (400, 422)
    assert _accounts() == 0


def test_demo_load_is_refused_in_production(production_app):
    result = production_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "Refusing to load the demo in production" in result.output
    assert _accounts() == 0


def test_create_admin_from_the_environment(production_app, monkeypatch):
    monkeypatch.setenv("CONVENE_ADMIN_EMAIL", "Chair@Example.org")
    monkeypatch.setenv("CONVENE_ADMIN_PASSWORD", "a long and private phrase")
    result = production_app.test_cli_runner().invoke(args=["create-admin", "--name", "Rita Chair"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User))
    assert (admin.email, admin.has_role("admin")) == ("chair@example.org", True)
    again = production_app.test_cli_runner().invoke(args=["create-admin"])
    assert again.exit_code != 0 and "already an account" in again.output


def test_create_admin_prompts_for_the_password(production_app):
    result = production_app.test_cli_runner().invoke(
        args=["create-admin", "--email", "chair@example.org"],
        input="a long and private phrase\na long and private phrase\n")
    assert result.exit_code == 0, result.output
    assert _accounts() == 1


@pytest.mark.parametrize("key", ["x", "s" * 31])
def test_a_short_secret_key_is_refused_in_production(schema, monkeypatch, key):
    monkeypatch.setenv("CONVENE_ENV", "production")
    with pytest.raises(RuntimeError, match="at least 32"):
        create_app(make_config(schema, SECRET_KEY=key))


def test_a_short_key_is_fine_outside_production(schema):
    assert create_app(make_config(schema, SECRET_KEY="x")).config["SECRET_KEY"] == "x"
