"""Socket.IO handlers. Identity comes from the Flask-Login session at connect; every event is validated.

For now a page follows a text (`follow_text`) to receive its live changes: new scores, new
questions, new comments. Live assembly sessions will add their own rooms here.
"""
from __future__ import annotations

from flask_socketio import join_room, leave_room

from deliberation.errors import DomainError, NotFound
from forum.extensions import db, socketio
from forum.models import Proposal


@socketio.on_error_default
def socket_error(err: Exception):
    if isinstance(err, DomainError):
        return err.as_dict()
    socketio.server.logger.exception("socket event failed")
    return {"error": "server_error", "message": "Something went wrong on our side."}


@socketio.on("connect")
def connect(auth=None):
    # Texts are public, so anonymous readers may follow scores; actions always go through HTTP
    # with their own permission checks.
    return True


def _text_id(payload) -> int:
    if (not isinstance(payload, dict) or isinstance(payload.get("text"), bool)
            or not isinstance(payload.get("text"), int)):
        raise DomainError("payload_invalid", "Send {\"text\": <proposal id>}.")
    text_id = payload["text"]
    if db.session.get(Proposal, text_id) is None:
        raise NotFound("proposal_not_found", "There is no such proposal.")
    return text_id


@socketio.on("follow_text")
def follow_text(payload=None):
    text_id = _text_id(payload)
    join_room(f"text:{text_id}")
    return {"ok": True, "room": f"text:{text_id}"}


@socketio.on("unfollow_text")
def unfollow_text(payload=None):
    text_id = _text_id(payload)
    leave_room(f"text:{text_id}")
    return {"ok": True}


from forum.live import sessions  # noqa: E402,F401  (live assembly sessions: namespace /sessions)
