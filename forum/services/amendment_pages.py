"""What the pages show about amendments: a text's amendments by clause with conflicts, scores and
who may do what now; one amendment; the comparison of two versions. Read-only, a fixed number of
queries per page."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberation import phases, texts
from deliberation.errors import DomainError, NotFound
from deliberation.phases import Action
from forum.extensions import db
from forum.models import Amendment, AmendmentVote, Proposal, ProposalVersion
from forum.permissions import can
from forum.records import amendments as records
from forum.records import conventions, votes
from forum.records import texts as text_records
from forum.records.amendments import CHANGES, ORDERS, STATUS_FILTERS, Source


@dataclass
class ProposalAmendments:
    """Everything the proposal page shows about amendments, loaded in a fixed number of queries."""

    by_clause: dict[str, list[Amendment]]
    elsewhere: list[Amendment]  # amendments whose clause is not in this version (deleted, or an older version)
    conflicts: dict[int, list[tuple[int, str]]]
    open_counts: dict[str, int]
    total: int
    shown: int
    mine: dict[int, int]
    ops: dict[int, list]
    origin: Optional[str]  # the kind of amendment this person may propose now, if any
    refusal: Optional[str]  # else why not, in the core's words
    can_vote: bool
    vote_refusal: Optional[str]
    can_dispose: bool
    dispose_refusal: Optional[str]
    sources: dict[str, Source]
    status: str
    order: str
    clause: Optional[str]
    version_number: int
    changes: dict[str, str] = field(default_factory=lambda: CHANGES)


def amendment_page(actor, proposal: Proposal, version: ProposalVersion, status: str = "open", order: str = "score",
                   clause: str | None = None) -> ProposalAmendments:
    status = status if status in STATUS_FILTERS else "open"
    order = order if order in ORDERS else "score"
    rows = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)
                                   .options(joinedload(Amendment.disposed_by))).unique())
    conflicts = records.conflicts(rows, proposal.current_version)
    conflicting = set(conflicts)
    keys = {c.key for c in version.clauses}
    by_clause: dict[str, list[Amendment]] = defaultdict(list)
    open_counts: dict[str, int] = defaultdict(int)
    elsewhere: list[Amendment] = []
    shown = 0
    for row in sorted(rows, key=records.sort_key(order)):
        target = (row.clause_key or "") if row.kind != "insert_clause" else (row.after_key or version.clauses[0].key)
        here = target in keys and (row.status != "pending" or row.base_version == version.number
                                   or row.flag_code is not None)
        if row.status == "pending" and here:
            open_counts[target] += 1
        if not records.matches(row, status, conflicting) or (clause and target != clause):
            continue
        shown += 1
        (by_clause[target] if here else elsewhere).append(row)
    mine = votes.mine(AmendmentVote, Amendment, "amendment_id", proposal.id, actor)
    timeline = conventions.timeline(conventions.of(proposal.convention_id))
    at = conventions.now()
    signed_in = bool(getattr(actor, "is_authenticated", False))
    drafter = signed_in and can(actor, "draft_text", proposal)
    origin = refusal = None
    if version.number != proposal.current_version:
        refusal = f"You are reading version {version.number}; amendments are made to the current version."
    elif signed_in:
        try:
            origin = records.origin_for(proposal, timeline, at, drafter, can(actor, "amend_as_leadership"))
        except DomainError as err:
            refusal = err.message
    vote = phases.allowed(Action.VOTE_AMENDMENT, timeline, at)
    dispose = phases.allowed(Action.DISPOSE_AMENDMENT, timeline, at)
    if not dispose.allowed and proposal.state == "final":
        dispose = phases.allowed(Action.DECIDE_LEADERSHIP_AMENDMENT, timeline, at)
    return ProposalAmendments(
        by_clause=dict(by_clause), elsewhere=elsewhere, conflicts=conflicts, open_counts=dict(open_counts),
        total=len(rows), shown=shown, mine=mine, ops={r.id: json.loads(r.ops_json) for r in rows},
        origin=origin, refusal=refusal, can_vote=signed_in and vote.allowed,
        vote_refusal=None if vote.allowed else vote.reason,
        can_dispose=drafter and dispose.allowed, dispose_refusal=None if dispose.allowed else dispose.reason,
        sources=records.sources([s for c in version.clauses for s in c.sources], rows),
        status=status, order=order, clause=clause, version_number=version.number)


def list_amendments(proposal_id: int, status: str = "all", order: str = "score", clause: str | None = None,
                    origin: str | None = None) -> tuple[list[Amendment], dict[int, list[tuple[int, str]]]]:
    proposal = text_records.get_proposal(proposal_id)
    rows = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)))
    conflicts = records.conflicts(rows, proposal.current_version)
    picked = [r for r in rows if records.matches(r, status if status in STATUS_FILTERS else "all", set(conflicts))
              and (not clause or clause in (r.clause_key, r.after_key)) and (not origin or r.origin == origin)]
    return sorted(picked, key=records.sort_key(order)), conflicts


def get_amendment(amendment_id: int) -> Amendment:
    return records.get(amendment_id)


# ----- comparing versions -----

@dataclass
class Comparison:
    proposal: Proposal
    old: ProposalVersion
    new: ProposalVersion
    clauses: list[texts.ClauseDiff]
    sources: dict[str, Source]
    numbers: list[int]


def compare_versions(proposal_id: int, old_number: int, new_number: int) -> Comparison:
    proposal = text_records.get_proposal(proposal_id)
    rows = {v.number: v for v in db.session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id))}
    for n in (old_number, new_number):
        if n not in rows:
            raise NotFound("version_not_found", f"This proposal has no version {n}.")
    a, b = text_records.version_value(rows[old_number]), text_records.version_value(rows[new_number])
    diffs = texts.diff_versions(a, b)
    amendments = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)))
    sources = records.sources([s for d in diffs for s in d.sources], amendments)
    return Comparison(proposal, rows[old_number], rows[new_number], diffs, sources, sorted(rows))
