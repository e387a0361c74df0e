"""Every broadcast, and the one place room names are spelled.

Rooms: `text:<id>` (the default namespace: a text's page and whoever follows it live) and
`session:<id>` (the `/sessions` namespace: one live assembly session). Services call these only
after their transaction has committed, so nobody hears of a change that was rolled back; payloads
are small dicts, never ORM rows.
"""
from __future__ import annotations

from typing import Any, Sequence

from forum.extensions import socketio

SESSIONS_NAMESPACE = "/sessions"


def text_room(text_id: int) -> str:
    return f"text:{text_id}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def to_text(text_id: int, event: str, payload: dict[str, Any]) -> None:
    """Tell everyone watching a text (its page, its live followers)."""
    socketio.emit(event, payload, to=text_room(text_id))


def to_session(session_id: int, event: str, payload: dict[str, Any]) -> None:
    """Tell everyone in one live session's room."""
    socketio.emit(event, payload, to=session_room(session_id), namespace=SESSIONS_NAMESPACE)


def to_sessions(event: str, notices: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Tell several session rooms, each its own payload (`records.sessions.amendment_notices`)."""
    for session_id, payload in notices:
        to_session(session_id, event, payload)


def to_connection(sid: str, event: str, payload: dict[str, Any], namespace: str = SESSIONS_NAMESPACE) -> None:
    """Answer one connection alone (its first state after joining)."""
    socketio.emit(event, payload, to=sid, namespace=namespace)
