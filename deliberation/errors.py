"""DomainError and its few subclasses: the one way the core says no.

`code` is stable for clients and tests, `message` is safe to show to a member,
`params` carry the figures the message mentions.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; maps to 422 unless a subclass says otherwise."""

    status = 422

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.params:
            body["params"] = {k: _plain(v) for k, v in self.params.items()}
        return body


class NotFound(DomainError):
    status = 404


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
