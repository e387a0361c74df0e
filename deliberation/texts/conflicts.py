"""When two amendments made against the same version conflict, and why, in a member's words.

Two amendments made against the same version conflict when:
- both change words of one clause and their spans overlap; an insertion point counts as
  touching the words on both of its sides, so an insertion conflicts with another
  insertion at the same point and with any change at or right next to it;
- one deletes a clause the other changes, deletes or moves;
- one deletes or moves the clause another places a clause after (its anchor moves away);
- both move the same clause.
Two insertions (or moves) after the same clause do NOT conflict: both are kept, in the
order of their refs ("amendment:9" before "amendment:10"), because adding two new clauses
in one place is a common and compatible wish, and the drafter can move them afterwards.
Rewording a clause and moving it do not conflict either: one changes what it says, the
other where it stands, and they compose without ambiguity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from deliberation.texts.amendments import (
    Amendment,
    DeleteClause,
    MoveClause,
    ReplaceWords,
    anchor_of,
    natural,
)


def _word_clash(a: Amendment, b: Amendment) -> Optional[str]:
    if not (isinstance(a, ReplaceWords) and isinstance(b, ReplaceWords)) or a.clause_key != b.clause_key:
        return None
    if a.is_insertion and b.is_insertion:
        return "Both insert words at the same place in the same clause." if a.start == b.start else None
    if a.is_insertion or b.is_insertion:
        point, span = (a, b) if a.is_insertion else (b, a)
        if span.start <= point.start <= span.end:
            return (
                f"One inserts words right at or inside words {span.start + 1} to {span.end} "
                "of the same clause, which the other changes."
            )
        return None
    if a.start < b.end and b.start < a.end:
        first, last = max(a.start, b.start) + 1, min(a.end, b.end)
        where = f"word {first}" if first == last else f"words {first} to {last}"
        return f"Both change {where} of the same clause."
    return None


def _deleted_target(a: Amendment, b: Amendment) -> Optional[str]:
    if not isinstance(a, DeleteClause):
        return None
    if isinstance(b, DeleteClause) and b.clause_key == a.clause_key:
        return "Both delete the same clause."
    if isinstance(b, MoveClause) and b.clause_key == a.clause_key:
        return "One deletes the clause the other moves."
    if isinstance(b, ReplaceWords) and b.clause_key == a.clause_key:
        return "One deletes the clause the other rewords."
    return None


def _anchor_removed(a: Amendment, b: Amendment) -> Optional[str]:
    placed, anchor = anchor_of(b)
    if not placed or anchor is None:
        return None
    if isinstance(a, DeleteClause) and a.clause_key == anchor:
        return "One deletes the clause the other places a clause after."
    if isinstance(a, MoveClause) and a.clause_key == anchor:
        return "One moves the clause the other places a clause after."
    return None


def _same_move(a: Amendment, b: Amendment) -> Optional[str]:
    if isinstance(a, MoveClause) and isinstance(b, MoveClause) and a.clause_key == b.clause_key:
        return "Both move the same clause."
    return None


# Each rule is tried both ways round; the first that fires gives the reason.
_CONFLICT_RULES: tuple[Callable[[Amendment, Amendment], Optional[str]], ...] = (
    _word_clash,
    _deleted_target,
    _anchor_removed,
    _same_move,
)


def conflict_reason(a: Amendment, b: Amendment) -> Optional[str]:
    """Why two amendments made against the same version conflict, in a member's words, or None."""
    for rule in _CONFLICT_RULES:
        reason = rule(a, b) or rule(b, a)
        if reason:
            return reason
    return None


def conflicts(a: Amendment, b: Amendment) -> bool:
    """Whether two amendments made against the same version touch the same span."""
    return conflict_reason(a, b) is not None


@dataclass(frozen=True)
class AmendmentConflict:
    first: str
    second: str
    reason: str


def explain_conflicts(amendments: Sequence[Amendment]) -> list[AmendmentConflict]:
    """Every conflicting pair among `amendments`, with the reason, in ref order, each pair once."""
    ordered = sorted(amendments, key=lambda a: natural(a.ref))
    found: dict[tuple[str, str], AmendmentConflict] = {}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            reason = conflict_reason(a, b)
            if reason and (a.ref, b.ref) not in found:
                found[(a.ref, b.ref)] = AmendmentConflict(a.ref, b.ref, reason)
    return list(found.values())


def find_conflicts(amendments: Sequence[Amendment]) -> list[tuple[str, str]]:
    """The refs of every conflicting pair among `amendments`, in ref order."""
    return [(c.first, c.second) for c in explain_conflicts(amendments)]
