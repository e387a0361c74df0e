"""The consensus tracker room: where each text stands and how it moves on.

One state machine per text:

    submission -> draft -> consensus -> interim -> final -> on_ballot -> carried | not_carried

A leadership counter-proposal starts final and ends adopted | not_adopted, as the ballot's
counter-proposal rule (deliberation.ballot.decide_pair) decides; plus withdrawn, merged_into
(a composite) and superseded. The moves are one table, `TABLE`, from (state, kind of event)
to a list of routes, each with its guards; the first route whose guards all pass is taken.
Guards and thresholds are data (`Rules`), so a convention can change its quorum or whether one
block stops consensus without code.

Every accepted event returns a `Transition` saying who, when, on what evidence and why,
in a member's words, including events that leave the state where it was (a disposition
on an amendment, a consensus check that fell short): the record is the history of the text.
A refused event raises DomainError("transition_not_allowed") saying where the text is and
what it would need.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Callable, ClassVar, Mapping, Sequence, Union

from fractions import Fraction

from deliberation.consensus import (CheckOutcome, ConsensusRule, Response, Tally, as_fraction, evaluate,
                                    parse_response)
from deliberation.errors import DomainError
from deliberation.phases import LABELS, PhaseKind, Timeline, format_day


class TextState(Enum):
    SUBMISSION = "submission"
    DRAFT = "draft"
    CONSENSUS = "consensus"
    INTERIM = "interim"
    FINAL = "final"
    ON_BALLOT = "on_ballot"
    CARRIED = "carried"
    NOT_CARRIED = "not_carried"
    ADOPTED = "adopted"            # a counter-proposal the ballot chose
    NOT_ADOPTED = "not_adopted"    # a counter-proposal the ballot did not choose
    WITHDRAWN = "withdrawn"
    MERGED_INTO = "merged_into"
    SUPERSEDED = "superseded"


TERMINAL = frozenset(
    {TextState.CARRIED, TextState.NOT_CARRIED, TextState.ADOPTED, TextState.NOT_ADOPTED, TextState.WITHDRAWN,
     TextState.MERGED_INTO, TextState.SUPERSEDED}
)

STATE_WORDS: dict[TextState, str] = {
    TextState.SUBMISSION: "a submission",
    TextState.DRAFT: "a draft",
    TextState.CONSENSUS: "agreed by consensus and waiting to be published",
    TextState.INTERIM: "an interim proposal",
    TextState.FINAL: "a final proposal",
    TextState.ON_BALLOT: "on the ballot",
    TextState.CARRIED: "carried",
    TextState.NOT_CARRIED: "not carried",
    TextState.ADOPTED: "an adopted counter-proposal",
    TextState.NOT_ADOPTED: "a counter-proposal that was not adopted",
    TextState.WITHDRAWN: "withdrawn",
    TextState.MERGED_INTO: "merged into a composite",
    TextState.SUPERSEDED: "superseded",
}

# A state as a label on a page or a badge ("Interim proposal"), keyed by the stored value.
STATE_LABELS: Mapping[str, str] = MappingProxyType({
    TextState.SUBMISSION.value: "Submission", TextState.DRAFT.value: "Draft",
    TextState.CONSENSUS.value: "Consensus reached", TextState.INTERIM.value: "Interim proposal",
    TextState.FINAL.value: "Final proposal", TextState.ON_BALLOT.value: "On the ballot",
    TextState.CARRIED.value: "Carried", TextState.NOT_CARRIED.value: "Not carried",
    TextState.ADOPTED.value: "Adopted", TextState.NOT_ADOPTED.value: "Not adopted",
    TextState.WITHDRAWN.value: "Withdrawn", TextState.MERGED_INTO.value: "Merged into a composite",
    TextState.SUPERSEDED.value: "Superseded",
})

# How a move into a state is named in refusals ("to become a draft it needs ...").
BECOME_WORDS: dict[TextState, str] = {
    TextState.DRAFT: "to become a draft",
    TextState.CONSENSUS: "to reach consensus",
    TextState.INTERIM: "to be published as an interim proposal",
    TextState.FINAL: "to become a final proposal",
    TextState.ON_BALLOT: "to go on the ballot",
    TextState.CARRIED: "to be carried",
    TextState.NOT_CARRIED: "to be declared not carried",
    TextState.ADOPTED: "to be adopted",
    TextState.NOT_ADOPTED: "to be declared not adopted",
    TextState.WITHDRAWN: "to be withdrawn",
    TextState.MERGED_INTO: "to be merged into a composite",
    TextState.SUPERSEDED: "to be superseded",
}


class Origin(Enum):
    GROUP = "group"            # a local group's submission: eligible as it stands
    INDIVIDUAL = "individual"  # a member's submission: needs supporting members
    COMPOSITE = "composite"    # written by an assembly from submissions: starts as a draft
    COUNTER_PROPOSAL = "counter_proposal"  # the leadership's answer to a final proposal: starts final


class Disposition(Enum):
    ACCEPTED = "accepted"
    ACCEPTED_AS_MODIFIED = "accepted_as_modified"
    REJECTED = "rejected"


DISPOSITION_WORDS = {
    Disposition.ACCEPTED: "accepted",
    Disposition.ACCEPTED_AS_MODIFIED: "accepted as modified",
    Disposition.REJECTED: "rejected",
}


class CounterEffect(Enum):
    """What a leadership counter-proposal does to the text it answers."""

    STANDS_BESIDE = "stands_beside"                    # both go to the ballot side by side
    NEEDS_ASSEMBLY_DECISION = "needs_assembly_decision"  # the assembly must consider it first


@dataclass(frozen=True)
class Rules:
    """A convention's thresholds; the defaults follow the seed process."""

    quorum_fraction: float | Fraction = 0.5  # share of seated members who must take part
    agreement_threshold: float | Fraction = 0.75  # share agreeing (with or without reservations), stand-asides left out
    blocks_stop: bool = True             # one block stops consensus; if False, blocks count as disagreement
    stand_asides_count: bool = False     # stand-asides in the denominator of the agreement share
    silent_counts: bool = True           # members present who did not answer count as not agreeing
    support_threshold: int = 20          # supporting members an individual submission needs
    counter_proposal: CounterEffect = CounterEffect.STANDS_BESIDE
    final_waits_for_amendment_window: bool = True   # members may amend until the window closes
    ballot_waits_for_leadership_round: bool = True  # the leadership may amend until its round closes

    def __post_init__(self) -> None:
        if not 0 < self.quorum_fraction <= 1 or not 0 < self.agreement_threshold <= 1:
            raise DomainError("rules_invalid", "Quorum and agreement threshold must be shares between 0 and 1.")
        if self.support_threshold < 0:
            raise DomainError("rules_invalid", "The support threshold cannot be negative.")

    @property
    def consensus(self) -> ConsensusRule:
        """The consensus rule these rules set: the one both the live room and the record use."""
        return ConsensusRule(quorum=as_fraction(self.quorum_fraction), threshold=as_fraction(self.agreement_threshold),
                             blocks_stop=self.blocks_stop, stand_asides_count=self.stand_asides_count,
                             silent_counts=self.silent_counts)


