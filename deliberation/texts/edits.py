"""The amendments that turn a clause or a version into another: in-place edits, drafters' revisions."""
from __future__ import annotations

import difflib
from typing import Optional

from deliberation.errors import DomainError
from deliberation.texts.amendments import (
    Amendment,
    DeleteClause,
    InsertClause,
    MoveClause,
    ReplaceWords,
    require_clause,
)
from deliberation.texts.clauses import Version
from deliberation.texts.diffs import staying_keys
from deliberation.texts.spans import word_spans, words


def _edge_space(body: str) -> tuple[str, str]:
    stripped = body.strip()
    if not stripped:
        return body, ""
    lead = body[: len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()) :]
    return lead, trail


def _edit_regions(old: str, new: str) -> list[tuple[int, int, str]]:
    """Word spans of `old` and the text replacing each, such that applying them gives `new`.

    Starts from difflib's matching words and gives up a matching word whenever the
    whitespace around it could not come out right under the ReplaceWords conventions.
    """
    old_spans, new_spans = word_spans(old), word_spans(new)
    n, m = len(old_spans), len(new_spans)
    matcher = difflib.SequenceMatcher(
        a=[old[s:e] for s, e in old_spans], b=[new[s:e] for s, e in new_spans], autojunk=False
    )
    anchors = [(blk.a + k, blk.b + k) for blk in matcher.get_matching_blocks() for k in range(blk.size)]

    def inner(text: str, spans: list[tuple[int, int]], left: int, right: int) -> str:
        lo = spans[left][1] if left >= 0 else 0
        hi = spans[right][0] if right < len(spans) else len(text)
        return text[lo:hi]

    def replacement(left: tuple[int, int], right: tuple[int, int]) -> str:
        if left[1] + 1 >= right[1]:
            return ""
        return new[new_spans[left[1] + 1][0] : new_spans[right[1] - 1][1]]

    def region_ok(left: tuple[int, int], right: tuple[int, int]) -> bool:
        (ia, ja), (ib, jb) = left, right
        text = replacement(left, right)
        lo = old_spans[ia][1] if ia >= 0 else 0
        hi = old_spans[ib][0] if ib < n else len(old)
        if ia + 1 < ib:
            first, last = old_spans[ia + 1][0], old_spans[ib - 1][1]
            if text:
                result = old[lo:first] + text + old[last:hi]
            elif ib < n:
                result = old[lo:first]
            elif ia >= 0:
                result = old[last:hi]
            else:
                result = old[lo:first] + old[last:hi]
        elif not text:
            result = old[lo:hi]
        elif n == 0:
            result = old[lo:hi] + text
        elif ib < n:
            result = old[lo:hi] + text + " "
        else:
            result = " " + text + old[lo:hi]
        return result == inner(new, new_spans, ja, jb)

    start, finish = (-1, -1), (n, m)
    kept = [start]
    for anchor in anchors:
        if region_ok(kept[-1], anchor):
            kept.append(anchor)
        elif len(kept) > 1 and region_ok(kept[-2], anchor):
            kept[-1] = anchor  # the previous word's trailing whitespace was what changed
    while not region_ok(kept[-1], finish):
        kept.pop()  # (start, finish) always works: one replacement of every word
    kept.append(finish)

    regions = []
    for left, right in zip(kept, kept[1:]):
        if left[0] + 1 < right[0] or left[1] + 1 < right[1]:
            regions.append((left[0] + 1, right[0], replacement(left, right)))
    return regions


def amendments_from_edit(
    version: Version, clause_key: str, new_body: str, rationale: str, ref: str
) -> list[ReplaceWords]:
    """The word-level amendments that turn a clause into `new_body` (a member's in-place edit).

    One ReplaceWords per changed stretch, all sharing `ref`; applied together they give
    `new_body` exactly, except that the clause keeps its own leading and trailing
    whitespace. No change gives no amendments.
    """
    clause = require_clause(version, clause_key, None)
    if not words(new_body) and words(clause.body):
        raise DomainError(
            "clause_would_be_empty",
            f"This would remove every word of clause {version.position(clause_key)}; "
            "propose deleting the clause instead.",
            clause=clause_key,
        )
    lead, trail = _edge_space(clause.body)
    target = lead + new_body.strip() + trail
    return [
        ReplaceWords(clause_key, start, end, text, base_version=version.number, rationale=rationale, ref=ref)
        for start, end, text in _edit_regions(clause.body, target)
    ]


def amendments_between(
    a: Version,
    b: Version,
    *,
    rationale: str = "Changes made by the drafters between the two versions.",
    ref_prefix: str = "edit",
) -> list[Amendment]:
    """The amendments that turn version `a` into version `b`.

    `apply(a, amendments_between(a, b), n)` has b's clauses, keys and bodies in b's order,
    provided b numbers its new clauses in reading order from n (as `apply` and
    `align_clauses` do) and reworded clauses keep their edge whitespace. Refs are
    "<ref_prefix>:1", "<ref_prefix>:2", ... in b's reading order, so clauses placed at the
    same spot keep b's order.
    """
    staying = staying_keys(a, b)
    a_keys = set(a.keys)
    result: list[Amendment] = []
    counter = 0

    def next_ref() -> str:
        nonlocal counter
        counter += 1
        return f"{ref_prefix}:{counter}"

    anchor: Optional[str] = None
    for clause in b.clauses:
        if clause.key not in a_keys:
            result.append(
                InsertClause(anchor, clause.body, base_version=a.number, rationale=rationale, ref=next_ref())
            )
            continue
        if clause.key not in staying:
            result.append(
                MoveClause(clause.key, anchor, base_version=a.number, rationale=rationale, ref=next_ref())
            )
        else:
            anchor = clause.key
        old = a.clause(clause.key)
        assert old is not None
        if old.body != clause.body:
            result.extend(amendments_from_edit(a, clause.key, clause.body, rationale, next_ref()))
    b_keys = set(b.keys)
    for clause in a.clauses:
        if clause.key not in b_keys:
            result.append(DeleteClause(clause.key, base_version=a.number, rationale=rationale, ref=next_ref()))
    return result
