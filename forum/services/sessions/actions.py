"""The client actions of a live session, one table shared by the socket events and the page's
plain forms: which use case each runs and which fields its payload takes, checked before the
use case sees them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from deliberation.errors import DomainError
from forum.services.sessions import chat, checks, floor, schedule


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
    "raise_hand": Action(floor.raise_hand, {"kind": Field(str, required=False, limit=40)}),
    "lower_hand": Action(floor.lower_hand, {"member": _opt_int()}),
    "call_next": Action(floor.call_next, {}),
    "call_speaker": Action(floor.call_speaker, {"member": Field(int)}),
    "finish_turn": Action(floor.finish_turn, {}),
    "skip_speaker": Action(floor.skip_speaker, {}),
    "move_hand": Action(floor.move_hand, {"member": Field(int), "position": Field(int)}),
    "clear_queue": Action(floor.clear_queue, {}),
    "mute": Action(floor.mute, {"member": Field(int)}),
    "unmute": Action(floor.unmute, {"member": Field(int)}),
    "start_timer": Action(floor.start_timer, {"seconds": _opt_int()}),
    "pause_timer": Action(floor.pause_timer, {}),
    "resume_timer": Action(floor.resume_timer, {}),
    "reset_timer": Action(floor.reset_timer, {"seconds": _opt_int()}),
    "next_item": Action(schedule.next_item, {}),
    "go_to_item": Action(schedule.go_to_item, {"index": Field(int)}),
    "open_check": Action(checks.open_check, {"amendment": _opt_int()}),
    "answer_check": Action(checks.answer_check, {"response": Field(str, limit=40),
                                                  "reason": Field(str, required=False)}),
    "close_check": Action(checks.close_check, {}),
    "post_message": Action(chat.post_message, {"text": Field(str)}),
    "remove_message": Action(chat.remove_message, {"message": Field(int)}),
    "lock_chat": Action(chat.lock_chat, {}),
    "unlock_chat": Action(chat.unlock_chat, {}),
}


def invalid(message: str) -> DomainError:
    return DomainError("payload_invalid", message)


def parse(name: str, payload: Any, from_form: bool = False) -> dict[str, Any]:
    """Check a payload against the action's fields; form values arrive as strings and may be blank."""
    action = ACTIONS[name]
    if not isinstance(payload, Mapping):
        keys = "".join(f', "{k}": …' for k in action.fields)
        raise invalid(f'Send an object: {{"session": <id>{keys}}}.')
    allowed = {"session", *action.fields}
    if not from_form:
        unknown = sorted(set(payload) - allowed)
        if unknown:
            raise invalid(f"'{unknown[0]}' is not part of {name}.")
    values: dict[str, Any] = {}
    for key, field in {"session": Field(int), **action.fields}.items():
        value = payload.get(key)
        if from_form and value == "":
            value = None
        if value is None:
            if field.required:
                raise invalid(f"{name} needs '{key}'.")
            continue
        if field.kind is int:
            if from_form and isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value < 2**31:
                raise invalid(f"'{key}' must be a whole number.")
        elif not isinstance(value, str) or len(value) > field.limit:
            raise invalid(f"'{key}' must be text of at most {field.limit:,} characters.")
        values[key] = value
    return values


def perform(actor, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Run one action for `actor` with values from `parse`."""
    values = dict(values)
    session_id = values.pop("session")
    return ACTIONS[name].run(actor, session_id, **values)
