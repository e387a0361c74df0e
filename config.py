"""Configuration from environment variables, with an embedded default that runs on one machine.

The default is a SQLite file under instance/, one process and no message queue. DATABASE_URL
switches to PostgreSQL, SOCKETIO_MESSAGE_QUEUE to Redis, RATELIMIT_STORAGE_URI moves the login
rate limits into Redis so several workers share them.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(url: str) -> str:
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Read once per create_app call, so tests can set the environment before building an app."""

    def __init__(self, **overrides: object) -> None:
        env = os.environ
        self.CONVENE_ENV = env.get("CONVENE_ENV", "development")
        self.SECRET_KEY = env.get("SECRET_KEY", DEV_SECRET_KEY)
        default_db = f"sqlite:///{HERE / 'instance' / 'convene.sqlite3'}"
        self.SQLALCHEMY_DATABASE_URI = _database_url(env.get("DATABASE_URL", default_db))
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
        self.SOCKETIO_MESSAGE_QUEUE = env.get("SOCKETIO_MESSAGE_QUEUE") or None
        self.SOCKETIO_ASYNC_MODE = env.get("SOCKETIO_ASYNC_MODE", "threading")
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
        production = self.CONVENE_ENV == "production"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", production)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_ENABLED = _flag("WTF_CSRF_ENABLED", True)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        # How many proxies in front of the app add X-Forwarded-For/-Proto/-Host (nginx alone: 1).
        # 0 trusts none, so a client cannot choose the address its login attempts count against.
        self.PROXY_HOPS = int(env.get("CONVENE_PROXY_HOPS", "0"))
        self.NODE_MODULES = Path(env.get("CONVENE_NODE_MODULES", HERE / "node_modules"))
        self.SEEDS_DIR = Path(env.get("CONVENE_SEEDS", HERE / "forum" / "demo" / "seeds"))
        self.TESTING = False
        # Email for notifications; none is sent unless MAIL_SERVER is set (tests set MAILER instead).
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL", False)
        self.MAIL_FROM = env.get("MAIL_FROM", "Convene <convene@localhost>")
        self.MAILER = None
        self.BASE_URL = env.get("CONVENE_BASE_URL", "http://localhost:5000")
        self.CLOCK = _utcnow  # tests replace it to move across phase boundaries
        for key, value in overrides.items():
            setattr(self, key, value)
        if production and self.SECRET_KEY == DEV_SECRET_KEY:
            raise RuntimeError("Refusing to start in production with the development SECRET_KEY.")

    def as_mapping(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
