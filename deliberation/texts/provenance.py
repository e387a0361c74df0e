"""Provenance of composite drafts: clauses picked from submissions keep the refs that fed them."""
from __future__ import annotations

from typing import Sequence

from deliberation.texts.clauses import Clause, clause_key, validate_bodies


def compose(parts: Sequence[tuple[str, Clause]], first_number: int) -> list[Clause]:
    """A composite draft built clause by clause from picks of (source ref, clause).

    Each clause gets a fresh key; its sources are the ref it was picked from plus the
    picked clause's own sources, so the draft remembers which submissions fed it.
    """
    validate_bodies([clause.body for _, clause in parts])
    return [
        Clause(clause_key(first_number + i), clause.body, frozenset({source}) | clause.sources)
        for i, (source, clause) in enumerate(parts)
    ]
