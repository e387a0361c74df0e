"""A server killed in the middle of a consensus check comes back on the same port, and a client
that reconnects finds the same check with the same tally, without reloading anything."""
from __future__ import annotations

import threading

import pytest
import socketio as socketio_client

from forum import create_app
from forum.extensions import db
from tests.support.database import make_config
from tests.live.conftest import NS, Room
from tests.live.servers import SECRET, free_port, login_cookie, start_app, stop


@pytest.fixture
def filled_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    app = create_app(make_config(url, SECRET_KEY=SECRET))
    with app.app_context():
        db.create_all()
        room = Room()
        yield app, url, room
        db.session.remove()


class Client:
    """A python-socketio client that joins the session on every (re)connect, as the page does."""

    def __init__(self, url: str, cookie: str, session_id: int):
        self.states: list[dict] = []
        self.arrived = threading.Event()
        self.sio = socketio_client.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.sio.on("connect", lambda: self.sio.emit("join_session", {"session": session_id}, namespace=NS),
                    namespace=NS)
        self.sio.on("session_state", self._state, namespace=NS)
        self.sio.connect(url, headers={"Cookie": cookie}, namespaces=[NS], transports=["websocket"], wait_timeout=10)

    def _state(self, state):
        self.states.append(state)
        self.arrived.set()

    def next_state(self, timeout: float = 20.0) -> dict:
        assert self.arrived.wait(timeout), "no session_state arrived"
        self.arrived.clear()
        return self.states[-1]

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, namespace=NS, timeout=10)


def test_clients_resume_with_the_tally_intact_after_a_server_restart(filled_database, tmp_path):
    app, url, room = filled_database
    port = free_port()
    server = start_app(url, port, tmp_path / "server.log")
    clients = []
    try:
        base = f"http://127.0.0.1:{port}"
        facilitator = Client(base, login_cookie(app, room.facilitator.id), room.id)
        alex = Client(base, login_cookie(app, room.alex.id), room.id)
        bea = Client(base, login_cookie(app, room.bea.id), room.id)
        observer = Client(base, login_cookie(app, room.olu.id), room.id)
        clients = [facilitator, alex, bea, observer]
        for c in clients:
            c.next_state()
        assert alex.call("raise_hand", {"session": room.id})["ok"]
        assert facilitator.call("open_check", {"session": room.id})["ok"]
        assert alex.call("answer_check", {"session": room.id, "response": "agree"})["ok"]
        ack = bea.call("answer_check", {"session": room.id, "response": "block", "reason": "Clause 1 is unworkable."})
        before = ack["check"]["tally"]
        assert (before["agree"], before["block"]) == (1, 1)

        stop(server, kill=True)  # no goodbye: disconnect handlers never run
        server = start_app(url, port, tmp_path / "server.log")

        state = observer.next_state()
        assert state["check"]["open"] is True
        assert state["check"]["tally"] == before
        assert state["check"]["reasons"][0]["reason"] == "Clause 1 is unworkable."
        assert [h["name"] for h in state["queue"]["hands"]] == ["Alex Moreno"]
        # The room goes on where it stopped: the facilitator closes the same check. Bea, who
        # blocked, does not come back after the restart: she is still on the check's roll.
        facilitator.next_state()
        bea.sio.disconnect()
        closed = facilitator.call("close_check", {"session": room.id})
        outcome = closed["check"]["outcome"]
        assert outcome["reached"] is False and outcome["code"] == "blocked"
        assert outcome["counts"]["present_seated"] == before["present_seated"]
        assert outcome["interrupted"] is True and "server restarted" in outcome["reason"]
    finally:
        for c in clients:
            c.sio.disconnect()
        stop(server)
