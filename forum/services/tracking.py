"""The consensus tracker's use cases: supports, consensus checks, promotions, merges,
counter-proposals and closing phases. Each loads the text through forum.records.tracker, lets the
core decide, stores the transition and the followers' notifications in one transaction, then tells
the text's room. What the tracker pages show is in tracker_pages.

`record_consensus_check` is the one entry other parts call; a live session closing its check uses
`apply_consensus_check` inside its own transaction and `announce` after its commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import func, select

from deliberation import consensus, phases, texts, tracker
from deliberation.errors import Conflict, DomainError, NotFound
from forum import announce as rooms
from forum.extensions import db, transaction
from forum.models import Convention, Proposal, Support, Transition
from forum.permissions import require
from forum.records import conventions
from forum.records import notifications as notes
from forum.records import texts as text_records
from forum.records import tracker as records
from forum.records.tracker import Context

RESPONSES = {**{r.value: r for r in consensus.Response}, "reservations": consensus.Response.AGREE_WITH_RESERVATIONS}


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _notify(ctx: Context, actor_id: int | None) -> list[int]:
    """Inside the transaction: tell the text's followers where it moved, if it did."""
    moved = ctx.moved
    if not moved:
        return []
    return notes.text_moved(ctx.proposal, moved[-1], actor_id)


def announce(ctx: Context, actor=None) -> None:
    """After commit: tell the text's room where it stands now."""
    rooms.to_text(ctx.proposal.id, "text_tracked", ctx.payload())


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


# ----- consensus checks and promotions -----

def record_consensus_check(actor, proposal_id: int, responses: Mapping[str, int], seated: int, present: int,
                           reasons: Sequence[str], source: str) -> Transition:
    """Record an assembly's consensus check on a text; consensus moves it on, a shortfall is kept too."""
    with transaction():
        row, ctx = apply_consensus_check(actor, proposal_id, responses, seated, present, reasons, source)
    announce(ctx)
    return row


def apply_consensus_check(actor, proposal_id: int, responses: Mapping[str, int], seated: int, present: int,
                          reasons: Sequence[str], source: str, interrupted: bool = False) -> tuple[Transition, Context]:
    """The same, inside the caller's transaction (a live session closing its check, followers'
    notifications included); the caller commits and then calls `announce` with the returned context."""
    parsed = _responses(responses)
    reasons = tuple(r.strip() for r in reasons if r and r.strip())
    ctx = records.load(proposal_id)
    require(actor, "steer_text", ctx.proposal)
    event = tracker.ConsensusChecked(parsed, seated, reasons, present, interrupted)
    return records.record_check(ctx, event, _actor_id(actor), source or "form"), ctx


def _steer(actor, proposal_id: int, event_for, action: phases.Action | None, source: str,
           permission: str = "steer_text") -> Transition:
    with transaction():
        ctx = records.load(proposal_id)
        require(actor, permission, ctx.proposal)
        if action is not None:
            conventions.require_phase(ctx.convention, action, ctx.now)
        row = records.apply(ctx, event_for(ctx), _actor_id(actor), source)
        _notify(ctx, _actor_id(actor))
    announce(ctx)
    return row


def take_into_drafting(actor, proposal_id: int, source: str = "form") -> Transition:
    return _steer(actor, proposal_id, lambda ctx: tracker.TakenIntoDrafting(), phases.Action.DRAFT_TEXT, source)


def merge_into(actor, proposal_id: int, composite_id: int, source: str = "form") -> Transition:
    def event(ctx: Context):
        composite = db.session.get(Proposal, composite_id)
        if composite is None or composite.convention_id != ctx.proposal.convention_id or composite.id == ctx.proposal.id:
            raise NotFound("composite_not_found", "Choose a composite text of this convention.")
        if composite.origin != "convention":
            raise DomainError("not_a_composite", "A text can only be merged into a composite drafted by an assembly.")
        return tracker.MergedInto(composite.id)
    return _steer(actor, proposal_id, event, phases.Action.DRAFT_TEXT, source)


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
        ctx = records.load(proposal_id)
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
        count = db.session.scalar(select(func.count()).where(Support.proposal_id == ctx.proposal.id)) or 0
        records.apply(ctx, tracker.SupportCounted(count), actor.id, "support")
        _notify(ctx, actor.id)
        result = SupportCount(ctx.proposal.id, count, ctx.rules.support_threshold, ctx.explanation)
    rooms.to_text(proposal_id, "support_counted", result.as_dict())
    return result


# ----- counter-proposals -----

def table_counter_proposal(actor, proposal_id: int, title: str, body: str, source: str = "form") -> Proposal:
    """The leadership tables its own text beside a final proposal, in the leadership round only."""
    with transaction():
        ctx = records.load(proposal_id)
        require(actor, "table_counter_proposal", ctx.proposal)
        conventions.require_phase(ctx.convention, phases.Action.TABLE_COUNTER_PROPOSAL, ctx.now)
        # Refuse before writing anything: the core says whether this text can be answered now.
        tracker.transition(ctx.status, tracker.CounterProposalTabled(0), ctx.rules, ctx.now, actor.id)
        require(actor, "create_proposal")
        clean = text_records.clean_title(title)
        clauses = texts.number_clauses(texts.split_into_clauses(body or ""))
        counter = text_records.new_text(ctx.convention.id, ctx.proposal.area, clean, clauses, actor.id,
                                        "First version", origin="counter_proposal", state="final",
                                        counter_to_id=ctx.proposal.id)
        records.apply(ctx, tracker.CounterProposalTabled(counter.id), actor.id, source)
        _notify(ctx, actor.id)
    announce(ctx)
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
            rules = records.rules_for(convention)
            live = [s.value for s in tracker.LIVE]
            items = list(db.session.scalars(select(Proposal).where(
                Proposal.convention_id == convention.id, Proposal.state.in_(live))))
            rows = records.read([p.id for p in items])
            for proposal in items:
                status = records.status_of(proposal, rows, timeline, now)
                _, caught = records.catch_up(proposal, status, set(rows.closed.get(proposal.id, set())), timeline,
                                             rules, now)
                count += len(caught)
    return count


def close_phases_by(actor) -> int:
    require(actor, "manage_convention")
    return close_phases()
