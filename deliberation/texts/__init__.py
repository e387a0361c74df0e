"""Texts: clauses and versions; amendments (validate, apply, conflicts, carry); diffs; provenance.

A text is an ordered list of clauses with keys that are never reused; each accepted set of
amendments gives the next numbered `Version`. One room per concern:

    clauses.py      splitting Markdown into clauses, keys, numbering, versions
    spans.py        words of a clause and how a word span is replaced
    amendments.py   the four kinds of amendment and their validation
    conflicts.py    when two amendments conflict, and why
    applying.py     accepted amendments -> the next version
    carrying.py     pending amendments carried onto a newer version
    diffs.py        word diffs and comparing two versions
    edits.py        the amendments that turn one clause or version into another
    provenance.py   composite drafts that remember the submissions they came from

Callers import from here (`from deliberation import texts`; `texts.apply(...)`).
"""
from deliberation.texts.amendments import (
    RATIONALE_LIMIT,
    Amendment,
    DeleteClause,
    InsertClause,
    MoveClause,
    ReplaceWords,
    validate,
)
from deliberation.texts.applying import apply
from deliberation.texts.carrying import (
    CarryResult,
    FlaggedAmendment,
    carry,
    carry_pending,
)
from deliberation.texts.clauses import (
    MAX_CLAUSE_CHARS,
    MAX_CLAUSES,
    Clause,
    Version,
    align_clauses,
    as_markdown,
    clause_key,
    key_number,
    next_key_number,
    number_clauses,
    split_into_clauses,
    validate_bodies,
)
from deliberation.texts.conflicts import (
    AmendmentConflict,
    conflict_reason,
    conflicts,
    explain_conflicts,
    find_conflicts,
)
from deliberation.texts.diffs import (
    DELETE,
    EQUAL,
    INSERT,
    ClauseDiff,
    ClauseStatus,
    WordOp,
    diff_versions,
    diff_words,
    new_text,
    old_text,
)
from deliberation.texts.edits import amendments_between, amendments_from_edit
from deliberation.texts.provenance import compose
from deliberation.texts.spans import words

__all__ = [
    "DELETE",
    "EQUAL",
    "INSERT",
    "MAX_CLAUSES",
    "MAX_CLAUSE_CHARS",
    "RATIONALE_LIMIT",
    "Amendment",
    "AmendmentConflict",
    "CarryResult",
    "Clause",
    "ClauseDiff",
    "ClauseStatus",
    "DeleteClause",
    "FlaggedAmendment",
    "InsertClause",
    "MoveClause",
    "ReplaceWords",
    "Version",
    "WordOp",
    "align_clauses",
    "amendments_between",
    "amendments_from_edit",
    "apply",
    "as_markdown",
    "carry",
    "carry_pending",
    "clause_key",
    "compose",
    "conflict_reason",
    "conflicts",
    "diff_versions",
    "diff_words",
    "explain_conflicts",
    "find_conflicts",
    "key_number",
    "new_text",
    "next_key_number",
    "number_clauses",
    "old_text",
    "split_into_clauses",
    "validate",
    "validate_bodies",
    "words",
]
