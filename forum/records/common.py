"""Loading one row by id, or a clean "not found" in the member's words."""
from __future__ import annotations

from typing import Any, TypeVar

from deliberation.errors import NotFound
from forum.extensions import db

T = TypeVar("T")

# The widest id any table holds on every supported database (PostgreSQL's 32-bit INTEGER); a
# larger number can name no row, and passing it on would be a database error, not a 404.
MAX_ID = 2**31 - 1


def found(model: type[T], row_id: Any, code: str, message: str, **options: Any) -> T:
    """The row of `model` with this id, or NotFound(code, message) when there is none."""
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        raise NotFound(code, message)
    row = db.session.get(model, row_id, **options)
    if row is None:
        raise NotFound(code, message)
    return row
