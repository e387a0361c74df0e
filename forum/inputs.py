"""What every request and socket message is held to before any page, API route or event sees it.

- Ids in URLs are whole numbers that a row can have (1 to 2**31 - 1, PostgreSQL's INTEGER);
  anything larger matches no route, so it is a 404 and never reaches the database.
- Text may not hold NUL or an unpaired surrogate: SQLite would store them, PostgreSQL refuses
  NUL, and neither can encode a lone surrogate. A member is told, and nothing is half-stored.
- Socket.IO messages are refused above MAX_SOCKET_BYTES or nested deeper than MAX_DEPTH before
  they are parsed, so no payload can exhaust memory or the parser's recursion.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.routing import IntegerConverter

from forum.records.common import MAX_ID

MAX_DEPTH = 16
MAX_SOCKET_BYTES = 64 * 1024
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What a refused socket message is replaced by; every handler's payload check refuses it.
REFUSED = {"refused": "The message was too large or too deeply nested."}


class RowId(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID, so an id no row can have is a plain 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


TOO_DEEP = "The request nests lists or objects more than {limit} deep."
UNSTORABLE = ("“{field}” contains a character that cannot be stored (a NUL or a broken character). "
              "Remove it and send again.")


def problem(value: Any, name: str = "", depth: int = 0) -> tuple[str, str] | None:
    """(field, message) for the first text that cannot be stored or the first level too deep."""
    if isinstance(value, str):
        return (name or "text", UNSTORABLE.format(field=name or "text")) if unstorable(value) else None
    if depth > MAX_DEPTH:
        return name or "body", TOO_DEEP.format(limit=MAX_DEPTH)
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(name or "body", k) for k in value] + [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(name, item) for item in value]
    for field, item in items:
        found = problem(item, field, depth + 1)
        if found:
            return found
    return None


def _request_problem() -> tuple[str, str] | None:
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            found = problem(key, "field name") or problem(value, key)
            if found:
                return found
    if not request.is_json:
        return None
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        return "body", TOO_DEEP.format(limit=MAX_DEPTH)
    return problem(data) if data is not None else None


def _check_request():
    found = _request_problem()
    if found is None:
        return None
    field, message = found
    if request.path.startswith("/api/"):
        return jsonify(error="payload_invalid", message=message, params={"field": field}), 422
    return render_template("errors/error.html", status=400, message=message), 400


def _depth_exceeds(raw: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit`, counted outside strings, without parsing."""
    depth, in_string, escaped = 0, False, False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


_EVENT_NAME = re.compile(r'\[\s*("(?:[^"\\]|\\.){1,64}")')


class SocketJSON:
    """The JSON module python-socketio parses messages with: bounded before anything is built.

    A refused message keeps its event name, so the event's handler answers it with its usual
    error ack ("payload_invalid") instead of the message vanishing without an answer.
    """

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(raw: str | bytes, **kwargs: Any) -> Any:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if len(text) <= MAX_SOCKET_BYTES and not _depth_exceeds(text, MAX_DEPTH):
            value = json.loads(text, **kwargs)
            if problem(value) is None:
                return value
        named = _EVENT_NAME.match(text)
        return [json.loads(named.group(1)), REFUSED] if named else REFUSED


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowId
    app.before_request(_check_request)
