"""Socket.IO handlers of live sessions: namespace `/sessions`, room `session:<id>`.

Only logged-in members connect (identity from the Flask-Login session cookie of the handshake).
Each client event is imperative (`raise_hand`); its payload is checked against ACTIONS, one
service is called, and the ack is the service's small dict, or `{"error": code, "message": ...}`
(forum/live/__init__.py maps every DomainError). The service emits past-tense events to the room
after its commit. The page's plain forms post the same actions (forum/web/sessions.py), so both
paths share these checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from deliberation.errors import DomainError
from forum.extensions import socketio
from forum.services import live_sessions as service

NAMESPACE = service.NAMESPACE


@dataclass(frozen=True)
class Field:
    kind: type  # int or str
    required: bool = True
    limit: int = 5_000  # characters, for str


@dataclass(frozen=True)
class Action:
    run: Callable[..., Any]
    fields: Mapping[str, Field]


def _opt_int() -> Field:
    return Field(int, required=False)


# The client events of a session; each takes {"session": <id>, ...these fields}.
ACTIONS: dict[str, Action] = {
    "raise_hand": Action(service.raise_hand, {"kind": Field(str, required=False, limit=40)}),
    "lower_hand": Action(service.lower_hand, {"member": _opt_int()}),
    "call_next": Action(service.call_next, {}),
    "call_speaker": Action(service.call_speaker, {"member": Field(int)}),
    "finish_turn": Action(service.finish_turn, {}),
    "skip_speaker": Action(service.skip_speaker, {}),
    "move_hand": Action(service.move_hand, {"member": Field(int), "position": Field(int)}),
    "clear_queue": Action(service.clear_queue, {}),
    "mute": Action(service.mute, {"member": Field(int)}),
    "unmute": Action(service.unmute, {"member": Field(int)}),
    "start_timer": Action(service.start_timer, {"seconds": _opt_int()}),
    "pause_timer": Action(service.pause_timer, {}),
    "resume_timer": Action(service.resume_timer, {}),
    "reset_timer": Action(service.reset_timer, {"seconds": _opt_int()}),
    "next_item": Action(service.next_item, {}),
    "go_to_item": Action(service.go_to_item, {"index": Field(int)}),
    "open_check": Action(service.open_check, {"amendment": _opt_int()}),
    "answer_check": Action(service.answer_check, {"response": Field(str, limit=40),
                                                  "reason": Field(str, required=False)}),
    "close_check": Action(service.close_check, {}),
    "post_message": Action(service.post_message, {"text": Field(str)}),
    "remove_message": Action(service.remove_message, {"message": Field(int)}),
    "lock_chat": Action(service.lock_chat, {}),
    "unlock_chat": Action(service.unlock_chat, {}),
}


def _invalid(message: str) -> DomainError:
    return DomainError("payload_invalid", message)


def parse(name: str, payload: Any, from_form: bool = False) -> dict[str, Any]:
    """Check a payload against the action's fields; form values arrive as strings and may be blank."""
    action = ACTIONS[name]
    if not isinstance(payload, Mapping):
        keys = "".join(f', "{k}": …' for k in action.fields)
        raise _invalid(f'Send an object: {{"session": <id>{keys}}}.')
    allowed = {"session", *action.fields}
    if not from_form:
        unknown = sorted(set(payload) - allowed)
        if unknown:
            raise _invalid(f"'{unknown[0]}' is not part of {name}.")
    values: dict[str, Any] = {}
    for key, field in {"session": Field(int), **action.fields}.items():
        value = payload.get(key)
        if from_form and value == "":
            value = None
        if value is None:
            if field.required:
                raise _invalid(f"{name} needs '{key}'.")
            continue
        if field.kind is int:
            if from_form and isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value < 2**31:
                raise _invalid(f"'{key}' must be a whole number.")
        elif not isinstance(value, str) or len(value) > field.limit:
            raise _invalid(f"'{key}' must be text of at most {field.limit:,} characters.")
        values[key] = value
    return values


def perform(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Run one action for the current user with values from `parse`."""
    values = dict(values)
    session_id = values.pop("session")
    return ACTIONS[name].run(current_user, session_id, **values)


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError({"error": "login_required", "message": "Log in to take part in or watch a session."})
    return True


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(reason=None):
    service.leave(request.sid)


@socketio.on("join_session", namespace=NAMESPACE)
def join_session(payload=None):
    if not isinstance(payload, Mapping) or set(payload) != {"session"} or not isinstance(payload["session"], int) \
            or isinstance(payload["session"], bool):
        raise _invalid("Send {\"session\": <id>}.")
    state = service.join(current_user, payload["session"], request.sid)
    for room in list(socketio.server.rooms(request.sid, namespace=NAMESPACE)):
        if room.startswith("session:") and room != f"session:{payload['session']}":
            leave_room(room)
    join_room(f"session:{payload['session']}")
    socketio.emit("session_state", state, to=request.sid, namespace=NAMESPACE)
    return {"ok": True, "seq": state["session"]["seq"]}


@socketio.on("leave_session", namespace=NAMESPACE)
def leave_session(payload=None):
    service.leave(request.sid)
    for room in list(socketio.server.rooms(request.sid, namespace=NAMESPACE)):
        if room.startswith("session:"):
            leave_room(room)
    return {"ok": True}


def _handler(name: str) -> Callable[[Any], dict[str, Any]]:
    def handle(payload=None):
        return {"ok": True, **perform(name, parse(name, payload))}
    handle.__name__ = name
    return handle


for _name in ACTIONS:
    socketio.on_event(_name, _handler(_name), namespace=NAMESPACE)
