"""Loading one row by id, or a clean "not found" in the member's words."""
from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable

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


def referenced(model: type[T], row_id: int | None) -> T:
    """The row a foreign key of a loaded row points at. The database's constraint guarantees it is
    there, so its absence is a broken database, never a member's mistake."""
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is referenced but missing")
    return row


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
