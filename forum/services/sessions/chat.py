"""The chat of a live session: post, remove, lock and unlock."""
from __future__ import annotations

from typing import Any

from deliberation import sessions as core
from deliberation.errors import NotFound
from forum import announce
from forum.extensions import db, transaction
from forum.models import ChatMessage
from forum.permissions import enter_session
from forum.records import audit
from forum.records import sessions as records
from forum.records.conventions import now


def post_message(actor, session_id: int, text: str) -> dict[str, Any]:
    with transaction():
        room = enter_session(actor, session_id, "chat_in_session")
        message, _ = room.chat.post(room.attendance, 0, actor.id, text if isinstance(text, str) else "", now())
        row = ChatMessage(session_id=room.id, author_id=actor.id, text=message.text, posted_at=message.posted_at)
        db.session.add(row)
        db.session.flush()
        room.save()
        payload = {**room.head(), "message": records.message_dict(room, row)}
    announce.to_session(room.id, "message_posted", payload)
    return payload


def remove_message(actor, session_id: int, message: int) -> dict[str, Any]:
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        row = db.session.get(ChatMessage, message)
        if row is None or row.session_id != room.id:
            raise NotFound("message_not_found", "There is no such message in this session.")
        value = core.Message(row.id, row.author_id, row.text, row.posted_at, row.removed_by_id)
        removed, _ = core.remove_message(value, actor.id)
        if row.removed_by_id is None:
            author = room.names.get(row.author_id, "a member")
            audit.record(actor, "message_removed", f"session {room.id}",
                         f"Removed a chat message by {author} in “{room.row.title}”.",
                         before={"message_id": row.id, "text": row.text})
        row.removed_by_id = removed.removed_by
        room.save()
        payload = {**room.head(), "message": records.message_dict(room, row)}
    announce.to_session(room.id, "message_removed", payload)
    return payload


def _chat_switch(actor, session_id: int, locked: bool) -> dict[str, Any]:
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        room.chat, _ = room.chat.lock(actor.id) if locked else room.chat.unlock(actor.id)
        room.save()
        payload = {**room.head(), "locked": room.chat.locked}
    announce.to_session(room.id, "chat_changed", payload)
    return payload


def lock_chat(actor, session_id: int) -> dict[str, Any]:
    return _chat_switch(actor, session_id, True)


def unlock_chat(actor, session_id: int) -> dict[str, Any]:
    return _chat_switch(actor, session_id, False)
