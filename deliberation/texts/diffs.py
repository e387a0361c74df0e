"""Word diffs of a clause and clause-by-clause comparison of two versions.

Word diffs use the standard library's difflib: no dependency to install or audit, and its
SequenceMatcher is good enough, and fast enough, on clause-sized inputs (a clause is at
most 10,000 characters, usually a few dozen words).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Sequence

from deliberation.texts.clauses import Version
from deliberation.texts.spans import word_spans

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
WordOp = tuple[str, str]


def _leading_space(s: str) -> str:
    return s[: len(s) - len(s.lstrip())]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def diff_words(old: str, new: str) -> list[WordOp]:
    """Word-level diff: ("equal"|"delete"|"insert", text) ops.

    Joining the equal and delete texts gives `old` exactly; joining the equal and insert
    texts gives `new` exactly. Words are never split between ops, so rendering deleted text
    struck through and inserted text marked shows every word once.
    """
    old_spans, new_spans = word_spans(old), word_spans(new)
    matcher = difflib.SequenceMatcher(
        a=[old[s:e] for s, e in old_spans], b=[new[s:e] for s, e in new_spans], autojunk=False
    )
    ops: list[WordOp] = []

    def emit(tag: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == tag:
            ops[-1] = (tag, ops[-1][1] + text)
        else:
            ops.append((tag, text))

    def between(o: str, n: str) -> None:
        # Keep the whitespace both sides share as context; the rest is deleted or inserted.
        lead = _common_prefix(_leading_space(o), _leading_space(n))
        emit(EQUAL, o[:lead])
        o, n = o[lead:], n[lead:]
        tail = _common_prefix(o[::-1][: len(o) - len(o.rstrip())], n[::-1][: len(n) - len(n.rstrip())])
        tail = min(tail, len(o), len(n))
        emit(DELETE, o[: len(o) - tail])
        emit(INSERT, n[: len(n) - tail])
        emit(EQUAL, o[len(o) - tail :])

    old_at = new_at = 0
    for i, j, size in matcher.get_matching_blocks():
        if size == 0:
            between(old[old_at:], new[new_at:])
            break
        between(old[old_at : old_spans[i][0]], new[new_at : new_spans[j][0]])
        for k in range(size):
            if k:
                old_gap = old[old_spans[i + k - 1][1] : old_spans[i + k][0]]
                new_gap = new[new_spans[j + k - 1][1] : new_spans[j + k][0]]
                if old_gap == new_gap:
                    emit(EQUAL, old_gap)
                else:
                    emit(DELETE, old_gap)
                    emit(INSERT, new_gap)
            s, e = old_spans[i + k]
            emit(EQUAL, old[s:e])
        old_at, new_at = old_spans[i + size - 1][1], new_spans[j + size - 1][1]
    return ops


def old_text(ops: Sequence[WordOp]) -> str:
    """The text before the change: equal and deleted parts."""
    return "".join(text for tag, text in ops if tag != INSERT)


def new_text(ops: Sequence[WordOp]) -> str:
    """The text after the change: equal and inserted parts."""
    return "".join(text for tag, text in ops if tag != DELETE)


# --- Comparing versions ---------------------------------------------------------------


class ClauseStatus(Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    INSERTED = "inserted"
    DELETED = "deleted"
    MOVED = "moved"


@dataclass(frozen=True)
class ClauseDiff:
    """One clause of a comparison between two versions.

    `ops` is the word diff (for an inserted clause one insert op, for a deleted one one
    delete op). Side by side: the old column shows equal+delete ops, the new column
    equal+insert ops; inline: all ops in order. A moved clause may also be reworded.
    """

    key: str
    status: ClauseStatus
    ops: tuple[WordOp, ...]
    old_number: Optional[int]
    new_number: Optional[int]
    sources: frozenset[str] = frozenset()

    @property
    def old_body(self) -> Optional[str]:
        return None if self.status is ClauseStatus.INSERTED else old_text(self.ops)

    @property
    def new_body(self) -> Optional[str]:
        return None if self.status is ClauseStatus.DELETED else new_text(self.ops)

    @property
    def old_ops(self) -> tuple[WordOp, ...]:
        return tuple(op for op in self.ops if op[0] != INSERT)

    @property
    def new_ops(self) -> tuple[WordOp, ...]:
        return tuple(op for op in self.ops if op[0] != DELETE)

    @property
    def reworded(self) -> bool:
        return self.status not in (ClauseStatus.INSERTED, ClauseStatus.DELETED) and any(
            tag != EQUAL for tag, _ in self.ops
        )


def staying_keys(a: Version, b: Version) -> set[str]:
    """Clauses in both versions that kept their relative order; the other common ones moved."""
    b_keys = set(b.keys)
    a_common = [k for k in a.keys if k in b_keys]
    a_set = set(a.keys)
    b_common = [k for k in b.keys if k in a_set]
    matcher = difflib.SequenceMatcher(a=a_common, b=b_common, autojunk=False)
    return {a_common[blk.a + k] for blk in matcher.get_matching_blocks() for k in range(blk.size)}


def diff_versions(a: Version, b: Version) -> list[ClauseDiff]:
    """Compare two versions clause by clause, in the reading order of `b`.

    A deleted clause is listed after the clause that preceded it in `a`.
    """
    staying = staying_keys(a, b)
    b_keys = set(b.keys)
    deleted_after: dict[Optional[str], list[ClauseDiff]] = {}
    anchor: Optional[str] = None
    for number, clause in enumerate(a.clauses, start=1):
        if clause.key in staying:
            anchor = clause.key
        elif clause.key not in b_keys:
            deleted_after.setdefault(anchor, []).append(
                ClauseDiff(clause.key, ClauseStatus.DELETED, ((DELETE, clause.body),), number, None, clause.sources)
            )

    result: list[ClauseDiff] = list(deleted_after.get(None, []))
    for number, clause in enumerate(b.clauses, start=1):
        old = a.clause(clause.key)
        if old is None:
            result.append(
                ClauseDiff(clause.key, ClauseStatus.INSERTED, ((INSERT, clause.body),), None, number, clause.sources)
            )
        else:
            ops = tuple(diff_words(old.body, clause.body))
            if clause.key not in staying:
                status = ClauseStatus.MOVED
            elif old.body == clause.body:
                status = ClauseStatus.UNCHANGED
            else:
                status = ClauseStatus.CHANGED
            result.append(ClauseDiff(clause.key, status, ops, a.position(clause.key), number, clause.sources))
        result.extend(deleted_after.get(clause.key, []))
    return result
