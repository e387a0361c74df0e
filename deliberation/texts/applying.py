"""Applying accepted amendments to a version, which gives the text's next version."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from deliberation.errors import Conflict, DomainError
from deliberation.texts.amendments import (
    RATIONALE_LIMIT,
    Amendment,
    DeleteClause,
    InsertClause,
    MoveClause,
    ReplaceWords,
    check_body,
    placement_order,
    validate,
)
from deliberation.texts.clauses import (
    Clause,
    Version,
    clause_key,
    next_key_number,
    validate_bodies,
)
from deliberation.texts.conflicts import explain_conflicts
from deliberation.texts.spans import replace_words, words


def apply(
    version: Version,
    amendments: Sequence[Amendment],
    next_number: int,
    *,
    known_keys: Optional[Iterable[str]] = None,
    rationale_limit: int = RATIONALE_LIMIT,
) -> Version:
    """Apply accepted, non-conflicting amendments made against `version`; the order given does not matter.

    New clauses take fresh keys from `next_number` in reading order. Every clause an
    amendment rewords, moves or inserts gets the amendment's ref in its sources.
    """
    for amendment in amendments:
        validate(amendment, version, rationale_limit, known_keys)
    clashes = explain_conflicts(amendments)
    if clashes:
        listed = "; ".join(f"{c.first} and {c.second}: {c.reason}" for c in clashes)
        raise Conflict(
            "amendments_conflict",
            f"These amendments conflict, so the drafter must choose between them: {listed}",
            pairs=[(c.first, c.second) for c in clashes],
        )
    lowest = next_key_number(version.keys)
    if next_number < lowest:
        raise DomainError(
            "key_number_taken",
            f"New clauses must be numbered from {lowest} or later; {next_number} is already taken.",
            next_number=next_number,
        )
    clauses = _rebuild(version, amendments, next_number)
    return Version(version.number + 1, clauses)


def _rebuild(version: Version, amendments: Sequence[Amendment], next_number: int) -> tuple[Clause, ...]:
    edits: dict[str, list[ReplaceWords]] = {}
    removed: set[str] = set()
    moved_by: dict[str, str] = {}
    placed: dict[Optional[str], list[Amendment]] = {}
    for a in amendments:
        if isinstance(a, ReplaceWords):
            edits.setdefault(a.clause_key, []).append(a)
        elif isinstance(a, DeleteClause):
            removed.add(a.clause_key)
        elif isinstance(a, MoveClause):
            removed.add(a.clause_key)
            moved_by[a.clause_key] = a.ref
            placed.setdefault(a.after_key, []).append(a)
        elif isinstance(a, InsertClause):
            placed.setdefault(a.after_key, []).append(a)

    sequence: list[Amendment | Clause] = []

    def place_after(anchor: Optional[str]) -> None:
        here = sorted(placed.get(anchor, []), key=placement_order)
        sequence.extend(here)

    place_after(None)
    for clause in version.clauses:
        if clause.key not in removed:
            sequence.append(clause)
            place_after(clause.key)

    by_key = {c.key: c for c in version.clauses}
    result: list[Clause] = []
    fresh = next_number
    for item in sequence:
        if isinstance(item, InsertClause):
            result.append(Clause(clause_key(fresh), item.body, frozenset({item.ref})))
            fresh += 1
            continue
        if isinstance(item, MoveClause):
            clause = by_key[item.clause_key]
        else:
            assert isinstance(item, Clause)
            clause = item
        body = clause.body
        sources = set(clause.sources)
        # Right to left, so the word indexes of the edits still to do are not shifted.
        for edit in sorted(edits.get(clause.key, []), key=lambda e: (e.start, e.end), reverse=True):
            body = replace_words(body, edit.start, edit.end, edit.text)
            sources.add(edit.ref)
        if clause.key in moved_by:
            sources.add(moved_by[clause.key])
        result.append(Clause(clause.key, body, frozenset(sources)))

    for number, clause in enumerate(result, start=1):
        if not words(clause.body):
            raise DomainError(
                "clause_would_be_empty",
                f"Together these amendments remove every word of clause {number}; delete the clause instead.",
                clause=clause.key,
            )
        check_body(clause.body, f"Clause {number}")
    validate_bodies([c.body for c in result])
    return tuple(result)
