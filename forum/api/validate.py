"""Parse a JSON body into plain values, or say exactly what is wrong with it."""
from __future__ import annotations

from typing import Any

from flask import request

from deliberation.errors import DomainError


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        raise DomainError("json_invalid", "Send a JSON object with Content-Type: application/json.")
    if not isinstance(data, dict):
        raise DomainError("json_invalid", "The request body must be a JSON object.")
    return data


def string(data: dict, name: str, *, required: bool = True, max_length: int = 10_000, default: str = "") -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise DomainError("field_missing", f"The field '{name}' is required.", field=name)
        return default
    if not isinstance(value, str):
        raise DomainError("field_invalid", f"The field '{name}' must be a string.", field=name)
    if len(value) > max_length:
        raise DomainError("field_too_long", f"The field '{name}' is limited to {max_length:,} characters.", field=name)
    return value


def integer(data: dict, name: str, *, required: bool = True, choices: tuple[int, ...] | None = None) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise DomainError("field_missing", f"The field '{name}' is required.", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("field_invalid", f"The field '{name}' must be a whole number.", field=name)
    if choices is not None and value not in choices:
        raise DomainError("field_invalid", f"The field '{name}' must be one of {', '.join(map(str, choices))}.",
                          field=name)
    return value


def integers(data: dict, name: str) -> list[int]:
    value = data.get(name, [])
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise DomainError("field_invalid", f"The field '{name}' must be a list of whole numbers.", field=name)
    return value


def boolean(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise DomainError("field_invalid", f"The field '{name}' must be true or false.", field=name)
    return value
