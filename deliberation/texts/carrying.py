"""Carrying pending amendments onto the newer version that accepted ones produced."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence

from deliberation.errors import Conflict, DomainError
from deliberation.texts.amendments import (
    VALIDATORS,
    Amendment,
    InsertClause,
    MoveClause,
    ReplaceWords,
    placement_order,
)
from deliberation.texts.clauses import Version
from deliberation.texts.conflicts import conflict_reason
from deliberation.texts.spans import words


def carry(amendment: Amendment, base: Version, newer: Version, applied: Sequence[Amendment]) -> Amendment:
    """Rebase an amendment made against `base` onto `newer`, which `applied` produced from base.

    Word indexes are shifted past the words the applied amendments added or removed before
    the span; a new or moved clause keeps its place among clauses placed after the same
    clause. Raises Conflict (amendment_conflicts) naming the applied amendment that touched
    its span: such an amendment is for the drafter to redo, never to guess.
    """
    if amendment.base_version != base.number:
        raise DomainError(
            "amendment_wrong_base",
            f"This amendment was made against version {amendment.base_version}, not version {base.number}.",
            base_version=amendment.base_version,
            version=base.number,
        )
    for other in applied:
        reason = conflict_reason(amendment, other)
        if reason:
            raise Conflict(
                "amendment_conflicts",
                f"{amendment.ref} conflicts with {other.ref}, which was accepted into version "
                f"{newer.number}: {reason} The drafter must look at it again.",
                amendment=amendment.ref,
                conflicting=other.ref,
                version=newer.number,
            )
    if isinstance(amendment, ReplaceWords):
        shift = sum(
            len(words(o.text)) - (o.end - o.start)
            for o in applied
            if isinstance(o, ReplaceWords) and o.clause_key == amendment.clause_key and o.end <= amendment.start
        )
        return replace(
            amendment, base_version=newer.number, start=amendment.start + shift, end=amendment.end + shift
        )
    if isinstance(amendment, (InsertClause, MoveClause)):
        after_key = _carried_anchor(amendment, newer, applied)
        return replace(amendment, base_version=newer.number, after_key=after_key)
    return replace(amendment, base_version=newer.number)


def _carried_anchor(
    amendment: InsertClause | MoveClause, newer: Version, applied: Sequence[Amendment]
) -> Optional[str]:
    # In `newer`, the clauses the applied amendments placed after this anchor follow it in
    # placement order; this one goes after those that order before it.
    anchor = amendment.after_key
    mine = placement_order(amendment)
    before = sum(
        1
        for o in applied
        if isinstance(o, (InsertClause, MoveClause)) and o.after_key == anchor and placement_order(o) < mine
    )
    if before == 0:
        return anchor
    if anchor is None:
        index = -1
    else:
        index = newer.position(anchor) - 1
        if index < 0:
            raise DomainError(
                "version_mismatch",
                f"Version {newer.number} was not produced by the amendments given: clause {anchor} is missing.",
                clause=anchor,
            )
    return newer.clauses[index + before].key


@dataclass(frozen=True)
class FlaggedAmendment:
    """A pending amendment that could not be carried onto the new version, and why."""

    amendment: Amendment
    code: str
    reason: str
    conflicting: Optional[str] = None


@dataclass(frozen=True)
class CarryResult:
    carried: tuple[Amendment, ...]
    flagged: tuple[FlaggedAmendment, ...]


def carry_pending(
    pending: Sequence[Amendment], base: Version, newer: Version, applied: Sequence[Amendment]
) -> CarryResult:
    """Carry every pending amendment onto `newer`; flag, never drop, those that cannot be carried."""
    carried: list[Amendment] = []
    flagged: list[FlaggedAmendment] = []
    for amendment in pending:
        try:
            moved = carry(amendment, base, newer, applied)
            VALIDATORS[type(moved)](moved, newer, None)
        except DomainError as err:
            flagged.append(FlaggedAmendment(amendment, err.code, err.message, err.params.get("conflicting")))
        else:
            carried.append(moved)
    return CarryResult(tuple(carried), tuple(flagged))
