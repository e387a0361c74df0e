"""Is this instance fit to serve? The checks behind /health/ready and `flask check-production`.

Each check says in one line what it found, so a monitor, a proxy and an operator at a terminal
read the same words. Readiness (database, migrations, Redis) is asked for on every probe;
the production checks (secret key, cookies, base URL) only by the command, since a running
production app has already refused to start without them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIN_SECRET_BYTES = 32
REDIS_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def database() -> list[Check]:
    """The database answers, and its schema is at the migrations' head."""
    try:
        db.session.execute(text("SELECT 1"))
        stamped = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError as err:
        db.session.rollback()
        reason = type(getattr(err, "orig", err)).__name__
        if "alembic_version" in str(err):
            return [Check("database", True, "The database answers."),
                    Check("migrations", False, "The database has never been migrated: run `flask db upgrade`.")]
        return [Check("database", False, f"The database does not answer ({reason}).")]
    finally:
        db.session.remove()
    head = head_revision()
    if stamped == [head]:
        return [Check("database", True, "The database answers."),
                Check("migrations", True, f"The schema is at the latest migration ({head}).")]
    found = ", ".join(stamped) or "none"
    return [Check("database", True, "The database answers."),
            Check("migrations", False, f"The schema is at {found}, the code expects {head}: run `flask db upgrade`.")]


def redis_urls(app: Flask) -> dict[str, str]:
    """The Redis servers this configuration relies on, by what they are for."""
    wanted = {"message queue": app.config.get("SOCKETIO_MESSAGE_QUEUE") or "",
              "login limits": app.config.get("RATELIMIT_STORAGE_URI") or ""}
    return {what: url for what, url in wanted.items() if url.startswith(("redis://", "rediss://"))}


def redis(app: Flask) -> list[Check]:
    import redis as redis_client

    checks = []
    for what, url in redis_urls(app).items():
        where = urlsplit(url).netloc.rsplit("@", 1)[-1]  # never the password
        try:
            client = redis_client.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                                                 socket_connect_timeout=REDIS_TIMEOUT_S)
            client.ping()
            client.close()
        except redis_client.RedisError as err:
            checks.append(Check(f"redis ({what})", False, f"Redis at {where} does not answer ({type(err).__name__})."))
        else:
            checks.append(Check(f"redis ({what})", True, f"Redis at {where} answers."))
    return checks


def ready(app: Flask) -> list[Check]:
    return database() + redis(app)


def secret_key(key: str | bytes) -> Check:
    """The one rule for a production SECRET_KEY: not the development key, at least 32 bytes."""
    from config import DEV_SECRET_KEY

    if key == DEV_SECRET_KEY:
        return Check("secret key", False, "SECRET_KEY is the development key: set a long random one.")
    size = len(key.encode() if isinstance(key, str) else key)
    if size < MIN_SECRET_BYTES:
        return Check("secret key", False, f"SECRET_KEY has {size} bytes; it needs at least {MIN_SECRET_BYTES}.")
    return Check("secret key", True, f"SECRET_KEY has {size} bytes.")


def production(app: Flask) -> list[Check]:
    """What a production configuration must say, beyond being ready."""
    cfg = app.config
    env, base_url = cfg.get("CONVENE_ENV"), str(cfg.get("BASE_URL", ""))
    secure = bool(cfg.get("SESSION_COOKIE_SECURE")) and bool(cfg.get("REMEMBER_COOKIE_SECURE"))
    sqlite = cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return [
        Check("environment", env == "production", "CONVENE_ENV is production." if env == "production"
              else f"CONVENE_ENV is {env!r}: set it to production."),
        secret_key(cfg.get("SECRET_KEY") or ""),
        Check("cookies", secure, "Session and remember-me cookies travel over HTTPS only." if secure
              else "SESSION_COOKIE_SECURE is off: cookies would travel over plain HTTP."),
        Check("base URL", base_url.startswith("https://"), f"CONVENE_BASE_URL is {base_url}." if
              base_url.startswith("https://") else f"CONVENE_BASE_URL is {base_url}: links in e-mails need https://."),
        Check("database kind", not sqlite, "DATABASE_URL names a PostgreSQL server." if not sqlite
              else "DATABASE_URL is not set: the embedded SQLite file serves one process only."),
    ] + ready(app)
