"""Count the SQL statements a block of code sends."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum.extensions import db


class Queries:
    """The statements seen so far; `len()` counts them, `statements` lists their SQL."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"<{len(self)} queries>"


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[Queries]:
    """`with count_queries() as q: ...` then `q.count`: every statement sent on `engine` (the app's,
    `db.engine`, by default) while the block ran, from any thread or request."""
    engine = engine if engine is not None else db.engine
    queries = Queries()

    def seen(conn, cursor, statement, parameters, context, executemany):
        queries.statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", seen)