# --- the status of a text --------------------------------------------------------------------


@dataclass(frozen=True)
class TextStatus:
    """Where one text stands, with the running facts its guards need."""

    state: TextState
    since: datetime
    origin: Origin = Origin.GROUP
    supports: int = 0
    closed_phases: frozenset[PhaseKind] = frozenset()
    amendments_pending: frozenset[int] = frozenset()
    amendments_disposed: frozenset[int] = frozenset()
    leadership_pending: frozenset[int] = frozenset()
    leadership_decided: frozenset[int] = frozenset()
    counter_proposals: frozenset[int] = frozenset()
    counters_unconsidered: frozenset[int] = frozenset()
    last_check: CheckOutcome | None = None
    merged_into: int | None = None
    superseded_by: int | None = None
    withdrawn_reason: str | None = None
    ballot_summary: str | None = None  # how its clauses fared, once a ballot was declared clause by clause

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL


def start(origin: Origin, now: datetime) -> TextStatus:
    """A new text: submissions start as submissions, an assembly's composite as a draft, and the
    leadership's counter-proposal as final (it answers a final proposal)."""
    state = {Origin.COMPOSITE: TextState.DRAFT, Origin.COUNTER_PROPOSAL: TextState.FINAL}.get(
        origin, TextState.SUBMISSION)
    return TextStatus(state=state, since=now, origin=origin)


# --- events (inputs, past tense) -------------------------------------------------------------


def _require_reason(reason: str, what: str) -> None:
    if not reason or not reason.strip():
        raise DomainError("reason_required", f"{what} needs a reason members can read.")


@dataclass(frozen=True)
class SupportCounted:
    describe: ClassVar[str] = "a count of supporting members"
    supports: int

    def __post_init__(self) -> None:
        if self.supports < 0:
            raise DomainError("support_count_negative", "A count of supporting members cannot be negative.")


@dataclass(frozen=True)
class PhaseClosed:
    describe: ClassVar[str] = "the close of a phase"
    phase: PhaseKind


@dataclass(frozen=True)
class TakenIntoDrafting:
    describe: ClassVar[str] = "taking a submission into drafting"


@dataclass(frozen=True)
class MergedInto:
    describe: ClassVar[str] = "merging into a composite"
    composite_id: int


@dataclass(frozen=True)
class ConsensusChecked:
    describe: ClassVar[str] = "a consensus check"
    responses: Mapping[Response, int]
    seated: int
    block_reasons: tuple[str, ...] = ()
    present: int | None = None   # None: those who responded
    interrupted: bool = False    # the live room restarted while the check was open

    def __post_init__(self) -> None:
        object.__setattr__(self, "responses", {parse_response(k): v for k, v in self.responses.items()})
        _ = self.tally  # refuses counts that do not add up, before anything is recorded
        blocks = self.responses.get(Response.BLOCK, 0)
        # A block is a serious step; the record must say why each member took it.
        if len([r for r in self.block_reasons if r.strip()]) != blocks:
            raise DomainError(
                "block_needs_reason", f"Each block needs its reason: {blocks} blocks, {len(self.block_reasons)} reasons.",
                blocks=blocks,
            )

    @property
    def tally(self) -> Tally:
        return Tally.from_counts(self.responses, self.seated, self.present)

    def outcome(self, rules: Rules) -> CheckOutcome:
        return evaluate(rules.consensus, self.tally, self.interrupted)


@dataclass(frozen=True)
class InterimPublished:
    describe: ClassVar[str] = "publication as an interim proposal"


@dataclass(frozen=True)
class AmendmentProposed:
    describe: ClassVar[str] = "a member's amendment"
    amendment_id: int


