"""What the tracker pages show: a text's status and history, the panel on its page, the progress
board and the facilitators' dashboard, the convention's timeline. Read-only; statuses for any
number of texts come from a fixed number of queries (forum.records.tracker)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from deliberation import phases, tracker
from deliberation.phases import PhaseStatus
from forum.extensions import db
from forum.models import Convention, Proposal, Support, Transition
from forum.permissions import can, require
from forum.records import assemblies, conventions
from forum.records import notifications as notes
from forum.records import texts as text_records
from forum.records import tracker as records
from forum.records.tracker import Tracked


def track(proposal_id: int) -> Tracked:
    proposal = text_records.get_proposal(proposal_id)
    return records.tracked([proposal], records.convention_of(proposal))[0]


def history(proposal_id: int) -> list[Transition]:
    return records.history(proposal_id)


def supports_of(actor, proposal_id: int) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.scalar(select(Support.id).where(
        Support.proposal_id == proposal_id, Support.user_id == actor.id)) is not None


def voting_seats(area_id: int) -> int:
    return assemblies.voting_seats(area_id)


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
    names = assemblies.names_by_area(convention.id)
    grouped: dict[str, list[Tracked]] = defaultdict(list)
    counts: dict[str, Counter] = defaultdict(Counter)
    undisposed = 0
    for item in records.tracked(items, convention):
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
    phases: list[PhaseStatus]
    current: list[PhaseStatus]
    can_do: list[str]
    now: datetime
    tz: str

    def opens(self, p: PhaseStatus) -> str:
        return phases.format_moment(p.opens_at, self.tz)

    def closes(self, p: PhaseStatus) -> str:
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
    convention = records.convention_of(proposal)
    item = records.tracked([proposal], convention)[0]
    individual = proposal.origin == "submission" and proposal.local_group_id is None
    decision = phases.allowed(phases.Action.SUPPORT_SUBMISSION, conventions.timeline(convention), conventions.now())
    supported = supports_of(actor, proposal.id)
    can_support = (individual and proposal.state == "submission" and decision.allowed and not supported
                   and can(actor, "support_submission", proposal))
    counters = list(db.session.scalars(select(Proposal).where(Proposal.counter_to_id == proposal.id)))
    return Panel(item, assemblies.names_by_area(convention.id).get(proposal.area_id), individual,
                 convention.support_threshold, supported, can_support, decision.reason,
                 notes.is_following(actor, proposal),
                 db.session.get(Proposal, proposal.counter_to_id) if proposal.counter_to_id else None, counters)
