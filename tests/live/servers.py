"""Real server processes for the restart and scale-out tests: a file database filled in this
process, `python wsgi.py` (gevent, as in production) on a free port, and login cookies made with
the servers' own secret key, as a browser would carry them."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 20.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout} s")


def start_app(database_url: str, port: int, log: Path, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "SECRET_KEY": SECRET,
                   "SOCKETIO_ASYNC_MODE": "gevent", "CONVENE_ACCESS_LOG": "0", "RATELIMIT_ENABLED": "0", **env}
    process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=environment,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, process=process)
    return process


def stop(process: subprocess.Popen, kill: bool = False) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        process.wait(timeout=10)


def login_cookie(app: Flask, user_id: int) -> str:
    """The session cookie Flask-Login sets after a login, signed with the servers' key."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": str(user_id), "_fresh": True})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"