@dataclass(frozen=True)
class AmendmentDisposed:
    describe: ClassVar[str] = "a disposition on an amendment"
    amendment_id: int
    disposition: Disposition
    reason: str

    def __post_init__(self) -> None:
        _require_reason(self.reason, "A disposition")


@dataclass(frozen=True)
class LeadershipAmendmentProposed:
    describe: ClassVar[str] = "a leadership amendment"
    amendment_id: int


@dataclass(frozen=True)
class LeadershipAmendmentDecided:
    describe: ClassVar[str] = "the assembly's decision on a leadership amendment"
    amendment_id: int
    disposition: Disposition
    reason: str

    def __post_init__(self) -> None:
        _require_reason(self.reason, "A decision on a leadership amendment")


@dataclass(frozen=True)
class CounterProposalTabled:
    describe: ClassVar[str] = "a leadership counter-proposal"
    counter_id: int


@dataclass(frozen=True)
class CounterProposalConsidered:
    describe: ClassVar[str] = "the assembly's consideration of a counter-proposal"
    counter_id: int
    reason: str

    def __post_init__(self) -> None:
        _require_reason(self.reason, "Considering a counter-proposal")


@dataclass(frozen=True)
class PlacedOnBallot:
    describe: ClassVar[str] = "placing on the ballot"


@dataclass(frozen=True)
class ClauseResult:
    """How one clause of a text fared on the ballot. `carried` is whether it was adopted: a clause
    that reached its majority but lost to the leadership's counter-proposal was not carried."""

    number: int             # the clause's number in the text, as members read it
    key: str | None
    carried: bool
    votes_for: int
    votes_against: int
    abstentions: int
    reason: str = ""
    paired_with: str = ""   # the other half of its counter-proposal pair, in words ("the counter-proposal “…”")
    pair_reason: str = ""   # why the counter-proposal rule chose one of the two

    @property
    def pair_words(self) -> str:
        """'Clause 1 stood beside the counter-proposal “…”: the counter-proposal is adopted because …'"""
        if not self.paired_with:
            return ""
        return f"Clause {self.number} stood beside {self.paired_with}: {self.pair_reason.rstrip('.')}"


@dataclass(frozen=True)
class BallotDeclared:
    """A ballot's result on one text. Built by `from_clauses` when each clause was its own
    question: the text is carried when at least one of its clauses carried, and not carried
    when none did; the counts are then the sums over its clauses."""

    describe: ClassVar[str] = "a ballot result"
    carried: bool
    votes_for: int
    votes_against: int
    abstentions: int
    clauses: tuple[ClauseResult, ...] = ()

    def __post_init__(self) -> None:
        if self.clauses and self.carried != any(c.carried for c in self.clauses):
            raise DomainError("ballot_result_inconsistent",
                              "A text is carried when at least one of its clauses carried, and only then.")

    @classmethod
    def from_clauses(cls, clauses: Sequence[ClauseResult]) -> BallotDeclared:
        clauses = tuple(sorted(clauses, key=lambda c: c.number))
        if not clauses:
            raise DomainError("ballot_result_empty", "A ballot result needs at least one clause.")
        return cls(any(c.carried for c in clauses), sum(c.votes_for for c in clauses),
                   sum(c.votes_against for c in clauses), sum(c.abstentions for c in clauses), clauses)


