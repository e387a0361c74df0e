"""Socket events with text no database can store get an error ack, and the connection stays
usable. (Messages too large or too deep are refused before parsing: tests/app/test_inputs.py.)"""
from __future__ import annotations

import pytest

from tests.live.conftest import NS


@pytest.mark.parametrize("payload", [
    {"session": 1, "text": "hello\x00"},
    {"session": 1, "text": "hello \udfff"},
])
def test_text_no_database_can_store_in_a_socket_event_gets_an_error_ack(app, room, connect, payload):
    payload = {**payload, "session": room.id}
    sio = connect("alex@example.org", join=room.id)
    ack = sio.emit("post_message", payload, namespace=NS, callback=True)
    assert ack["error"] == "payload_invalid", ack
    assert sio.is_connected(NS)
    ok = sio.emit("post_message", {"session": room.id, "text": "Still here"}, namespace=NS, callback=True)
    assert ok.get("ok"), ok
