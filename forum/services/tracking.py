"""The consensus tracker in the shell: build each text's status from its rows, apply the core's
events, store the state and every transition, then tell the text's room.

`record_consensus_check` is the one entry other parts call (live sessions will); the forms and
the API here call the same functions. Statuses are built in a fixed number of queries for any
number of texts, so the dashboard and the progress page stay cheap.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from sqlalchemy import func, select

from deliberation import consensus, phases, tracker
from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db, socketio, transaction
from forum.models import Amendment, Assembly, AssemblySeat, Convention, Proposal, Support, Transition
from forum.models.lifecycle import ConventionRules
from forum.permissions import require
from forum.records import conventions
from forum.services.proposals import STATE_LABELS, get_proposal

P = phases.PhaseKind
S = tracker.TextState
DISPOSED = ("accepted", "accepted_as_modified", "rejected")
RESPONSES = {**{r.value: r for r in consensus.Response}, "reservations": consensus.Response.AGREE_WITH_RESERVATIONS}

# Which texts hear of a phase closing: those whose next step the close makes possible or final.
PHASE_TEXTS: dict[P, frozenset[str]] = {
    P.SUBMISSIONS: frozenset({"submission"}),
    P.DRAFTING: frozenset({"draft", "consensus"}),
    P.AMENDMENT_WINDOW: frozenset({"interim"}),
    P.FINAL_DRAFTING: frozenset({"interim"}),
    P.LEADERSHIP_ROUND: frozenset({"final"}),
    P.BALLOT: frozenset({"on_ballot"}),
}


# ----- reading a text's status -----

def rules_for(convention: Convention) -> tracker.Rules:
    return conventions.rules(convention)


def origin_of(proposal: Proposal) -> tracker.Origin:
    if proposal.origin in ("convention", "counter_proposal"):
        return tracker.Origin.COMPOSITE
    return tracker.Origin.GROUP if proposal.local_group_id else tracker.Origin.INDIVIDUAL


@dataclass
class _Rows:
    """What the status of many texts is built from, read in six queries."""

    supports: dict[int, int]
    since: dict[int, datetime]
    checks: dict[int, Transition]
    closed: dict[int, set[str]]
    amendments: dict[int, list[tuple[int, str, str]]]
    counters: dict[int, list[int]]
    endings: dict[int, Transition]


def _read(ids: Sequence[int]) -> _Rows:
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
    for pid, cid in db.session.execute(select(Proposal.counter_to_id, Proposal.id).where(Proposal.counter_to_id.in_(ids))):
        counters[pid].append(cid)
    return _Rows(supports, since, checks, closed, amendments, counters, endings)


def _status(proposal: Proposal, rows: _Rows, timeline: phases.Timeline, now: datetime) -> tracker.TextStatus:
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
    rows = _read([p.id for p in items])
    result = []
    for proposal in items:
        status = _status(proposal, rows, timeline, now)
        facts = tracker.facts_from_status(status, rules)
        result.append(Tracked(proposal, status, facts, tracker.explain(status, facts, timeline, now)))
    return result


def track(proposal_id: int) -> Tracked:
    proposal = get_proposal(proposal_id)
    return tracked([proposal], _convention(proposal))[0]


def history(proposal_id: int) -> list[Transition]:
    return list(db.session.scalars(
        select(Transition).where(Transition.proposal_id == proposal_id).order_by(Transition.at, Transition.id)))


def _convention(proposal: Proposal) -> Convention:
    return db.session.get(Convention, proposal.convention_id)


# ----- applying events -----

def _store(proposal: Proposal, record: tracker.Transition, source: str = "") -> Transition:
    row = Transition(proposal_id=proposal.id, from_state=record.from_state.value, to_state=record.to_state.value,
                     event=record.event, at=record.at, actor_id=record.actor,
                     evidence_json=json.dumps(record.evidence, default=str, sort_keys=True), reason=record.reason,
                     source=source[:40])
    db.session.add(row)
    if proposal.state != record.to_state.value:
        proposal.state = record.to_state.value
        proposal.updated_at = record.at
    return row


def record_start(proposal: Proposal, actor_id: int | None) -> Transition:
    """The first line of a text's history, written in the transaction that creates it."""
    convention = _convention(proposal)
    if proposal.origin == "counter_proposal":
        event, reason = "counter_proposal_tabled", "Tabled by the leadership as a counter-proposal."
    elif proposal.origin == "convention":
        event, reason = "drafted", "Drafted by the assembly as a text of the convention."
    elif proposal.local_group_id:
        event, reason = "submitted", "Submitted on behalf of a local group; it is eligible as it stands."
    else:
        event = "submitted"
        reason = (f"Submitted by a member; it needs {convention.support_threshold} supporting members before the "
                  "submissions window closes.")
    row = Transition(proposal_id=proposal.id, from_state=None, to_state=proposal.state, event=event,
                     at=conventions.now(), actor_id=actor_id, evidence_json=json.dumps({"origin": proposal.origin}),
                     reason=reason, source="")
    db.session.add(row)
    return row


