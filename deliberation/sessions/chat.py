"""Session chat: posting, locking and removing messages."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from deliberation.errors import Conflict, DomainError, NotAllowed
from deliberation.sessions.attendance import Session
from deliberation.sessions.events import ChatLocked, ChatUnlocked, Event, MemberId, MessagePosted, MessageRemoved

MAX_MESSAGE_CHARS = 1_000


@dataclass(frozen=True)
class Message:
    """One chat message. A removed message keeps its row so the room sees it was removed."""

    message_id: int
    author_id: MemberId
    text: str
    posted_at: datetime
    removed_by: MemberId | None = None

    @property
    def is_removed(self) -> bool:
        return self.removed_by is not None

    def to_dict(self) -> dict[str, Any]:
        """Everything, for storage; send `public_dict()` to the room."""
        return {
            "message_id": self.message_id,
            "author_id": self.author_id,
            "text": self.text,
            "posted_at": self.posted_at.isoformat(),
            "removed_by": self.removed_by,
        }

    def public_dict(self) -> dict[str, Any]:
        """What the room sees: the words of a removed message are gone, the gap remains."""
        return {**self.to_dict(), "text": None if self.is_removed else self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(
            message_id=int(data["message_id"]),
            author_id=int(data["author_id"]),
            text=str(data["text"]),
            posted_at=datetime.fromisoformat(data["posted_at"]),
            removed_by=data.get("removed_by"),
        )


@dataclass(frozen=True)
class Chat:
    """The chat's switch: open or locked. Messages themselves are rows the shell keeps.

    A locked chat still carries the facilitators' own messages, so they can announce why.
    """

    locked: bool = False

    def post(
        self, session: Session, message_id: int, author_id: MemberId, text: str, now: datetime
    ) -> tuple[Message, list[Event]]:
        if self.locked and author_id not in session.facilitators:
            raise NotAllowed("chat_locked", "The facilitator has locked the chat for now.")
        body = text.strip()
        if not body:
            raise DomainError("message_empty", "A message needs some words in it.")
        if len(body) > MAX_MESSAGE_CHARS:
            raise DomainError(
                "message_too_long",
                f"A message is at most {MAX_MESSAGE_CHARS:,} characters; this one has {len(body):,}.",
                limit=MAX_MESSAGE_CHARS,
                length=len(body),
            )
        message = Message(message_id=message_id, author_id=author_id, text=body, posted_at=now)
        return message, [MessagePosted(message)]

    def lock(self, by: MemberId) -> tuple[Chat, list[Event]]:
        if self.locked:
            return self, []
        return Chat(locked=True), [ChatLocked(by=by)]

    def unlock(self, by: MemberId) -> tuple[Chat, list[Event]]:
        if not self.locked:
            return self, []
        return Chat(locked=False), [ChatUnlocked(by=by)]

    def to_dict(self) -> dict[str, Any]:
        return {"locked": self.locked}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Chat:
        return cls(locked=bool(data.get("locked", False)))


def remove_message(message: Message, by: MemberId) -> tuple[Message, list[Event]]:
    """The facilitator removes a message; it stays as a marked gap in the conversation."""
    if message.is_removed:
        raise Conflict(
            "message_already_removed", "This message has already been removed.", message_id=message.message_id
        )
    return replace(message, removed_by=by), [MessageRemoved(message_id=message.message_id, by=by)]
