"""The tracker's rows: build each text's status from its rows, store the core's transitions
(a text's first line of history is written with the text, in forum.records.texts).

Statuses are built in a fixed number of queries for any number of texts, so the dashboard and the
progress page stay cheap. `load` + `apply` are what a use case needs to move one text; both run
inside the caller's transaction.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import func, select

from deliberation import phases, tracker
from deliberation.errors import NotFound
from forum.extensions import db
from forum.models import Amendment, Convention, Proposal, Support, Transition
from forum.records import audit, conventions
from forum.records import notifications as notes
from forum.records.texts import state_label

P = phases.PhaseKind
S = tracker.TextState
DISPOSED = ("accepted", "accepted_as_modified", "rejected")

# Which texts hear of a phase closing: those whose next step the close makes possible or final.
PHASE_TEXTS: dict[P, frozenset[str]] = {
    P.SUBMISSIONS: frozenset({"submission"}),
    P.DRAFTING: frozenset({"draft", "consensus"}),
    P.AMENDMENT_WINDOW: frozenset({"interim"}),
    P.FINAL_DRAFTING: frozenset({"interim"}),
    P.LEADERSHIP_ROUND: frozenset({"final"}),
    P.BALLOT: frozenset({"on_ballot"}),
}


def rules_for(convention: Convention) -> tracker.Rules:
    return conventions.rules(convention)


def origin_of(proposal: Proposal) -> tracker.Origin:
    if proposal.origin == "counter_proposal":
        return tracker.Origin.COUNTER_PROPOSAL
    if proposal.origin == "convention":
        return tracker.Origin.COMPOSITE
    return tracker.Origin.GROUP if proposal.local_group_id else tracker.Origin.INDIVIDUAL


def convention_of(proposal: Proposal) -> Convention:
    return conventions.of(proposal.convention_id)


@dataclass
class Rows:
    """What the status of many texts is built from, read in six queries."""

    supports: dict[int, int]
    since: dict[int, datetime]
    checks: dict[int, Transition]
    closed: dict[int, set[str]]
    amendments: dict[int, list[tuple[int, str, str]]]
    counters: dict[int, list[int]]
    endings: dict[int, Transition]


def read(ids: Sequence[int]) -> Rows:
    ids = list(ids)
    supports = dict(db.session.execute(
        select(Support.proposal_id, func.count()).where(Support.proposal_id.in_(ids)).group_by(Support.proposal_id)).all())
    since = dict(db.session.execute(
        select(Transition.proposal_id, func.max(Transition.at)).where(
            Transition.proposal_id.in_(ids),
            (Transition.from_state.is_(None)) | (Transition.from_state != Transition.to_state))
        .group_by(Transition.proposal_id)).all())
    checks: dict[int, Transition] = {}
    closed: dict[int, set[str]] = defaultdict(set)
    endings: dict[int, Transition] = {}
    for row in db.session.scalars(select(Transition).where(
            Transition.proposal_id.in_(ids),
            Transition.event.in_(("consensus_checked", "phase_closed", "merged_into", "superseded", "withdrawn",
                                   "ballot_declared")))
            .order_by(Transition.at, Transition.id)):
        if row.event == "consensus_checked":
            checks[row.proposal_id] = row
        elif row.event == "phase_closed":
            closed[row.proposal_id].add(row.evidence.get("phase", ""))
        else:
            endings[row.proposal_id] = row
    amendments: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pid, aid, origin, status in db.session.execute(
            select(Amendment.proposal_id, Amendment.id, Amendment.origin, Amendment.status)
            .where(Amendment.proposal_id.in_(ids))):
        amendments[pid].append((aid, origin, status))
    counters: dict[int, list[int]] = defaultdict(list)
    answering = select(Proposal.counter_to_id, Proposal.id).where(Proposal.counter_to_id.in_(ids))
    for answered, cid in db.session.execute(answering):
        if answered is not None:
            counters[answered].append(cid)
    return Rows(supports, since, checks, closed, amendments, counters, endings)


def status_of(proposal: Proposal, rows: Rows, timeline: phases.Timeline, now: datetime) -> tracker.TextStatus:
    amendments = rows.amendments.get(proposal.id, [])
    ordinary = [(a, s) for a, o, s in amendments if o != "leadership"]
    leadership = [(a, s) for a, o, s in amendments if o == "leadership"]
    check = rows.checks.get(proposal.id)
    last_check = None
    if check is not None:
        evidence = check.evidence
        last_check = tracker.recorded_check(evidence, check.reason)
    # The clock decides which phases have closed; recorded closes only fill the history.
    closed = frozenset(p.kind for p in timeline.phases if p.closes_at <= now)
    ending = rows.endings.get(proposal.id)
    evidence = ending.evidence if ending is not None else {}
    return tracker.TextStatus(
        state=S(proposal.state), since=rows.since.get(proposal.id, proposal.created_at), origin=origin_of(proposal),
        supports=rows.supports.get(proposal.id, 0), closed_phases=closed,
        amendments_pending=frozenset(a for a, s in ordinary if s == "pending"),
        amendments_disposed=frozenset(a for a, s in ordinary if s in DISPOSED),
        leadership_pending=frozenset(a for a, s in leadership if s == "pending"),
        leadership_decided=frozenset(a for a, s in leadership if s in DISPOSED),
        counter_proposals=frozenset(rows.counters.get(proposal.id, [])),
        last_check=last_check, merged_into=evidence.get("composite_id"), superseded_by=evidence.get("by_text_id"),
        withdrawn_reason=evidence.get("reason") if ending is not None and ending.event == "withdrawn" else None,
        ballot_summary=evidence.get("summary") if ending is not None and ending.event == "ballot_declared" else None)


@dataclass
class Tracked:
    """A text as the tracker sees it right now, with its explanation in plain words."""

    proposal: Proposal
    status: tracker.TextStatus
    facts: tracker.TextFacts
    explanation: str

    @property
    def state(self) -> str:
        return self.status.state.value


def tracked(items: Sequence[Proposal], convention: Convention, now: datetime | None = None) -> list[Tracked]:
    now = now or conventions.now()
    timeline = conventions.timeline(convention)
    rules = rules_for(convention)
    rows = read([p.id for p in items])
    result = []
    for proposal in items:
        status = status_of(proposal, rows, timeline, now)
        facts = tracker.facts_from_status(status, rules)
        result.append(Tracked(proposal, status, facts, tracker.explain(status, facts, timeline, now)))
    return result


def history(proposal_id: int) -> list[Transition]:
    return list(db.session.scalars(
        select(Transition).where(Transition.proposal_id == proposal_id).order_by(Transition.at, Transition.id)))


def store(proposal: Proposal, record: tracker.Transition, source: str = "") -> Transition:
    row = Transition(proposal_id=proposal.id, from_state=record.from_state.value, to_state=record.to_state.value,
                     event=record.event, at=record.at, actor_id=record.actor,
                     evidence_json=json.dumps(record.evidence, default=str, sort_keys=True), reason=record.reason,
                     source=source[:40])
    db.session.add(row)
    if proposal.state != record.to_state.value:
        proposal.state = record.to_state.value
        proposal.updated_at = record.at
    if record.from_state != record.to_state:  # a text moving on is a decision on record; a count is not
        moved = f"{state_label(record.from_state.value)} → {state_label(record.to_state.value)}"
        audit.record(record.actor, f"text_{record.event}", f"proposal {proposal.id}",
                     f"“{proposal.title}”: {moved}. {record.reason}", before={"state": record.from_state.value},
                     after={"state": record.to_state.value}, proposal_id=proposal.id, public=True)
    return row


def catch_up(proposal: Proposal, status: tracker.TextStatus, recorded: set[str], timeline: phases.Timeline,
             rules: tracker.Rules, now: datetime) -> tuple[tracker.TextStatus, list[Transition]]:
    """Record each phase that has closed over this text since it entered its state, once."""
    rows = []
    for phase in timeline.phases:
        if phase.closes_at > now or phase.kind.value in recorded or status.is_terminal:
            continue
        if status.state.value not in PHASE_TEXTS.get(phase.kind, frozenset()):
            continue
        at = phase.closes_at if phase.closes_at >= status.since else now
        status, record = tracker.transition(status, tracker.PhaseClosed(phase.kind), rules, at, None)
        rows.append(store(proposal, record, "clock"))
        recorded.add(phase.kind.value)
    return status, rows


@dataclass
class Context:
    """One text as a use case moves it: its row, rules, status, and the transitions written so far."""

    proposal: Proposal
    convention: Convention
    timeline: phases.Timeline
    rules: tracker.Rules
    status: tracker.TextStatus
    now: datetime
    rows: list[Transition] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        facts = tracker.facts_from_status(self.status, self.rules)
        return tracker.explain(self.status, facts, self.timeline, self.now)

    @property
    def moved(self) -> list[Transition]:
        return [r for r in self.rows if r.moved]

    def payload(self) -> dict:
        """Where the text stands now, as its room hears it."""
        state = self.status.state.value
        return {"id": self.proposal.id, "state": state, "state_label": state_label(state),
                "explanation": self.explanation, "supports": self.status.supports}


def load(proposal_id: int, lock: bool = True) -> Context:
    """The text, locked for the use case, with its status after any phase closes it missed."""
    stmt = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        stmt = stmt.with_for_update(of=Proposal)  # the joined author and area stay unlocked
    proposal = db.session.scalar(stmt)
    if proposal is None:
        raise NotFound("proposal_not_found", "There is no such proposal.")
    convention = convention_of(proposal)
    now = conventions.now()
    timeline = conventions.timeline(convention)
    rules = rules_for(convention)
    rows = read([proposal.id])
    status = status_of(proposal, rows, timeline, now)
    status, caught = catch_up(proposal, status, set(rows.closed.get(proposal.id, set())), timeline, rules, now)
    return Context(proposal, convention, timeline, rules, status, now, caught)


def apply(ctx: Context, event, actor_id: int | None, source: str = "") -> Transition:
    """The core's transition for this event, stored; refused in the core's words if not allowed."""
    ctx.status, record = tracker.transition(ctx.status, event, ctx.rules, ctx.now, actor_id)
    row = store(ctx.proposal, record, source)
    ctx.rows.append(row)
    return row


def merge_sources(actor_id: int, source_ids, composite_id: int, source: str) -> list[Transition]:
    """Each source submission moves to `merged_into` the new composite, or the tracker's refusal
    (e.g. too few supporters) undoes the whole composite."""
    rows = []
    for proposal_id in sorted(source_ids):
        ctx = load(proposal_id)
        rows.append(apply(ctx, tracker.MergedInto(composite_id), actor_id, source))
    return rows


def record_check(ctx: Context, event: tracker.ConsensusChecked, actor_id: int | None, source: str) -> Transition:
    """A consensus check on the text, inside the caller's transaction: refused outside the phases
    that take checks, recorded (moving the text on if it reached consensus), followers told."""
    conventions.require_phase(ctx.convention, phases.Action.RECORD_CONSENSUS_CHECK, ctx.now)
    row = apply(ctx, event, actor_id, source)
    if ctx.moved:
        notes.text_moved(ctx.proposal, ctx.moved[-1], actor_id)
    return row