def _catch_up(proposal: Proposal, status: tracker.TextStatus, recorded: set[str], timeline: phases.Timeline,
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
        rows.append(_store(proposal, record, "clock"))
        recorded.add(phase.kind.value)
    return status, rows


@dataclass
class _Context:
    proposal: Proposal
    convention: Convention
    timeline: phases.Timeline
    rules: tracker.Rules
    status: tracker.TextStatus
    now: datetime
    rows: list[Transition] = field(default_factory=list)


def _load(proposal_id: int, lock: bool = True) -> _Context:
    """The text, locked for the use case, with its status after any phase closes it missed."""
    stmt = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        stmt = stmt.with_for_update(of=Proposal)  # the joined author and area stay unlocked
    proposal = db.session.scalar(stmt)
    if proposal is None:
        raise NotFound("proposal_not_found", "There is no such proposal.")
    convention = _convention(proposal)
    now = conventions.now()
    timeline = conventions.timeline(convention)
    rules = rules_for(convention)
    rows = _read([proposal.id])
    status = _status(proposal, rows, timeline, now)
    status, caught = _catch_up(proposal, status, set(rows.closed.get(proposal.id, set())), timeline, rules, now)
    return _Context(proposal, convention, timeline, rules, status, now, caught)


def _apply(ctx: _Context, event, actor_id: int | None, source: str = "") -> Transition:
    ctx.status, record = tracker.transition(ctx.status, event, ctx.rules, ctx.now, actor_id)
    row = _store(ctx.proposal, record, source)
    ctx.rows.append(row)
    return row


def _announce(ctx: _Context, actor_id: int | None) -> None:
    """After commit: tell the text's room where it stands now, and its followers what moved."""
    facts = tracker.facts_from_status(ctx.status, ctx.rules)
    explanation = tracker.explain(ctx.status, facts, ctx.timeline, ctx.now)
    socketio.emit("text_tracked", {"id": ctx.proposal.id, "state": ctx.status.state.value,
                                   "state_label": STATE_LABELS.get(ctx.status.state.value, ctx.status.state.value),
                                   "explanation": explanation, "supports": ctx.status.supports},
                  to=f"text:{ctx.proposal.id}")
    moved = [r for r in ctx.rows if r.moved]
    if moved:
        from forum.services import notifications
        notifications.text_moved(ctx.proposal, moved[-1], actor_id)


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _responses(responses: Mapping[str, int]) -> dict[consensus.Response, int]:
    parsed = {}
    for key, value in responses.items():
        if key not in RESPONSES:
            raise DomainError("response_unknown", f"“{key}” is not a response; use agree, reservations, "
                              "stand_aside or block.", response=key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError("response_count_invalid", "Each response count must be a whole number.")
        parsed[RESPONSES[key]] = value
    return parsed


def record_consensus_check(actor, proposal_id: int, responses: Mapping[str, int], seated: int, present: int,
                           reasons: Sequence[str], source: str) -> Transition:
    """Record an assembly's consensus check on a text; consensus moves it on, a shortfall is kept too."""
    with transaction():
        row, ctx = apply_consensus_check(actor, proposal_id, responses, seated, present, reasons, source)
    _announce(ctx, _actor_id(actor))
    return row


def apply_consensus_check(actor, proposal_id: int, responses: Mapping[str, int], seated: int, present: int,
                          reasons: Sequence[str], source: str, interrupted: bool = False) -> tuple[Transition, "_Context"]:
    """The same, inside the caller's transaction (a live session closing its check); the caller
    commits and then calls `announce` with the returned context."""
    parsed = _responses(responses)
    reasons = tuple(r.strip() for r in reasons if r and r.strip())
    ctx = _load(proposal_id)
    require(actor, "steer_text", ctx.proposal)
    conventions.require_phase(ctx.convention, phases.Action.RECORD_CONSENSUS_CHECK, ctx.now)
    event = tracker.ConsensusChecked(parsed, seated, reasons, present, interrupted)
    return _apply(ctx, event, _actor_id(actor), source or "form"), ctx


def announce(ctx: "_Context", actor) -> None:
    _announce(ctx, _actor_id(actor))


def _steer(actor, proposal_id: int, event_for, action: phases.Action | None, source: str,
           permission: str = "steer_text") -> Transition:
    with transaction():
        ctx = _load(proposal_id)
        require(actor, permission, ctx.proposal)
        if action is not None:
            conventions.require_phase(ctx.convention, action, ctx.now)
        row = _apply(ctx, event_for(ctx), _actor_id(actor), source)
    _announce(ctx, _actor_id(actor))
    return row


def take_into_drafting(actor, proposal_id: int, source: str = "form") -> Transition:
    return _steer(actor, proposal_id, lambda ctx: tracker.TakenIntoDrafting(), phases.Action.DRAFT_TEXT, source)


def merge_into(actor, proposal_id: int, composite_id: int, source: str = "form") -> Transition:
    def event(ctx: _Context):
        composite = db.session.get(Proposal, composite_id)
        if composite is None or composite.convention_id != ctx.proposal.convention_id or composite.id == ctx.proposal.id:
            raise NotFound("composite_not_found", "Choose a composite text of this convention.")
        if composite.origin != "convention":
            raise DomainError("not_a_composite", "A text can only be merged into a composite drafted by an assembly.")
        return tracker.MergedInto(composite.id)
    return _steer(actor, proposal_id, event, phases.Action.DRAFT_TEXT, source)


def merge_sources(actor_id: int, source_ids, composite_id: int, source: str) -> list[Transition]:
    """Inside the caller's transaction: each source submission moves to `merged_into` the new
    composite, or the tracker's refusal (e.g. too few supporters) undoes the whole composite."""
    rows = []
    for proposal_id in sorted(source_ids):
        ctx = _load(proposal_id)
        rows.append(_apply(ctx, tracker.MergedInto(composite_id), actor_id, source))
    return rows


def publish_interim(actor, proposal_id: int, source: str = "form") -> Transition:
    return _steer(actor, proposal_id, lambda ctx: tracker.InterimPublished(), None, source)


def place_on_ballot(actor, proposal_id: int, source: str = "form") -> Transition:
    return _steer(actor, proposal_id, lambda ctx: tracker.PlacedOnBallot(), None, source)


# ----- supports -----

@dataclass(frozen=True)
class SupportCount:
    proposal_id: int
    supports: int
    threshold: int
    explanation: str

    def as_dict(self) -> dict:
        return {"id": self.proposal_id, "supports": self.supports, "threshold": self.threshold,
                "explanation": self.explanation}


def support_submission(actor, proposal_id: int) -> SupportCount:
    """One member backs an individual submission: once, not their own, while the window is open."""
    with transaction():
        ctx = _load(proposal_id)
        require(actor, "support_submission", ctx.proposal)
        if ctx.proposal.origin != "submission" or ctx.proposal.local_group_id is not None:
            raise DomainError("support_not_needed",
                              "Only an individual member's submission needs supporting members; this one does not.")
        conventions.require_phase(ctx.convention, phases.Action.SUPPORT_SUBMISSION, ctx.now)
        already = db.session.scalar(select(Support.id).where(
            Support.proposal_id == ctx.proposal.id, Support.user_id == actor.id))
        if already is not None:
            raise Conflict("already_supported", "You already support this submission; each member supports it once.")
        db.session.add(Support(proposal_id=ctx.proposal.id, user_id=actor.id, created_at=ctx.now))
        db.session.flush()  # the unique (submission, member) pair settles a race between two tabs
        count = db.session.scalar(select(func.count()).where(Support.proposal_id == ctx.proposal.id))
        _apply(ctx, tracker.SupportCounted(count), actor.id, "support")
        facts = tracker.facts_from_status(ctx.status, ctx.rules)
        result = SupportCount(ctx.proposal.id, count, ctx.rules.support_threshold,
                              tracker.explain(ctx.status, facts, ctx.timeline, ctx.now))
    socketio.emit("support_counted", result.as_dict(), to=f"text:{proposal_id}")
    return result


def supports_of(actor, proposal_id: int) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.scalar(select(Support.id).where(
        Support.proposal_id == proposal_id, Support.user_id == actor.id)) is not None


# ----- counter-proposals -----

def table_counter_proposal(actor, proposal_id: int, title: str, body: str, source: str = "form") -> Proposal:
    """The leadership tables its own text beside a final proposal, in the leadership round only."""
    from forum.services import proposals
    with transaction():
        ctx = _load(proposal_id)
        require(actor, "table_counter_proposal", ctx.proposal)
        conventions.require_phase(ctx.convention, phases.Action.TABLE_COUNTER_PROPOSAL, ctx.now)
        # Refuse before writing anything: the core says whether this text can be answered now.
        tracker.transition(ctx.status, tracker.CounterProposalTabled(0), ctx.rules, ctx.now, actor.id)
        area_id, convention_id = ctx.proposal.area_id, ctx.convention.id
    counter = proposals.create_proposal(actor, convention_id, title, body, area_id, origin="counter_proposal",
                                        state="final")
    with transaction():
        ctx = _load(proposal_id)
        counter = db.session.get(Proposal, counter.id)
        counter.counter_to_id = ctx.proposal.id
        _apply(ctx, tracker.CounterProposalTabled(counter.id), actor.id, source)
    _announce(ctx, actor.id)
    return counter


# ----- the clock -----

def close_phases(convention_id: int | None = None) -> int:
    """Record every phase that has closed on each text it affects; running it again records nothing."""
    count = 0
    with transaction():
        stmt = select(Convention)
        if convention_id is not None:
            stmt = stmt.where(Convention.id == convention_id)
        for convention in db.session.scalars(stmt).all():
            now = conventions.now()
            timeline = conventions.timeline(convention)
            rules = rules_for(convention)
            live = [s.value for s in tracker.LIVE]
            items = list(db.session.scalars(select(Proposal).where(
                Proposal.convention_id == convention.id, Proposal.state.in_(live))))
            rows = _read([p.id for p in items])
            for proposal in items:
                status = _status(proposal, rows, timeline, now)
                _, caught = _catch_up(proposal, status, set(rows.closed.get(proposal.id, set())), timeline, rules, now)
                count += len(caught)
    return count


def close_phases_by(actor) -> int:
    require(actor, "manage_convention")
    return close_phases()


# ----- what pages show -----

def assembly_names(convention_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(Assembly.area_id, Assembly.name).where(
        Assembly.convention_id == convention_id)).all())


def voting_seats(area_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AssemblySeat).join(Assembly).where(
        Assembly.area_id == area_id, AssemblySeat.withdrawn_at.is_(None),
        AssemblySeat.category != "facilitator")) or 0


