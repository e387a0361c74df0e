"""Live-session fixtures: an assembly with a facilitator and three seated members, an open session,
and Socket.IO test clients that share a member's login (flask_test_client=)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from forum.extensions import db, socketio
from forum.models import Assembly, AssemblySeat
from forum.services.sessions import schedule
from tests import factories
from tests.support.clients import Browser, IsolatedSocket

NS = "/sessions"


class Room:
    def __init__(self):
        self.conv = factories.convention()
        self.facilitator = factories.user("Jo Whitfield", email="jo@example.org")
        self.alex = factories.user("Alex Moreno", email="alex@example.org")
        self.bea = factories.user("Bea Hughes", email="bea@example.org")
        self.cal = factories.user("Cal Fraser", email="cal@example.org")
        self.olu = factories.user("Olu Adeyemi", email="olu@example.org")  # holds no seat
        area = self.conv.areas[1]
        self.text = factories.proposal(self.alex, self.conv, title="Hand power to local groups", area_index=1)
        self.second = factories.proposal(self.bea, self.conv, title="Turn members into organisers", area_index=1)
        self.elsewhere = factories.proposal(self.bea, self.conv, title="Open selections", area_index=0)
        self.assembly = Assembly(convention_id=self.conv.id, area_id=area.id, name="Power and Participation Assembly")
        self.assembly.seats = [AssemblySeat(user=self.facilitator, category="facilitator"),
                               AssemblySeat(user=self.alex, category="local_group"),
                               AssemblySeat(user=self.bea, category="individual"),
                               AssemblySeat(user=self.cal, category="leadership")]
        db.session.add(self.assembly)
        db.session.commit()
        self.session = schedule.schedule_session(
            self.facilitator, self.assembly.id, "Interim texts", datetime(2022, 3, 1, 18, tzinfo=timezone.utc),
            [self.text.id, self.second.id])
        schedule.open_session(self.facilitator, self.session.id)
        self.id = self.session.id


@pytest.fixture
def room(app):
    app.config["LIVE_OBSERVERS_DELAY"] = 0  # announce observer counts at once, in the request
    return Room()


@pytest.fixture
def connect(app):
    """connect(email) → a Socket.IO test client logged in as that member (None: anonymous)."""
    clients = []

    def make(email: str | None = None, join: int | None = None):
        browser = Browser(app.test_client())
        if email:
            browser.login(email)
        sio = IsolatedSocket(lambda: socketio.test_client(app, namespace=NS, flask_test_client=browser.client))
        clients.append(sio)
        if join is not None and sio.is_connected(NS):
            ack = sio.emit("join_session", {"session": join}, namespace=NS, callback=True)
            assert ack.get("ok"), ack
        return sio

    yield make
    for sio in clients:
        if sio.is_connected(NS):
            sio.disconnect(namespace=NS)


def received(sio, name: str | None = None) -> list:
    """The events a client received since last asked (all, or only `name`), as (name, payload)."""
    events = [(e["name"], e["args"][0]) for e in sio.get_received(NS)]
    return [e for e in events if name is None or e[0] == name]


def last(sio, name: str) -> dict:
    events = received(sio, name)
    assert events, f"no {name} received"
    return events[-1][1]
