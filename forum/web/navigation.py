"""Where a page sends the member after a form: only ever to a path on this site."""
from __future__ import annotations

from flask import request


def safe_next(default: str) -> str:
    """Where to go after a form: a local path the form named, else the default."""
    target = request.values.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