def composites(convention_id: int, exclude: int | None = None) -> list[Proposal]:
    stmt = select(Proposal).where(Proposal.convention_id == convention_id, Proposal.origin == "convention",
                                  Proposal.state.in_(("draft", "consensus", "interim")))
    if exclude:
        stmt = stmt.where(Proposal.id != exclude)
    return list(db.session.scalars(stmt.order_by(Proposal.section, Proposal.id)))


@dataclass
class Board:
    """Texts grouped by assembly and state, for the progress page and the dashboard."""

    convention: Convention
    assemblies: list[tuple[str, list[Tracked]]]
    counts: dict[str, Counter]
    states: list[str]
    undisposed: int


def board(convention: Convention) -> Board:
    items = list(db.session.scalars(select(Proposal).where(Proposal.convention_id == convention.id)
                                    .order_by(Proposal.section.is_(None), Proposal.section, Proposal.id)))
    names = assembly_names(convention.id)
    grouped: dict[str, list[Tracked]] = defaultdict(list)
    counts: dict[str, Counter] = defaultdict(Counter)
    undisposed = 0
    for item in tracked(items, convention):
        name = names.get(item.proposal.area_id, f"{item.proposal.area.name} (no assembly yet)")
        grouped[name].append(item)
        counts[name][item.state] += 1
        undisposed += item.facts.amendments_undisposed + item.facts.leadership_undecided
    states = [s.value for s in tracker.TextState if any(c[s.value] for c in counts.values())]
    return Board(convention, sorted(grouped.items()), counts, states, undisposed)


