"""Socket.IO handlers of live sessions: namespace `/sessions`, room `session:<id>`.

Only logged-in members connect (identity from the Flask-Login session cookie of the handshake).
Each client event is imperative (`raise_hand`); its payload is checked against ACTIONS, one
service is called, and the ack is the service's small dict, or `{"error": code, "message": ...}`
(forum/live/__init__.py maps every DomainError). The service emits past-tense events to the room
after its commit. The page's plain forms post the same actions (forum/web/sessions.py), so both
paths share these checks.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from forum.extensions import socketio
from forum import announce
from forum.services.sessions import presence
from forum.services.sessions.actions import ACTIONS, invalid, parse, perform

NAMESPACE = announce.SESSIONS_NAMESPACE


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError({"error": "login_required",
                                      "message": "Log in to take part in or watch a session."})
    return True


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(reason=None):
    presence.leave(request.sid)


@socketio.on("join_session", namespace=NAMESPACE)
def join_session(payload=None):
    if not isinstance(payload, Mapping) or set(payload) != {"session"} or not isinstance(payload["session"], int) \
            or isinstance(payload["session"], bool):
        raise invalid("Send {\"session\": <id>}.")
    state = presence.join(current_user, payload["session"], request.sid)
    for room in list(socketio.server.rooms(request.sid, namespace=NAMESPACE)):
        if room.startswith("session:") and room != announce.session_room(payload["session"]):
            leave_room(room)
    join_room(announce.session_room(payload["session"]))
    announce.to_connection(request.sid, "session_state", state)
    return {"ok": True, "seq": state["session"]["seq"]}


@socketio.on("leave_session", namespace=NAMESPACE)
def leave_session(payload=None):
    presence.leave(request.sid)
    for room in list(socketio.server.rooms(request.sid, namespace=NAMESPACE)):
        if room.startswith("session:"):
            leave_room(room)
    return {"ok": True}


def _handler(name: str) -> Callable[[Any], dict[str, Any]]:
    def handle(payload=None):
        return {"ok": True, **perform(current_user, name, parse(name, payload))}
    handle.__name__ = name
    return handle


for _name in ACTIONS:
    socketio.on_event(_name, _handler(_name), namespace=NAMESPACE)
