"""Convention phases and what each allows: the calendar room of the core.

A convention runs through dated phases (submissions, nominations, drafting, the interim
amendment window, final drafting, the leadership round, the all-member ballot, results).
Phases may overlap: nominations run inside the submissions window. Which action is allowed
when is one table, `ALLOWED`, read the same way by pages, the JSON API and socket events,
so a member is never told "yes" by one and "no" by another.

Time is an argument: every function takes `now`. A phase is open when
`opens_at <= now < closes_at`. Dates are shown in the convention's one time zone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deliberation.errors import DomainError


class PhaseKind(Enum):
    SUBMISSIONS = "submissions"
    NOMINATIONS = "nominations"
    DRAFTING = "drafting"
    AMENDMENT_WINDOW = "amendment_window"
    FINAL_DRAFTING = "final_drafting"
    LEADERSHIP_ROUND = "leadership_round"
    BALLOT = "ballot"
    RESULTS = "results"


# The order the process runs in; a timeline must open its phases in this order.
PHASE_ORDER: tuple[PhaseKind, ...] = tuple(PhaseKind)

LABELS: dict[PhaseKind, str] = {
    PhaseKind.SUBMISSIONS: "submissions window",
    PhaseKind.NOMINATIONS: "nominations period",
    PhaseKind.DRAFTING: "drafting phase",
    PhaseKind.AMENDMENT_WINDOW: "interim amendment window",
    PhaseKind.FINAL_DRAFTING: "final drafting phase",
    PhaseKind.LEADERSHIP_ROUND: "leadership round",
    PhaseKind.BALLOT: "all-member ballot",
    PhaseKind.RESULTS: "results phase",
}

# Phases that change the words of a text; the ballot must not open before all of them
# have closed, or members would vote on a text that can still move under them.
TEXT_SHAPING = frozenset(
    {PhaseKind.DRAFTING, PhaseKind.AMENDMENT_WINDOW, PhaseKind.FINAL_DRAFTING, PhaseKind.LEADERSHIP_ROUND}
)


class Action(Enum):
    VIEW = "view"
    SUBMIT_PROPOSAL = "submit_proposal"
    SUPPORT_SUBMISSION = "support_submission"
    NOMINATE = "nominate"
    VOLUNTEER = "volunteer"
    DRAFT_TEXT = "draft_text"
    COMMENT = "comment"
    ASK_CLARIFICATION = "ask_clarification"
    ANSWER_CLARIFICATION = "answer_clarification"
    VOTE_CLARIFICATION = "vote_clarification"
    PROPOSE_AMENDMENT = "propose_amendment"
    VOTE_AMENDMENT = "vote_amendment"
    DISPOSE_AMENDMENT = "dispose_amendment"
    LEADERSHIP_AMEND = "leadership_amend"
    DECIDE_LEADERSHIP_AMENDMENT = "decide_leadership_amendment"
    TABLE_COUNTER_PROPOSAL = "table_counter_proposal"
    RECORD_CONSENSUS_CHECK = "record_consensus_check"
    CAST_BALLOT = "cast_ballot"
    VIEW_RESULTS = "view_results"


@dataclass(frozen=True)
class ActionRule:
    """When one action is allowed, and how to say so.

    `phases` None means at any time. `stays_open` keeps the action allowed once its phase
    has opened, even after that phase's closing date (published results stay published).
    `who_does` starts the refusal sentence; `member_can` is the line shown to members
    ("You can ..."), None for actions members do not take themselves.
    """

    phases: frozenset[PhaseKind] | None
    who_does: str
    member_can: str | None = None
    stays_open: bool = False


def _in(*kinds: PhaseKind) -> frozenset[PhaseKind]:
    return frozenset(kinds)


P = PhaseKind
# The one table. Choices worth knowing:
# - view and comment are always allowed: reading and discussing never change a text, and
#   who may comment where is a permission, not a date.
# - voting on amendments and clarifications runs from the interim window through final
#   drafting, so the assembly sees the latest mood while it disposes of amendments.
# - answers to clarifications may still come during final drafting.
# - dispositions are given in final drafting, and in the leadership round, when the
#   assembly must meet once to decide on the leadership's amendments.
# - the leadership may amend until its round closes, and the ballot waits for the assembly's
#   decision on each leadership amendment, so that decision may still come after the round,
#   while the ballot is open (until then the text stays off it).
# - consensus checks happen wherever the assembly meets to agree a text.
ALLOWED: dict[Action, ActionRule] = {
    Action.VIEW: ActionRule(None, "Anyone may read published texts"),
    Action.COMMENT: ActionRule(None, "Members comment on texts"),
    Action.SUBMIT_PROPOSAL: ActionRule(
        _in(P.SUBMISSIONS), "Local groups and supported members submit proposals", "submit a proposal"
    ),
    Action.SUPPORT_SUBMISSION: ActionRule(
        _in(P.SUBMISSIONS), "Members support individual submissions", "support a member's submission"
    ),
    Action.NOMINATE: ActionRule(
        _in(P.NOMINATIONS), "Local groups nominate representatives to the assembly pools",
        "nominate your local group's representative to an assembly pool",
    ),
    Action.VOLUNTEER: ActionRule(
        _in(P.NOMINATIONS), "Members volunteer for the assembly draw", "volunteer to be drawn for an assembly"
    ),
    Action.DRAFT_TEXT: ActionRule(_in(P.DRAFTING, P.FINAL_DRAFTING), "Assemblies draft texts"),
    Action.ASK_CLARIFICATION: ActionRule(
        _in(P.AMENDMENT_WINDOW), "Members ask clarification questions",
        "ask a clarification question on an interim proposal",
    ),
    Action.ANSWER_CLARIFICATION: ActionRule(
        _in(P.AMENDMENT_WINDOW, P.FINAL_DRAFTING), "Assemblies answer clarification questions"
    ),
    Action.VOTE_CLARIFICATION: ActionRule(
        _in(P.AMENDMENT_WINDOW, P.FINAL_DRAFTING), "Members vote on clarification questions",
        "vote clarification questions up or down",
    ),
    Action.PROPOSE_AMENDMENT: ActionRule(
        _in(P.AMENDMENT_WINDOW), "Members propose amendments", "propose an amendment to an interim proposal"
    ),
    Action.VOTE_AMENDMENT: ActionRule(
        _in(P.AMENDMENT_WINDOW, P.FINAL_DRAFTING), "Members vote on amendments", "vote amendments up or down"
    ),
    Action.DISPOSE_AMENDMENT: ActionRule(
        _in(P.FINAL_DRAFTING, P.LEADERSHIP_ROUND), "Assemblies give amendments their dispositions"
    ),
    Action.LEADERSHIP_AMEND: ActionRule(
        _in(P.LEADERSHIP_ROUND), "The leadership proposes amendments to final proposals"
    ),
    Action.DECIDE_LEADERSHIP_AMENDMENT: ActionRule(
        _in(P.LEADERSHIP_ROUND, P.BALLOT), "Assemblies decide on the leadership's amendments"
    ),
    Action.TABLE_COUNTER_PROPOSAL: ActionRule(
        _in(P.LEADERSHIP_ROUND), "The leadership tables counter-proposals"
    ),
    Action.RECORD_CONSENSUS_CHECK: ActionRule(
        _in(P.DRAFTING, P.FINAL_DRAFTING, P.LEADERSHIP_ROUND), "Assemblies hold consensus checks"
    ),
    Action.CAST_BALLOT: ActionRule(_in(P.BALLOT), "Members cast their ballot", "cast your ballot"),
    Action.VIEW_RESULTS: ActionRule(
        _in(P.RESULTS), "Members read the results", "read the results of the ballot", stays_open=True
    ),
}
del P


@dataclass(frozen=True)
class Phase:
    kind: PhaseKind
    opens_at: datetime
    closes_at: datetime

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class Timeline:
    """The convention's dated phases in its one time zone; always valid once built."""

    phases: tuple[Phase, ...]
    tz: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DomainError(
                "timezone_unknown", f"“{self.tz}” is not a time zone we know; try one like Europe/London.", tz=self.tz
            ) from exc
        validate_timeline(self.phases)
        # Keep phases in process order so every listing reads the same way.
        object.__setattr__(self, "phases", tuple(sorted(self.phases, key=lambda p: PHASE_ORDER.index(p.kind))))

    def get(self, kind: PhaseKind) -> Phase | None:
        return next((p for p in self.phases if p.kind == kind), None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


class PhaseState(Enum):
    PAST = "past"
    CURRENT = "current"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PhaseStatus:
    kind: PhaseKind
    label: str
    opens_at: datetime
    closes_at: datetime
    status: PhaseState


# --- formatting (pure: zoneinfo only converts) -------------------------------------------


def format_moment(moment: datetime, tz: str) -> str:
    """'17 February 2022 at 09:00 (Europe/London)'."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local.day} {local:%B %Y} at {local:%H:%M} ({tz})"


def format_closing(moment: datetime, tz: str) -> str:
    """A closing time; midnight reads as the end of the day before, as people say it."""
    local = moment.astimezone(ZoneInfo(tz))
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        day = local - timedelta(days=1)
        return f"the end of {day.day} {day:%B %Y} ({tz})"
    return format_moment(moment, tz)


def format_day(moment: datetime, tz: str, closing: bool = False) -> str:
    """'17 Feb 2022'; with closing=True a midnight names the last full day."""
    local = moment.astimezone(ZoneInfo(tz))
    if closing and (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        local -= timedelta(days=1)
    return f"{local.day} {local:%b %Y}"


# --- validation ----------------------------------------------------------------------------


def validate_timeline(phases: Sequence[Phase]) -> None:
    """Refuse a timeline a convention could not run on, naming the first problem found."""
    seen: set[PhaseKind] = set()
    for phase in phases:
        if phase.opens_at.tzinfo is None or phase.closes_at.tzinfo is None:
            raise DomainError(
                "phase_time_needs_zone", f"The {phase.label} needs dates with a time zone.", phase=phase.kind.value
            )
        if phase.kind in seen:
            raise DomainError(
                "phase_repeated", f"The {phase.label} appears twice; each phase happens once.", phase=phase.kind.value
            )
        seen.add(phase.kind)
        if not phase.opens_at < phase.closes_at:
            raise DomainError(
                "phase_closes_before_opening",
                f"The {phase.label} must close after it opens.",
                phase=phase.kind.value, opens_at=phase.opens_at, closes_at=phase.closes_at,
            )
    ordered = sorted(phases, key=lambda p: PHASE_ORDER.index(p.kind))
    for earlier, later in zip(ordered, ordered[1:]):
        if later.opens_at < earlier.opens_at:
            raise DomainError(
                "phase_out_of_order",
                f"The {later.label} cannot open before the {earlier.label}.",
                phase=later.kind.value, after=earlier.kind.value,
            )
    ballot = next((p for p in phases if p.kind is PhaseKind.BALLOT), None)
    results = next((p for p in phases if p.kind is PhaseKind.RESULTS), None)
    if ballot is not None:
        for phase in phases:
            if phase.kind in TEXT_SHAPING and phase.closes_at > ballot.opens_at:
                raise DomainError(
                    "ballot_opens_too_early",
                    f"The ballot cannot open before the {phase.label} closes: members must vote on settled texts.",
                    phase=phase.kind.value,
                )
        # Results shown while people still vote would sway the vote.
        if results is not None and results.opens_at < ballot.closes_at:
            raise DomainError(
                "results_before_ballot_closes", "Results cannot be shown before the ballot closes.",
                phase=PhaseKind.RESULTS.value,
            )


# --- what is open --------------------------------------------------------------------------


def _require_aware(now: datetime) -> None:
    # A naive clock would silently compare in the wrong zone; that is a programming error.
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


def current_phases(timeline: Timeline, now: datetime) -> tuple[Phase, ...]:
    """The phases open at `now`, in process order (several may be open at once)."""
    _require_aware(now)
    return tuple(p for p in timeline.phases if p.is_open(now))


def _allows(rule: ActionRule, phase: Phase, now: datetime) -> bool:
    if rule.stays_open:
        return phase.opens_at <= now
    return phase.is_open(now)


def _refusal(rule: ActionRule, timeline: Timeline, now: datetime) -> DomainError:
    assert rule.phases is not None
    scheduled = [p for p in timeline.phases if p.kind in rule.phases]
    kinds = [k for k in PHASE_ORDER if k in rule.phases]
    where = " and the ".join(LABELS[k] for k in kinds)
    if not scheduled:
        return DomainError(
            "phase_not_open",
            f"{rule.who_does} in the {where}, which this convention has not scheduled.",
            phase=kinds[0].value, opens_at=None, closes_at=None,
        )
    upcoming = sorted((p for p in scheduled if p.opens_at > now), key=lambda p: p.opens_at)
    # Name the next chance if there is one; otherwise the last one that was missed.
    if upcoming:
        phase, code, when = (upcoming[0], "phase_not_open",
                             f"opens on {format_moment(upcoming[0].opens_at, timeline.tz)}")
    else:
        phase = max(scheduled, key=lambda p: p.closes_at)
        code, when = "phase_closed", _closed_words(phase.closes_at, timeline.tz)
    if len(kinds) == 1:
        message = f"{rule.who_does} in the {where}, which {when}."
    else:
        message = f"{rule.who_does} in the {where}; the {phase.label} {when}."
    return DomainError(code, message, phase=phase.kind.value, opens_at=phase.opens_at, closes_at=phase.closes_at)


def _closed_words(closes_at: datetime, tz: str) -> str:
    closing = format_closing(closes_at, tz)
    return f"closed at {closing}" if closing.startswith("the end") else f"closed on {closing}"


def _open_until(rule: ActionRule, timeline: Timeline, now: datetime) -> tuple[Phase, datetime | None]:
    """The open phase that allows the action and when the chance ends (None: it does not)."""
    assert rule.phases is not None
    allowing = sorted(
        (p for p in timeline.phases if p.kind in rule.phases), key=lambda p: p.opens_at
    )
    current = next(p for p in allowing if _allows(rule, p, now))
    if rule.stays_open:
        return current, None
    # Adjacent or overlapping allowing phases make one unbroken chance; report its end.
    end = current.closes_at
    for phase in allowing:
        if phase.opens_at <= end and phase.closes_at > end:
            end = phase.closes_at
    return current, end


def _decide(action: Action, timeline: Timeline, now: datetime) -> tuple[Decision, DomainError | None]:
    _require_aware(now)
    rule = ALLOWED[action]
    if rule.phases is None:
        return Decision(True, f"{rule.who_does} at any time."), None
    if any(_allows(rule, p, now) for p in timeline.phases if p.kind in rule.phases):
        phase, end = _open_until(rule, timeline, now)
        if end is None:
            reason = f"{rule.who_does} from the {phase.label} onwards."
        else:
            reason = f"{rule.who_does} in the {phase.label}, open until {format_closing(end, timeline.tz)}."
        return Decision(True, reason), None
    error = _refusal(rule, timeline, now)
    return Decision(False, error.message), error


def allowed(action: Action, timeline: Timeline, now: datetime) -> Decision:
    """May this action happen now, and why (or why not) in a member's words."""
    return _decide(action, timeline, now)[0]


def check(action: Action, timeline: Timeline, now: datetime) -> None:
    """Raise DomainError (phase_not_open / phase_closed) unless the action is allowed now."""
    error = _decide(action, timeline, now)[1]
    if error is not None:
        raise error


def timeline_view(timeline: Timeline, now: datetime) -> list[PhaseStatus]:
    """Every phase with whether it is past, current or upcoming at `now`."""
    _require_aware(now)

    def state(p: Phase) -> PhaseState:
        if now < p.opens_at:
            return PhaseState.UPCOMING
        return PhaseState.CURRENT if now < p.closes_at else PhaseState.PAST

    return [PhaseStatus(p.kind, p.label, p.opens_at, p.closes_at, state(p)) for p in timeline.phases]


def what_members_can_do(timeline: Timeline, now: datetime) -> list[str]:
    """Plain sentences of what an ordinary member can do right now, and until when."""
    _require_aware(now)
    lines: list[str] = []
    for rule in ALLOWED.values():
        if rule.member_can is None or rule.phases is None:
            continue
        if not any(_allows(rule, p, now) for p in timeline.phases if p.kind in rule.phases):
            continue
        _, end = _open_until(rule, timeline, now)
        until = "" if end is None else f" until {format_closing(end, timeline.tz)}"
        lines.append(f"You can {rule.member_can}{until}.")
    if lines:
        return lines
    upcoming = sorted((p for p in timeline.phases if p.opens_at > now), key=lambda p: p.opens_at)
    if upcoming:
        nxt = upcoming[0]
        return [f"Nothing is open to members right now; the {nxt.label} opens on "
                f"{format_moment(nxt.opens_at, timeline.tz)}."]
    return ["Nothing is open to members right now; every phase of this convention has closed."]


def actions_allowed(timeline: Timeline, now: datetime) -> frozenset[Action]:
    """Every action allowed at `now` (for pages that show or hide controls)."""
    return frozenset(a for a in Action if _decide(a, timeline, now)[1] is None)


def phases_allowing(action: Action) -> frozenset[PhaseKind] | None:
    """The phases in which an action is allowed; None when it is allowed at any time."""
    return ALLOWED[action].phases