def dashboard(actor, convention: Convention) -> Board:
    require(actor, "view_dashboard")
    return board(convention)


def iter_states() -> Iterable[str]:
    return (s.value for s in tracker.TextState)


@dataclass
class TimelinePage:
    convention: Convention
    phases: list[phases.PhaseStatus]
    current: list[phases.PhaseStatus]
    can_do: list[str]
    now: datetime
    tz: str

    def opens(self, p: phases.PhaseStatus) -> str:
        return phases.format_moment(p.opens_at, self.tz)

    def closes(self, p: phases.PhaseStatus) -> str:
        return phases.format_closing(p.closes_at, self.tz)

    @property
    def today(self) -> str:
        return phases.format_moment(self.now, self.tz)


def timeline_page(convention: Convention) -> TimelinePage:
    now = conventions.now()
    timeline = conventions.timeline(convention)
    view = phases.timeline_view(timeline, now)
    return TimelinePage(convention, view, [p for p in view if p.status is phases.PhaseState.CURRENT],
                        phases.what_members_can_do(timeline, now), now, timeline.tz)


@dataclass
class Panel:
    """What the tracker partial on a text's page shows."""

    item: Tracked
    assembly: str | None
    individual: bool
    threshold: int
    supported: bool
    can_support: bool
    support_reason: str
    following: bool
    counter_to: Proposal | None
    counters: list[Proposal]


def panel(actor, proposal: Proposal) -> Panel:
    from forum.permissions import can
    from forum.services import notifications
    convention = _convention(proposal)
    item = tracked([proposal], convention)[0]
    individual = proposal.origin == "submission" and proposal.local_group_id is None
    decision = phases.allowed(phases.Action.SUPPORT_SUBMISSION, conventions.timeline(convention), conventions.now())
    supported = supports_of(actor, proposal.id)
    can_support = (individual and proposal.state == "submission" and decision.allowed and not supported
                   and can(actor, "support_submission", proposal))
    counters = list(db.session.scalars(select(Proposal).where(Proposal.counter_to_id == proposal.id)))
    return Panel(item, assembly_names(convention.id).get(proposal.area_id), individual,
                 convention.support_threshold, supported, can_support, decision.reason,
                 notifications.is_following(actor, proposal),
                 db.session.get(Proposal, proposal.counter_to_id) if proposal.counter_to_id else None, counters)