def _numbers(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def clause_summary(clauses: Sequence[ClauseResult], word: str = "carried") -> str:
    """'17 of 19 clauses carried; clauses 12 and 13 were not carried', in a member's words, then
    for each clause put beside the other half of a counter-proposal pair, which was chosen and why.
    `word` is "adopted" for a counter-proposal."""
    total, carried = len(clauses), [c for c in clauses if c.carried]
    lost = [c.number for c in clauses if not c.carried]
    if total == 1:
        head = f"its only clause {'was ' if word == 'adopted' else ''}{word}" if carried else \
            f"its only clause was not {word}"
    elif not carried:
        head = f"none of its {total:,} clauses {'was ' if word == 'adopted' else ''}{word}"
    elif not lost:
        head = f"all {total:,} clauses {'were ' if word == 'adopted' else ''}{word}"
    else:
        head = (f"{len(carried):,} of {total:,} clauses {'were ' if word == 'adopted' else ''}{word}; "
                f"{'clause' if len(lost) == 1 else 'clauses'} {_numbers(lost)} "
                f"{'was' if len(lost) == 1 else 'were'} not {word}")
    pairs = [c.pair_words for c in clauses if c.pair_words]
    return ". ".join([head, *pairs])


@dataclass(frozen=True)
class Withdrawn:
    describe: ClassVar[str] = "a withdrawal"
    reason: str

    def __post_init__(self) -> None:
        _require_reason(self.reason, "A withdrawal")


@dataclass(frozen=True)
class Superseded:
    describe: ClassVar[str] = "replacement by another text"
    by_text_id: int
    reason: str

    def __post_init__(self) -> None:
        _require_reason(self.reason, "Replacing a text")


Event = Union[
    SupportCounted, PhaseClosed, TakenIntoDrafting, MergedInto, ConsensusChecked, InterimPublished,
    AmendmentProposed, AmendmentDisposed, LeadershipAmendmentProposed, LeadershipAmendmentDecided,
    CounterProposalTabled, CounterProposalConsidered, PlacedOnBallot, BallotDeclared, Withdrawn, Superseded,
]
EVENT_TYPES: tuple[type, ...] = Event.__args__  # type: ignore[attr-defined]


def event_kind(event: Event) -> str:
    """'ConsensusChecked' -> 'consensus_checked', the stable name stored with a transition."""
    name = type(event).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@dataclass(frozen=True)
class Transition:
    """One recorded step in a text's history. `actor` None means the convention's clock."""

    from_state: TextState
    to_state: TextState
    at: datetime
    actor: int | None
    event: str
    evidence: dict[str, Any] = field(hash=False)
    reason: str


# --- guards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    """A condition on a move; `need` says in a member's words what is missing."""

    name: str
    passes: Callable[[TextStatus, Any, Rules], bool]
    need: Callable[[TextStatus, Any, Rules], str]


def _eligible(s: TextStatus, e: Any, r: Rules) -> bool:
    return s.origin is not Origin.INDIVIDUAL or s.supports >= r.support_threshold


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


ELIGIBLE = Guard(
    "eligible", _eligible,
    lambda s, e, r: f"{_plural(r.support_threshold, 'supporting member')} before the submissions window closed, "
    f"and it has {s.supports:,}",
)
SUPPORT_STILL_COUNTING = Guard(
    "support_still_counting", lambda s, e, r: PhaseKind.SUBMISSIONS not in s.closed_phases,
    lambda s, e, r: "the submissions window to be open, and it has closed",
)
CONSENSUS_REACHED = Guard(
    "consensus_reached", lambda s, e, r: e.outcome(r).reached,
    lambda s, e, r: f"a quorate check that reaches consensus ({e.outcome(r).reason})",
)
WINDOW_OPEN = Guard(
    "amendment_window_open", lambda s, e, r: PhaseKind.AMENDMENT_WINDOW not in s.closed_phases,
    lambda s, e, r: "the amendment window to be open, and it has closed",
)
WINDOW_CLOSED = Guard(
    "amendment_window_closed",
    lambda s, e, r: not r.final_waits_for_amendment_window or PhaseKind.AMENDMENT_WINDOW in s.closed_phases,
    lambda s, e, r: "the amendment window to close first, so members can no longer amend it",
)
AMENDMENT_NEW = Guard(
    "amendment_new", lambda s, e, r: e.amendment_id not in s.amendments_pending | s.amendments_disposed,
    lambda s, e, r: f"a new amendment, and amendment #{e.amendment_id} is already recorded",
)
AMENDMENT_PENDING = Guard(
    "amendment_pending", lambda s, e, r: e.amendment_id in s.amendments_pending,
    lambda s, e, r: f"amendment #{e.amendment_id} to be waiting for a disposition, and it is not",
)
ALL_DISPOSED = Guard(
    "amendments_disposed", lambda s, e, r: not s.amendments_pending,
    lambda s, e, r: f"a disposition on every amendment, and {_plural(len(s.amendments_pending), 'amendment')} "
    f"still {'has' if len(s.amendments_pending) == 1 else 'have'} none",
)
ROUND_OPEN = Guard(
    "leadership_round_open", lambda s, e, r: PhaseKind.LEADERSHIP_ROUND not in s.closed_phases,
    lambda s, e, r: "the leadership round to be open, and it has closed",
)
ROUND_CLOSED = Guard(
    "leadership_round_closed",
    lambda s, e, r: not r.ballot_waits_for_leadership_round or PhaseKind.LEADERSHIP_ROUND in s.closed_phases,
    lambda s, e, r: "the leadership round to close first, so the leadership can no longer amend it",
)
LEADERSHIP_NEW = Guard(
    "leadership_amendment_new",
    lambda s, e, r: e.amendment_id not in s.leadership_pending | s.leadership_decided,
    lambda s, e, r: f"a new leadership amendment, and #{e.amendment_id} is already recorded",
)
LEADERSHIP_PENDING = Guard(
    "leadership_amendment_pending", lambda s, e, r: e.amendment_id in s.leadership_pending,
    lambda s, e, r: f"leadership amendment #{e.amendment_id} to be waiting for a decision, and it is not",
)
COUNTER_NEW = Guard(
    "counter_proposal_new", lambda s, e, r: e.counter_id not in s.counter_proposals,
    lambda s, e, r: f"a new counter-proposal, and #{e.counter_id} is already tabled",
)
COUNTER_UNCONSIDERED = Guard(
    "counter_proposal_unconsidered", lambda s, e, r: e.counter_id in s.counters_unconsidered,
    lambda s, e, r: f"counter-proposal #{e.counter_id} to be waiting for the assembly, and it is not",
)
LEADERSHIP_SETTLED = Guard(
    "leadership_settled", lambda s, e, r: not s.leadership_pending and not s.counters_unconsidered,
    lambda s, e, r: "the assembly's decision on every leadership amendment and counter-proposal, and "
    f"{len(s.leadership_pending) + len(s.counters_unconsidered):,} still wait",
)
CARRIED_BY_BALLOT = Guard(
    "carried", lambda s, e, r: e.carried, lambda s, e, r: "a ballot result that carries it",
)
A_COUNTER_PROPOSAL = Guard(
    "counter_proposal", lambda s, e, r: s.origin is Origin.COUNTER_PROPOSAL,
    lambda s, e, r: "to be a leadership counter-proposal",
)


@dataclass(frozen=True)
class Route:
    target: TextState
    guards: tuple[Guard, ...] = ()


S = TextState
LIVE = frozenset(TextState) - TERMINAL

# The one transition table: (state, event type) -> routes tried in order.
TABLE: dict[tuple[TextState, type], tuple[Route, ...]] = {
    (S.SUBMISSION, SupportCounted): (Route(S.SUBMISSION, (SUPPORT_STILL_COUNTING,)),),
    (S.SUBMISSION, TakenIntoDrafting): (Route(S.DRAFT, (ELIGIBLE,)),),
    # An ineligible submission must not slip into the process through a composite.
    (S.SUBMISSION, MergedInto): (Route(S.MERGED_INTO, (ELIGIBLE,)),),
    (S.DRAFT, MergedInto): (Route(S.MERGED_INTO),),
    # A check that falls short is still part of the record: the draft stays a draft.
    (S.DRAFT, ConsensusChecked): (Route(S.CONSENSUS, (CONSENSUS_REACHED,)), Route(S.DRAFT)),
    (S.CONSENSUS, InterimPublished): (Route(S.INTERIM),),
    (S.INTERIM, AmendmentProposed): (Route(S.INTERIM, (WINDOW_OPEN, AMENDMENT_NEW)),),
    (S.INTERIM, AmendmentDisposed): (Route(S.INTERIM, (AMENDMENT_PENDING,)),),
    # The final check only counts once members' amendments are closed and each answered.
    (S.INTERIM, ConsensusChecked): (
        Route(S.FINAL, (WINDOW_CLOSED, ALL_DISPOSED, CONSENSUS_REACHED)),
        Route(S.INTERIM, (WINDOW_CLOSED, ALL_DISPOSED)),
    ),
    (S.FINAL, LeadershipAmendmentProposed): (Route(S.FINAL, (ROUND_OPEN, LEADERSHIP_NEW)),),
    (S.FINAL, LeadershipAmendmentDecided): (Route(S.FINAL, (LEADERSHIP_PENDING,)),),
    (S.FINAL, CounterProposalTabled): (Route(S.FINAL, (ROUND_OPEN, COUNTER_NEW)),),
    (S.FINAL, CounterProposalConsidered): (Route(S.FINAL, (COUNTER_UNCONSIDERED,)),),
    (S.FINAL, PlacedOnBallot): (Route(S.ON_BALLOT, (ROUND_CLOSED, LEADERSHIP_SETTLED)),),
    # A counter-proposal is adopted or not; a proposal carried or not (the pair rule already chose).
    (S.ON_BALLOT, BallotDeclared): (Route(S.ADOPTED, (A_COUNTER_PROPOSAL, CARRIED_BY_BALLOT)),
                                    Route(S.NOT_ADOPTED, (A_COUNTER_PROPOSAL,)),
                                    Route(S.CARRIED, (CARRIED_BY_BALLOT,)), Route(S.NOT_CARRIED)),
    **{(state, PhaseClosed): (Route(state),) for state in LIVE},
    # Once members are voting, a text can no longer be pulled from under them.
    **{(state, Withdrawn): (Route(S.WITHDRAWN),) for state in LIVE - {S.ON_BALLOT}},
    **{(state, Superseded): (Route(S.SUPERSEDED),) for state in (S.DRAFT, S.CONSENSUS, S.INTERIM, S.FINAL)},
}


# --- effects: what each event changes and how the record words it -----------------------------


Effect = Callable[[TextStatus, Any, Rules], tuple[dict[str, Any], str, dict[str, Any]]]


def _support_counted(s: TextStatus, e: SupportCounted, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"supports": e.supports}, (
        f"{_plural(e.supports, 'member')} now support this submission ({r.support_threshold} needed)."
    ), {"supports": e.supports, "threshold": r.support_threshold}


def _phase_closed(s: TextStatus, e: PhaseClosed, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    words = f"The {LABELS[e.phase]} closed."
    if e.phase is PhaseKind.SUBMISSIONS and s.origin is Origin.INDIVIDUAL and s.state is S.SUBMISSION:
        words += f" Support stands at {s.supports:,} of the {r.support_threshold} needed."
    return {"closed_phases": s.closed_phases | {e.phase}}, words, {"phase": e.phase.value}


def _taken_into_drafting(s: TextStatus, e: TakenIntoDrafting, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    if s.origin is Origin.INDIVIDUAL:
        words = f"Taken into drafting with {_plural(s.supports, 'supporting member')} ({r.support_threshold} needed)."
    else:
        words = "Taken into drafting as a local group's submission."
    return {}, words, {"origin": s.origin.value, "supports": s.supports, "threshold": r.support_threshold}


def _merged_into(s: TextStatus, e: MergedInto, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"merged_into": e.composite_id}, f"Merged into composite text #{e.composite_id}.", {
        "composite_id": e.composite_id
    }


def _consensus_checked(s: TextStatus, e: ConsensusChecked, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    outcome = e.outcome(r)
    tally = outcome.counts
    evidence = {
        "seated": tally.seats,
        "present": tally.present_seated,
        "responses": {"agree": tally.agree, "reservations": tally.reservations, "stand_aside": tally.stand_aside,
                      "block": tally.block},
        "block_reasons": list(e.block_reasons),
        "quorate": outcome.quorate,
        "reached": outcome.reached,
        "outcome": outcome.code,
        "rule": r.consensus.to_dict(),
        "interrupted": outcome.interrupted,
    }
    reason = outcome.reason
    if e.block_reasons:
        reason += " Reasons given for blocking: " + "; ".join(r.strip() for r in e.block_reasons) + "."
    return {"last_check": outcome}, reason, evidence


def recorded_check(evidence: Mapping[str, Any], reason: str) -> CheckOutcome:
    """The outcome of a recorded consensus check, read back from its transition's evidence."""
    responses = evidence.get("responses", {})
    tally = Tally.from_counts({parse_response(k): int(v) for k, v in responses.items()},
                              max(1, int(evidence.get("seated", 1))), evidence.get("present"))
    rule = ConsensusRule.from_dict(evidence.get("rule", {}))
    return CheckOutcome(reached=bool(evidence.get("reached")), quorate=bool(evidence.get("quorate")), counts=tally,
                        threshold=rule.threshold, reason=reason, code=str(evidence.get("outcome", "")),
                        interrupted=bool(evidence.get("interrupted", False)))


def _interim_published(s: TextStatus, e: InterimPublished, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {}, "Published as an interim proposal for members to question and amend.", {}


def _amendment_proposed(s: TextStatus, e: AmendmentProposed, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"amendments_pending": s.amendments_pending | {e.amendment_id}}, (
        f"Amendment #{e.amendment_id} proposed."
    ), {"amendment_id": e.amendment_id}


def _amendment_disposed(s: TextStatus, e: AmendmentDisposed, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {
        "amendments_pending": s.amendments_pending - {e.amendment_id},
        "amendments_disposed": s.amendments_disposed | {e.amendment_id},
    }, f"Amendment #{e.amendment_id} {DISPOSITION_WORDS[e.disposition]}: {e.reason.strip()}", {
        "amendment_id": e.amendment_id, "disposition": e.disposition.value, "reason": e.reason.strip()
    }


def _leadership_proposed(s: TextStatus, e: LeadershipAmendmentProposed, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"leadership_pending": s.leadership_pending | {e.amendment_id}}, (
        f"Leadership amendment #{e.amendment_id} proposed; the assembly must decide on it."
    ), {"amendment_id": e.amendment_id}


def _leadership_decided(s: TextStatus, e: LeadershipAmendmentDecided, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {
        "leadership_pending": s.leadership_pending - {e.amendment_id},
        "leadership_decided": s.leadership_decided | {e.amendment_id},
    }, f"Leadership amendment #{e.amendment_id} {DISPOSITION_WORDS[e.disposition]}: {e.reason.strip()}", {
        "amendment_id": e.amendment_id, "disposition": e.disposition.value, "reason": e.reason.strip()
    }


def _counter_tabled(s: TextStatus, e: CounterProposalTabled, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    changes: dict[str, Any] = {"counter_proposals": s.counter_proposals | {e.counter_id}}
    if r.counter_proposal is CounterEffect.NEEDS_ASSEMBLY_DECISION:
        changes["counters_unconsidered"] = s.counters_unconsidered | {e.counter_id}
        words = f"Counter-proposal #{e.counter_id} tabled; the assembly must consider it before the ballot."
    else:
        words = f"Counter-proposal #{e.counter_id} tabled; it will stand beside this text on the ballot."
    return changes, words, {"counter_id": e.counter_id, "effect": r.counter_proposal.value}


def _counter_considered(s: TextStatus, e: CounterProposalConsidered, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"counters_unconsidered": s.counters_unconsidered - {e.counter_id}}, (
        f"Counter-proposal #{e.counter_id} considered by the assembly: {e.reason.strip()}"
    ), {"counter_id": e.counter_id, "reason": e.reason.strip()}


def _placed_on_ballot(s: TextStatus, e: PlacedOnBallot, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    decided = len(s.leadership_decided)
    return {}, (
        f"Placed on the ballot; the assembly decided on {_plural(decided, 'leadership amendment')}."
    ), {"leadership_decided": decided, "counter_proposals": sorted(s.counter_proposals)}


def _declared_state(s: TextStatus, e: BallotDeclared, r: Rules) -> TextState:
    """Where the table sends this text on this result (carried, adopted, ...)."""
    return next(route.target for route in TABLE[(S.ON_BALLOT, BallotDeclared)]
                if all(g.passes(s, e, r) for g in route.guards))


def _ballot_declared(s: TextStatus, e: BallotDeclared, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    verdict = STATE_LABELS[_declared_state(s, e, r).value]
    evidence: dict[str, Any] = {"carried": e.carried, "for": e.votes_for, "against": e.votes_against,
                                "abstained": e.abstentions}
    if e.clauses:
        summary = clause_summary(e.clauses, "adopted" if s.origin is Origin.COUNTER_PROPOSAL else "carried")
        evidence["summary"] = summary
        evidence["clauses"] = [
            {"number": c.number, "key": c.key, "carried": c.carried, "for": c.votes_for, "against": c.votes_against,
             "abstained": c.abstentions, "reason": c.reason,
             **({"paired_with": c.paired_with, "pair_reason": c.pair_reason} if c.paired_with else {})}
            for c in e.clauses]
        return {"ballot_summary": summary}, f"{verdict}: {summary}.", evidence
    return {}, (
        f"{verdict}: {e.votes_for:,} for, {e.votes_against:,} against, {e.abstentions:,} abstained."
    ), evidence


def _withdrawn(s: TextStatus, e: Withdrawn, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"withdrawn_reason": e.reason.strip()}, f"Withdrawn: {e.reason.strip()}", {"reason": e.reason.strip()}


def _superseded(s: TextStatus, e: Superseded, r: Rules) -> tuple[dict[str, Any], str, dict[str, Any]]:
    return {"superseded_by": e.by_text_id}, f"Superseded by text #{e.by_text_id}: {e.reason.strip()}", {
        "by_text_id": e.by_text_id, "reason": e.reason.strip()
    }


EFFECTS: dict[type, Effect] = {
    SupportCounted: _support_counted,
    PhaseClosed: _phase_closed,
    TakenIntoDrafting: _taken_into_drafting,
    MergedInto: _merged_into,
    ConsensusChecked: _consensus_checked,
    InterimPublished: _interim_published,
    AmendmentProposed: _amendment_proposed,
    AmendmentDisposed: _amendment_disposed,
    LeadershipAmendmentProposed: _leadership_proposed,
    LeadershipAmendmentDecided: _leadership_decided,
    CounterProposalTabled: _counter_tabled,
    CounterProposalConsidered: _counter_considered,
    PlacedOnBallot: _placed_on_ballot,
    BallotDeclared: _ballot_declared,
    Withdrawn: _withdrawn,
    Superseded: _superseded,
}


# --- transition ------------------------------------------------------------------------------


def _not_allowed(status: TextStatus, event: Event, message: str) -> DomainError:
    return DomainError(
        "transition_not_allowed", message,
        state=status.state.value, event=event_kind(event),
    )


def _where_event_applies(kind: type) -> str:
    states = [STATE_WORDS[state] for state in TextState if (state, kind) in TABLE]
    if len(states) > 1:
        return ", ".join(states[:-1]) + " or " + states[-1]
    return states[0]


def transition(
    status: TextStatus, event: Event, rules: Rules, now: datetime, actor: int | None
) -> tuple[TextStatus, Transition]:
    """Apply one event to a text: the new status and the record of the step, or a refusal."""
    kind = type(event)
    routes = TABLE.get((status.state, kind))
    if routes is None:
        if status.is_terminal:
            raise _not_allowed(
                status, event, f"This text is {STATE_WORDS[status.state]}; nothing can change it any more."
            )
        raise _not_allowed(
            status, event,
            f"This text is {STATE_WORDS[status.state]}; {kind.describe} only applies to a text that is "
            f"{_where_event_applies(kind)}.",
        )
    failed: tuple[Route, Guard] | None = None
    for route in routes:
        failing = next((g for g in route.guards if not g.passes(status, event, rules)), None)
        if failing is None:
            break
        failed = (route, failing)
    else:
        assert failed is not None
        route, guard = failed
        goal = BECOME_WORDS[route.target] if route.target is not status.state else f"to record {kind.describe}"
        raise _not_allowed(
            status, event,
            f"This text is {STATE_WORDS[status.state]}; {goal} it needs {guard.need(status, event, rules)}.",
        )
    changes, reason, evidence = EFFECTS[kind](status, event, rules)
    moved = route.target is not status.state
    new_status = replace(status, state=route.target, since=now if moved else status.since, **changes)
    record = Transition(
        from_state=status.state, to_state=route.target, at=now, actor=actor,
        event=event_kind(event), evidence=evidence, reason=reason,
    )
    return new_status, record


def can(status: TextStatus, event: Event, rules: Rules) -> tuple[bool, str]:
    """Would this event be accepted, and if not, why (for pages that show or hide a button)."""
    try:
        transition(status, event, rules, status.since, None)
    except DomainError as refusal:
        if refusal.code != "transition_not_allowed":
            raise
        return False, refusal.message
    return True, ""


# --- explain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextFacts:
    """Counts about one text, computed by the shell (in SQL) for `explain`."""

    amendments_total: int = 0
    amendments_undisposed: int = 0
    leadership_total: int = 0
    leadership_undecided: int = 0
    counter_proposals: int = 0
    supports: int = 0
    support_threshold: int = 20
    last_check: CheckOutcome | None = None
    state_since: datetime | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None


def facts_from_status(status: TextStatus, rules: Rules) -> TextFacts:
    """The facts `explain` needs, taken from a status the core built itself."""
    return TextFacts(
        amendments_total=len(status.amendments_pending | status.amendments_disposed),
        amendments_undisposed=len(status.amendments_pending),
        leadership_total=len(status.leadership_pending | status.leadership_decided),
        leadership_undecided=len(status.leadership_pending) + len(status.counters_unconsidered),
        counter_proposals=len(status.counter_proposals),
        supports=status.supports,
        support_threshold=rules.support_threshold,
        last_check=status.last_check,
        state_since=status.since,
    )


@dataclass(frozen=True)
class _Context:
    status: TextStatus
    facts: TextFacts
    timeline: Timeline
    now: datetime

    @property
    def since(self) -> str:
        return self.day(self.facts.state_since or self.status.since)

    def day(self, moment: datetime, closing: bool = False) -> str:
        return format_day(moment, self.timeline.tz, closing)

    def phase_words(self, kind: PhaseKind, name: str) -> str | None:
        """'the amendment window closes 21 Mar 2022' (or opens / closed), None if unscheduled."""
        phase = self.timeline.get(kind)
        if phase is None:
            return None
        if self.now < phase.opens_at:
            return f"{name} opens {self.day(phase.opens_at)}"
        if self.now < phase.closes_at:
            return f"{name} closes {self.day(phase.closes_at, closing=True)}"
        return f"{name} closed {self.day(phase.closes_at, closing=True)}"


def _join(*parts: str | None) -> str:
    return "; ".join(p for p in parts if p) + "."


def _explain_submission(c: _Context) -> str:
    f = c.facts
    if c.status.origin is not Origin.INDIVIDUAL:
        return _join(f"Submission from a local group since {c.since}",
                     "it is eligible and waits to be taken into drafting",
                     c.phase_words(PhaseKind.DRAFTING, "drafting"))
    window = c.timeline.get(PhaseKind.SUBMISSIONS)
    support = f"{f.supports:,} of the {f.support_threshold} supporting members it needs"
    if f.supports >= f.support_threshold:
        return _join(f"Submission since {c.since}", support + ", so it is eligible",
                     "it waits to be taken into drafting")
    if window is not None and c.now >= window.closes_at:
        return _join(
            f"Submission since {c.since}",
            f"it had {f.supports:,} of the {f.support_threshold} supporting members it needed when the "
            f"submissions window closed {c.day(window.closes_at, closing=True)}, so it cannot go to an assembly",
        )
    missing = f.support_threshold - f.supports
    return _join(f"Submission since {c.since}", f"{support}, {missing:,} more needed",
                 c.phase_words(PhaseKind.SUBMISSIONS, "the submissions window"))


def _explain_draft(c: _Context) -> str:
    check = c.facts.last_check
    return _join(f"Draft since {c.since}",
                 f"last consensus check: {check.reason}" if check else "no consensus check has been held yet",
                 c.phase_words(PhaseKind.DRAFTING, "drafting"))


def _explain_consensus(c: _Context) -> str:
    return _join(f"Agreed by consensus on {c.since}",
                 "it will be published as an interim proposal for members to amend",
                 c.phase_words(PhaseKind.AMENDMENT_WINDOW, "the amendment window"))


def _explain_interim(c: _Context) -> str:
    f = c.facts
    if f.amendments_total:
        amendments = (f"{_plural(f.amendments_total, 'amendment')} proposed, "
                      f"{f.amendments_undisposed:,} still without a disposition")
    else:
        amendments = "no amendments proposed yet"
    window = c.timeline.get(PhaseKind.AMENDMENT_WINDOW)
    missing = None
    if window is not None and c.now >= window.closes_at:
        missing = ("the assembly must give each amendment a disposition before its final consensus check"
                   if f.amendments_undisposed else "it waits for the assembly's final consensus check")
    check = f.last_check
    last = f"last consensus check: {check.reason}" if check and not check.reached else None
    return _join(f"Interim since {c.since}", amendments,
                 c.phase_words(PhaseKind.AMENDMENT_WINDOW, "the amendment window"), missing, last)


def _explain_final(c: _Context) -> str:
    f = c.facts
    if f.leadership_total or f.leadership_undecided:
        leadership = (f"{_plural(f.leadership_total, 'leadership amendment')}, "
                      f"{f.leadership_undecided:,} still waiting for the assembly's decision")
    else:
        leadership = "no leadership amendments"
    counters = _plural(f.counter_proposals, "counter-proposal") + " tabled" if f.counter_proposals else None
    ready = ("it goes on the ballot once the assembly has decided on each" if f.leadership_undecided
             else "nothing stands between it and the ballot but the calendar")
    return _join(f"Final since {c.since}", leadership, counters,
                 c.phase_words(PhaseKind.LEADERSHIP_ROUND, "the leadership round"), ready)


def _explain_on_ballot(c: _Context) -> str:
    return _join(f"On the ballot since {c.since}", c.phase_words(PhaseKind.BALLOT, "the ballot"))


def _explain_result(c: _Context) -> str:
    f = c.facts
    verdict = STATE_LABELS[c.status.state.value]
    if c.status.ballot_summary:
        return f"{verdict} on {c.since}: {c.status.ballot_summary}."
    if f.votes_for is None:
        return f"{verdict} on {c.since}."
    return (f"{verdict} on {c.since}: {f.votes_for:,} for, {f.votes_against or 0:,} against, "
            f"{f.abstentions or 0:,} abstained.")


def _explain_withdrawn(c: _Context) -> str:
    reason = c.status.withdrawn_reason
    return f"Withdrawn on {c.since}: {reason}" if reason else f"Withdrawn on {c.since}."


def _explain_merged(c: _Context) -> str:
    return _join(f"Merged into composite text #{c.status.merged_into} on {c.since}",
                 "follow that text for its progress")


def _explain_superseded(c: _Context) -> str:
    return _join(f"Superseded by text #{c.status.superseded_by} on {c.since}", "follow that text for its progress")


EXPLAINERS: dict[TextState, Callable[[_Context], str]] = {
    S.SUBMISSION: _explain_submission,
    S.DRAFT: _explain_draft,
    S.CONSENSUS: _explain_consensus,
    S.INTERIM: _explain_interim,
    S.FINAL: _explain_final,
    S.ON_BALLOT: _explain_on_ballot,
    S.CARRIED: _explain_result,
    S.NOT_CARRIED: _explain_result,
    S.ADOPTED: _explain_result,
    S.NOT_ADOPTED: _explain_result,
    S.WITHDRAWN: _explain_withdrawn,
    S.MERGED_INTO: _explain_merged,
    S.SUPERSEDED: _explain_superseded,
}


def explain(status: TextStatus, facts: TextFacts, timeline: Timeline, now: datetime) -> str:
    """Where the text stands and what is still missing, in plain words."""
    return EXPLAINERS[status.state](_Context(status, facts, timeline, now))
