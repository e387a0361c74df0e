"""The four kinds of amendment and whether one can be applied to a version (validation)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from deliberation.errors import DomainError
from deliberation.texts.clauses import (
    MAX_CLAUSE_CHARS,
    MAX_CLAUSES,
    Clause,
    Version,
    split_into_clauses,
)
from deliberation.texts.spans import BLANK_LINE, replace_words, words

RATIONALE_LIMIT = 2_000


@dataclass(frozen=True, kw_only=True)
class Amendment:
    """What every amendment carries: the version it was made against, why, and its ref.

    `ref` (e.g. "amendment:40") goes into the provenance of the clauses it shapes and
    orders clauses placed at the same spot. Several amendments may share a ref when one
    proposal makes several changes (an edit of a clause in two places).
    """

    base_version: int
    rationale: str
    ref: str


@dataclass(frozen=True)
class ReplaceWords(Amendment):
    """Replace words [start, end) of a clause by `text`; an insertion when start == end,
    a deletion when text is empty."""

    clause_key: str
    start: int
    end: int
    text: str

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    @property
    def is_deletion(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class InsertClause(Amendment):
    """Add a new clause after `after_key` (None: at the start of the text)."""

    after_key: Optional[str]
    body: str


@dataclass(frozen=True)
class DeleteClause(Amendment):
    """Remove a whole clause."""

    clause_key: str


@dataclass(frozen=True)
class MoveClause(Amendment):
    """Move a whole clause to stand after `after_key` (None: at the start of the text)."""

    clause_key: str
    after_key: Optional[str]


def natural(ref: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts "amendment:9" before "amendment:10"."""
    parts = re.split(r"(\d+)", ref)
    return tuple((0, int(p), p) if i % 2 else (1, 0, p) for i, p in enumerate(parts))


def placement_order(a: Amendment) -> tuple[tuple[tuple[int, int, str], ...], int, str]:
    """Where an insertion or move stands among others placed after the same clause."""
    if isinstance(a, InsertClause):
        return (natural(a.ref), 0, a.body)
    assert isinstance(a, MoveClause)
    return (natural(a.ref), 1, a.clause_key)


def anchor_of(a: Amendment) -> tuple[bool, Optional[str]]:
    if isinstance(a, (InsertClause, MoveClause)):
        return True, a.after_key
    return False, None


# --- Validation -----------------------------------------------------------------------


def require_clause(version: Version, key: str, known_keys: Optional[Iterable[str]]) -> Clause:
    clause = version.clause(key)
    if clause is not None:
        return clause
    if known_keys is not None and key in set(known_keys):
        raise DomainError(
            "clause_deleted",
            f"Clause {key} was deleted before version {version.number}, so it can no longer be amended.",
            clause=key,
            version=version.number,
        )
    raise DomainError(
        "clause_unknown",
        f"Clause {key} is not part of this text.",
        clause=key,
    )


def check_body(body: str, what: str) -> None:
    if len(body) > MAX_CLAUSE_CHARS:
        raise DomainError(
            "clause_too_long",
            f"{what} would be {len(body):,} characters long; the limit is {MAX_CLAUSE_CHARS:,}.",
            limit=MAX_CLAUSE_CHARS,
        )


def _validate_replace(a: ReplaceWords, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    clause = require_clause(version, a.clause_key, known_keys)
    number = version.position(a.clause_key)
    n = len(words(clause.body))
    if a.start < 0 or a.end < a.start or a.end > n:
        raise DomainError(
            "span_out_of_range",
            f"Clause {number} has {n} words; words {a.start + 1} to {a.end} are not a span of it.",
            clause=a.clause_key,
            start=a.start,
            end=a.end,
            words=n,
        )
    text = a.text.strip()
    if a.start == a.end and not text:
        raise DomainError(
            "span_empty",
            "Choose at least one word to change, or type the words to insert.",
            clause=a.clause_key,
        )
    if not text and a.start == 0 and a.end == n:
        raise DomainError(
            "clause_would_be_empty",
            f"This would remove every word of clause {number}; propose deleting the clause instead.",
            clause=a.clause_key,
        )
    if BLANK_LINE.search(text):
        raise DomainError(
            "clause_would_split",
            "A blank line would split the clause in two; propose a new clause instead.",
            clause=a.clause_key,
        )
    result = replace_words(clause.body, a.start, a.end, a.text)
    if result == clause.body:
        raise DomainError(
            "amendment_changes_nothing",
            f"The new words are the same as the words of clause {number} they would replace.",
            clause=a.clause_key,
        )
    check_body(result, f"Clause {number}")


def _validate_insert(a: InsertClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    if a.after_key is not None:
        require_clause(version, a.after_key, known_keys)
    if not a.body.strip():
        raise DomainError("clause_empty", "A new clause needs some words in it.")
    found = len(split_into_clauses(a.body))
    if found != 1:
        raise DomainError(
            "clause_would_split",
            f"This would add {found} clauses; propose one new clause per amendment.",
            clauses=found,
        )
    check_body(a.body, "The new clause")
    if len(version.clauses) >= MAX_CLAUSES:
        raise DomainError(
            "text_too_long",
            f"A text may have at most {MAX_CLAUSES} clauses; this one already has {len(version.clauses)}.",
            limit=MAX_CLAUSES,
        )


def _validate_delete(a: DeleteClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    require_clause(version, a.clause_key, known_keys)
    if len(version.clauses) == 1:
        raise DomainError("text_empty", "A text needs at least one clause; this would delete the last one.")


def _validate_move(a: MoveClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    require_clause(version, a.clause_key, known_keys)
    if a.after_key is not None:
        require_clause(version, a.after_key, known_keys)
    if a.after_key == a.clause_key:
        raise DomainError(
            "move_onto_itself",
            "A clause cannot be moved after itself; choose the clause it should follow.",
            clause=a.clause_key,
        )


VALIDATORS: dict[type, Callable[..., None]] = {
    ReplaceWords: _validate_replace,
    InsertClause: _validate_insert,
    DeleteClause: _validate_delete,
    MoveClause: _validate_move,
}


def validate(
    amendment: Amendment,
    version: Version,
    rationale_limit: int = RATIONALE_LIMIT,
    known_keys: Optional[Iterable[str]] = None,
) -> None:
    """Refuse an amendment that cannot be applied to `version`, with a DomainError saying why.

    `known_keys` (every key the text ever used) tells a clause deleted earlier
    (clause_deleted) from a key that never belonged to this text (clause_unknown).
    """
    if amendment.base_version != version.number:
        if amendment.base_version < version.number:
            message = (
                f"This amendment was made against version {amendment.base_version}; the text is now "
                f"at version {version.number}. It must be carried onto the new version first."
            )
        else:
            message = (
                f"This amendment was made against version {amendment.base_version}, "
                f"but the text is only at version {version.number}."
            )
        raise DomainError(
            "amendment_stale_version",
            message,
            base_version=amendment.base_version,
            version=version.number,
        )
    if not amendment.rationale.strip():
        raise DomainError("rationale_missing", "Say in a few words why this amendment improves the text.")
    if len(amendment.rationale) > rationale_limit:
        raise DomainError(
            "rationale_too_long",
            f"The rationale is {len(amendment.rationale):,} characters long; the limit is {rationale_limit:,}.",
            limit=rationale_limit,
        )
    VALIDATORS[type(amendment)](amendment, version, known_keys)
