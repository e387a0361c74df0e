"""Scale-out is configuration: two app processes sharing one database and Redis
(SOCKETIO_MESSAGE_QUEUE), behind nginx with sticky sessions. A vote cast through one worker
reaches a client connected to the other.

Select it with `-m scale_out`. It needs nginx (Debian's nginx-light; bin/setup test installs it)
and Redis on 127.0.0.1:6379 (REDIS_URL overrides); without them it fails, it never skips.
"""
from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import redis
import socketio as socketio_client

from forum import create_app
from forum.extensions import db
from tests.support.database import make_config
from tests.live.conftest import NS, Room
from tests.live.servers import SECRET, free_port, login_cookie, start_app, stop, wait_for_port

pytestmark = pytest.mark.scale_out
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

NGINX_CONF = """
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  # Sticky by client address; ip_hash would send all of 127.0.0.0/24 to one worker.
  upstream convene {{ hash $remote_addr consistent; server 127.0.0.1:{first}; server 127.0.0.1:{second}; }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://convene;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;  # with its port, so the same-origin check passes
      proxy_read_timeout 600s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx is not installed: run `bin/setup test` (it installs Debian's nginx-light).")
    return found


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {err}")


def upstream_for(source: str, port: int) -> str:
    """Which worker nginx sends this client address to."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        response.read()
        return response.getheader("X-Upstream")
    finally:
        conn.close()


class Member:
    """A Socket.IO client connecting from its own loopback address, over websocket only."""

    def __init__(self, source: str, port: int, cookie: str, session_id: int):
        self.events: list[tuple[str, dict]] = []
        self.got = threading.Condition()
        sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
        self.sio = socketio_client.Client(reconnection=False, websocket_extra_options={"socket": sock})
        for name in ("session_state", "tally_changed", "check_opened"):
            self.sio.on(name, self._record(name), namespace=NS)
        self.sio.connect(f"http://127.0.0.1:{port}", headers={"Cookie": cookie}, namespaces=[NS],
                         transports=["websocket"], wait_timeout=10)
        assert self.sio.call("join_session", {"session": session_id}, namespace=NS, timeout=10)["ok"]

    def _record(self, name):
        def handler(payload):
            with self.got:
                self.events.append((name, payload))
                self.got.notify_all()
        return handler

    def wait_for(self, name: str, test, timeout: float = 10.0) -> dict:
        with self.got:
            found = self.got.wait_for(lambda: next((p for n, p in self.events if n == name and test(p)), None),
                                      timeout=timeout)
        assert found, f"{name} never arrived; got {[n for n, _ in self.events]}"
        return found


@pytest.fixture
def filled_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    app = create_app(make_config(url, SECRET_KEY=SECRET))
    with app.app_context():
        db.create_all()
        room = Room()
        yield app, url, room
        db.session.remove()


def test_a_vote_through_one_worker_reaches_clients_on_the_other(filled_database, tmp_path):
    nginx = nginx_binary()
    require_redis()
    app, url, room = filled_database
    first, second, port = free_port(), free_port(), free_port()
    processes, members = [], []
    try:
        for p in (first, second):
            processes.append(start_app(url, p, tmp_path / f"app-{p}.log", SOCKETIO_MESSAGE_QUEUE=REDIS_URL))
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp_path / d).mkdir()
        conf = tmp_path / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp_path, first=first, second=second, port=port,
                                          user="user root;\n" if os.geteuid() == 0 else ""))
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)], stdout=subprocess.DEVNULL,
                                 stderr=(tmp_path / "nginx.out").open("wb"), start_new_session=True)
        processes.append(proxy)
        wait_for_port(port, process=proxy)

        # Find one client address that nginx sends to each worker, and show it sticks.
        by_worker: dict[str, str] = {}
        for last in range(2, 200):
            source = f"127.0.0.{last}"
            by_worker.setdefault(upstream_for(source, port), source)
            if len(by_worker) == 2:
                break
        assert len(by_worker) == 2, f"nginx sent every address to one worker: {by_worker}"
        (worker_a, watcher_ip), (worker_b, voter_ip) = sorted(by_worker.items())
        assert upstream_for(watcher_ip, port) == worker_a and upstream_for(voter_ip, port) == worker_b

        watcher = Member(watcher_ip, port, login_cookie(app, room.olu.id), room.id)
        facilitator = Member(voter_ip, port, login_cookie(app, room.facilitator.id), room.id)
        voter = Member(voter_ip, port, login_cookie(app, room.alex.id), room.id)
        members = [watcher, facilitator, voter]

        assert facilitator.sio.call("open_check", {"session": room.id}, namespace=NS, timeout=10)["ok"]
        watcher.wait_for("check_opened", lambda p: p["check"]["open"])
        ack = voter.sio.call("answer_check", {"session": room.id, "response": "agree"}, namespace=NS, timeout=10)
        assert ack["ok"], ack
        tally = watcher.wait_for("tally_changed", lambda p: p["check"]["tally"]["agree"] == 1)
        assert tally["seq"] == ack["seq"] and tally["check"]["id"] == ack["check"]["id"]
    finally:
        for m in members:
            m.sio.disconnect()
        for process in reversed(processes):
            stop(process)
