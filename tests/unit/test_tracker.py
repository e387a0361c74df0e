from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from deliberation.consensus import CheckOutcome, ConsensusRule, Response, Tally
from deliberation.errors import DomainError
from deliberation.phases import Phase, PhaseKind, Timeline
from deliberation.tracker import (
    EVENT_TYPES,
    STATE_WORDS,
    TABLE,
    TERMINAL,
    AmendmentDisposed,
    AmendmentProposed,
    BallotDeclared,
    ConsensusChecked,
    CounterEffect,
    CounterProposalConsidered,
    CounterProposalTabled,
    Disposition,
    InterimPublished,
    LeadershipAmendmentDecided,
    LeadershipAmendmentProposed,
    MergedInto,
    Origin,
    PhaseClosed,
    PlacedOnBallot,
    Rules,
    Superseded,
    SupportCounted,
    TakenIntoDrafting,
    TextFacts,
    TextState,
    TextStatus,
    Withdrawn,
    can,
    explain,
    facts_from_status,
    start,
    transition,
)

S = TextState
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2021, 6, 12, 10, tzinfo=LONDON)
LATER = datetime(2021, 9, 1, 10, tzinfo=LONDON)
RULES = Rules()
ASSEMBLY_DECIDES = Rules(counter_proposal=CounterEffect.NEEDS_ASSEMBLY_DECISION)


def at(y, m, d, h=0):
    return datetime(y, m, d, h, tzinfo=LONDON)


TIMELINE = Timeline(
    (
        Phase(PhaseKind.SUBMISSIONS, at(2021, 6, 11, 9), at(2021, 8, 1)),
        Phase(PhaseKind.NOMINATIONS, at(2021, 6, 11, 9), at(2021, 7, 22)),
        Phase(PhaseKind.DRAFTING, at(2021, 8, 1), at(2022, 2, 17, 9)),
        Phase(PhaseKind.AMENDMENT_WINDOW, at(2022, 2, 17, 9), at(2022, 3, 22)),
        Phase(PhaseKind.FINAL_DRAFTING, at(2022, 3, 22), at(2022, 4, 1)),
        Phase(PhaseKind.LEADERSHIP_ROUND, at(2022, 4, 1), at(2022, 4, 22)),
        Phase(PhaseKind.BALLOT, at(2022, 4, 25, 9), at(2022, 5, 9, 12)),
        Phase(PhaseKind.RESULTS, at(2022, 5, 9, 12), at(2023, 5, 9)),
    ),
    "Europe/London",
)


def check_of(agree=0, reservations=0, stand_aside=0, block=0, seated=20, present=None):
    responses = {
        Response.AGREE: agree, Response.AGREE_WITH_RESERVATIONS: reservations,
        Response.STAND_ASIDE: stand_aside, Response.BLOCK: block,
    }
    return ConsensusChecked(responses, seated, tuple(f"reason {i}" for i in range(block)), present)


REACHING = check_of(agree=15, reservations=2)


def status(state, **kw):
    return TextStatus(state=state, since=T0, **kw)


def refused(st_, event, rules=RULES):
    with pytest.raises(DomainError) as err:
        transition(st_, event, rules, LATER, 1)
    assert err.value.code == "transition_not_allowed"
    return err.value.message


# --- consensus checks on the record -------------------------------------------------------


def test_every_block_needs_a_reason():
    with pytest.raises(DomainError) as err:
        ConsensusChecked({Response.AGREE: 10, Response.BLOCK: 2}, 20, ("one reason",))
    assert err.value.code == "block_needs_reason"


# --- the whole table: every allowed and every refused move -----------------------------------

# The expected moves, written out from the issue (state, event) -> state after a valid event.
EXPECTED = {
    (S.SUBMISSION, SupportCounted): S.SUBMISSION,
    (S.SUBMISSION, TakenIntoDrafting): S.DRAFT,
    (S.SUBMISSION, MergedInto): S.MERGED_INTO,
    (S.SUBMISSION, PhaseClosed): S.SUBMISSION,
    (S.SUBMISSION, Withdrawn): S.WITHDRAWN,
    (S.DRAFT, MergedInto): S.MERGED_INTO,
    (S.DRAFT, ConsensusChecked): S.CONSENSUS,
    (S.DRAFT, PhaseClosed): S.DRAFT,
    (S.DRAFT, Withdrawn): S.WITHDRAWN,
    (S.DRAFT, Superseded): S.SUPERSEDED,
    (S.CONSENSUS, InterimPublished): S.INTERIM,
    (S.CONSENSUS, PhaseClosed): S.CONSENSUS,
    (S.CONSENSUS, Withdrawn): S.WITHDRAWN,
    (S.CONSENSUS, Superseded): S.SUPERSEDED,
    (S.INTERIM, AmendmentProposed): S.INTERIM,
    (S.INTERIM, AmendmentDisposed): S.INTERIM,
    (S.INTERIM, ConsensusChecked): S.FINAL,
    (S.INTERIM, PhaseClosed): S.INTERIM,
    (S.INTERIM, Withdrawn): S.WITHDRAWN,
    (S.INTERIM, Superseded): S.SUPERSEDED,
    (S.FINAL, LeadershipAmendmentProposed): S.FINAL,
    (S.FINAL, LeadershipAmendmentDecided): S.FINAL,
    (S.FINAL, CounterProposalTabled): S.FINAL,
    (S.FINAL, CounterProposalConsidered): S.FINAL,
    (S.FINAL, PlacedOnBallot): S.ON_BALLOT,
    (S.FINAL, PhaseClosed): S.FINAL,
    (S.FINAL, Withdrawn): S.WITHDRAWN,
    (S.FINAL, Superseded): S.SUPERSEDED,
    (S.ON_BALLOT, BallotDeclared): S.CARRIED,
    (S.ON_BALLOT, PhaseClosed): S.ON_BALLOT,
}

SAMPLE = {
    SupportCounted: SupportCounted(25),
    PhaseClosed: PhaseClosed(PhaseKind.DRAFTING),
    TakenIntoDrafting: TakenIntoDrafting(),
    MergedInto: MergedInto(40),
    ConsensusChecked: REACHING,
    InterimPublished: InterimPublished(),
    AmendmentProposed: AmendmentProposed(2),
    AmendmentDisposed: AmendmentDisposed(1, Disposition.ACCEPTED, "Clearer wording."),
    LeadershipAmendmentProposed: LeadershipAmendmentProposed(6),
    LeadershipAmendmentDecided: LeadershipAmendmentDecided(5, Disposition.REJECTED, "Changes the intent."),
    CounterProposalTabled: CounterProposalTabled(8),
    CounterProposalConsidered: CounterProposalConsidered(9, "Noted; both go to the ballot."),
    PlacedOnBallot: PlacedOnBallot(),
    BallotDeclared: BallotDeclared(True, 3120, 1401, 212),
    Withdrawn: Withdrawn("The group asked to withdraw it."),
    Superseded: Superseded(41, "Replaced by a composite."),
}


def favourable(state, kind):
    """A status in `state` where every guard of the move on `kind` passes."""
    closed = frozenset()
    if kind in (ConsensusChecked, PlacedOnBallot):
        closed = frozenset({PhaseKind.AMENDMENT_WINDOW, PhaseKind.LEADERSHIP_ROUND})
    return status(
        state, origin=Origin.GROUP, closed_phases=closed,
        amendments_pending=frozenset({1}) if kind is AmendmentDisposed else frozenset(),
        leadership_pending=frozenset({5}) if kind is LeadershipAmendmentDecided else frozenset(),
        counter_proposals=frozenset({9}) if kind is CounterProposalConsidered else frozenset(),
        counters_unconsidered=frozenset({9}) if kind is CounterProposalConsidered else frozenset(),
    )


def test_expected_table_matches_the_transition_table():
    assert set(EXPECTED) == set(TABLE)
    assert set(SAMPLE) == set(EVENT_TYPES)


@pytest.mark.parametrize("state", list(TextState), ids=lambda s: s.value)
@pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda k: k.__name__)
def test_every_state_and_event_is_either_allowed_or_refused(state, kind):
    before = favourable(state, kind)
    if (state, kind) in EXPECTED:
        after, record = transition(before, SAMPLE[kind], ASSEMBLY_DECIDES, LATER, 3)
        assert after.state is EXPECTED[(state, kind)]
        assert (record.from_state, record.to_state, record.at, record.actor) == (state, after.state, LATER, 3)
        assert record.reason
        assert after.since == (LATER if after.state is not state else T0)
    else:
        message = refused(before, SAMPLE[kind], ASSEMBLY_DECIDES)
        assert message.startswith(f"This text is {STATE_WORDS[state]};")
        if state in TERMINAL:
            assert "nothing can change it" in message


def test_refusal_of_an_out_of_place_event_says_where_it_applies():
    message = refused(status(S.DRAFT), InterimPublished())
    assert message == (
        "This text is a draft; publication as an interim proposal only applies to a text that is "
        "agreed by consensus and waiting to be published."
    )


# --- guards, one by one ---------------------------------------------------------------------


def test_individual_submission_needs_twenty_supporters_to_become_a_draft():
    sub = start(Origin.INDIVIDUAL, T0)
    sub, _ = transition(sub, SupportCounted(19), RULES, T0, None)
    message = refused(sub, TakenIntoDrafting())
    assert message == (
        "This text is a submission; to become a draft it needs 20 supporting members before the "
        "submissions window closed, and it has 19."
    )
    sub, _ = transition(sub, SupportCounted(20), RULES, T0, None)
    assert transition(sub, TakenIntoDrafting(), RULES, LATER, 2)[0].state is S.DRAFT


def test_group_submission_is_eligible_without_supporters():
    assert transition(start(Origin.GROUP, T0), TakenIntoDrafting(), RULES, LATER, 2)[0].state is S.DRAFT


def test_support_is_not_counted_after_the_submissions_window_closed():
    sub, record = transition(start(Origin.INDIVIDUAL, T0), PhaseClosed(PhaseKind.SUBMISSIONS), RULES, LATER, None)
    assert "Support stands at 0 of the 20 needed" in record.reason
    message = refused(sub, SupportCounted(30))
    assert "submissions window to be open" in message
    refused(sub, TakenIntoDrafting())


def test_ineligible_submission_cannot_be_merged_into_a_composite():
    message = refused(start(Origin.INDIVIDUAL, T0), MergedInto(7))
    assert "to be merged into a composite it needs 20 supporting members" in message


def test_merge_records_the_composite():
    merged, record = transition(start(Origin.GROUP, T0), MergedInto(7), RULES, LATER, 4)
    assert (merged.state, merged.merged_into) == (S.MERGED_INTO, 7)
    assert record.evidence == {"composite_id": 7}


def test_composite_starts_as_a_draft():
    assert start(Origin.COMPOSITE, T0).state is S.DRAFT


def test_a_check_short_of_consensus_is_recorded_and_keeps_the_draft():
    draft = status(S.DRAFT)
    for check in (
        check_of(agree=9), check_of(agree=16, block=1), check_of(agree=8, reservations=1, stand_aside=1, present=14)
    ):
        after, record = transition(draft, check, RULES, LATER, 2)
        assert after.state is S.DRAFT and after.since == T0
        assert after.last_check is not None and not after.last_check.reached
        assert record.from_state is record.to_state is S.DRAFT


def test_quorate_consensus_moves_draft_to_consensus_with_evidence():
    after, record = transition(status(S.DRAFT), check_of(agree=14, reservations=1, stand_aside=2), RULES, LATER, 2)
    assert after.state is S.CONSENSUS
    assert record.evidence["responses"] == {"agree": 14, "reservations": 1, "stand_aside": 2, "block": 0}
    assert record.evidence["quorate"] and record.evidence["reached"]
    assert record.event == "consensus_checked"


def test_block_reasons_are_kept_in_the_record():
    _, record = transition(status(S.DRAFT), check_of(agree=15, block=1), RULES, LATER, 2)
    assert record.evidence["block_reasons"] == ["reason 0"]
    assert "reason 0" in record.reason


def test_interim_cannot_become_final_while_an_amendment_waits_for_a_disposition():
    interim = status(S.INTERIM, closed_phases=frozenset({PhaseKind.AMENDMENT_WINDOW}),
                     amendments_pending=frozenset({3, 4}), amendments_disposed=frozenset({1}))
    assert refused(interim, REACHING) == (
        "This text is an interim proposal; to record a consensus check it needs a disposition on every "
        "amendment, and 2 amendments still have none."
    )
    interim, _ = transition(
        interim, AmendmentDisposed(3, Disposition.ACCEPTED_AS_MODIFIED, "Merged wording."), RULES, LATER, 2
    )
    refused(interim, REACHING)
    interim, record = transition(interim, AmendmentDisposed(4, Disposition.REJECTED, "Out of scope."), RULES, LATER, 2)
    assert record.reason == "Amendment #4 rejected: Out of scope."
    assert transition(interim, REACHING, RULES, LATER, 2)[0].state is S.FINAL


def test_interim_waits_for_the_amendment_window_to_close():
    interim = status(S.INTERIM)
    assert "amendment window to close first" in refused(interim, REACHING)
    relaxed = Rules(final_waits_for_amendment_window=False)
    assert transition(interim, REACHING, relaxed, LATER, 2)[0].state is S.FINAL


def test_interim_check_without_consensus_stays_interim():
    interim = status(S.INTERIM, closed_phases=frozenset({PhaseKind.AMENDMENT_WINDOW}))
    after, _ = transition(interim, check_of(agree=5, block=1), RULES, LATER, 2)
    assert after.state is S.INTERIM and after.last_check and not after.last_check.reached


def test_amendments_are_not_taken_after_the_window_closed_or_twice():
    interim = status(S.INTERIM, amendments_pending=frozenset({1}))
    assert "already recorded" in refused(interim, AmendmentProposed(1))
    closed = replace(interim, closed_phases=frozenset({PhaseKind.AMENDMENT_WINDOW}))
    assert "amendment window to be open" in refused(closed, AmendmentProposed(2))


def test_disposing_an_unknown_or_disposed_amendment_is_refused():
    interim = status(S.INTERIM, amendments_disposed=frozenset({1}))
    event = AmendmentDisposed(1, Disposition.ACCEPTED, "Again.")
    assert "not" in refused(interim, event)
    refused(interim, AmendmentDisposed(2, Disposition.ACCEPTED, "Never proposed."))


@pytest.mark.parametrize(
    "make",
    [
        lambda r: AmendmentDisposed(1, Disposition.ACCEPTED, r),
        lambda r: LeadershipAmendmentDecided(1, Disposition.REJECTED, r),
        lambda r: Withdrawn(r),
        lambda r: Superseded(2, r),
        lambda r: CounterProposalConsidered(3, r),
    ],
)
def test_dispositions_and_decisions_need_a_reason(make):
    with pytest.raises(DomainError) as err:
        make("   ")
    assert err.value.code == "reason_required"


def test_on_ballot_needs_every_leadership_amendment_decided():
    final = status(S.FINAL, closed_phases=frozenset({PhaseKind.LEADERSHIP_ROUND}), leadership_pending=frozenset({5}))
    assert refused(final, PlacedOnBallot()) == (
        "This text is a final proposal; to go on the ballot it needs the assembly's decision on every "
        "leadership amendment and counter-proposal, and 1 still wait."
    )
    final, _ = transition(
        final, LeadershipAmendmentDecided(5, Disposition.ACCEPTED, "Agreed in session."), RULES, LATER, 2
    )
    assert transition(final, PlacedOnBallot(), RULES, LATER, 2)[0].state is S.ON_BALLOT


def test_on_ballot_waits_for_the_leadership_round_to_close():
    assert "leadership round to close first" in refused(status(S.FINAL), PlacedOnBallot())
    relaxed = Rules(ballot_waits_for_leadership_round=False)
    assert transition(status(S.FINAL), PlacedOnBallot(), relaxed, LATER, 2)[0].state is S.ON_BALLOT


def test_leadership_cannot_amend_after_its_round_closed():
    final = status(S.FINAL, closed_phases=frozenset({PhaseKind.LEADERSHIP_ROUND}))
    refused(final, LeadershipAmendmentProposed(1))
    refused(final, CounterProposalTabled(1))


def test_counter_proposal_stands_beside_by_default():
    final = status(S.FINAL)
    final, record = transition(final, CounterProposalTabled(8), RULES, LATER, 2)
    assert "stand beside this text" in record.reason
    final = replace(final, closed_phases=frozenset({PhaseKind.LEADERSHIP_ROUND}))
    assert transition(final, PlacedOnBallot(), RULES, LATER, 2)[0].state is S.ON_BALLOT
    assert "already tabled" in refused(status(S.FINAL, counter_proposals=frozenset({8})), CounterProposalTabled(8))


def test_counter_proposal_can_require_the_assembly_to_consider_it():
    final, _ = transition(status(S.FINAL), CounterProposalTabled(8), ASSEMBLY_DECIDES, LATER, 2)
    final = replace(final, closed_phases=frozenset({PhaseKind.LEADERSHIP_ROUND}))
    refused(final, PlacedOnBallot(), ASSEMBLY_DECIDES)
    final, _ = transition(final, CounterProposalConsidered(8, "Both go to members."), ASSEMBLY_DECIDES, LATER, 2)
    assert transition(final, PlacedOnBallot(), ASSEMBLY_DECIDES, LATER, 2)[0].state is S.ON_BALLOT
    refused(final, CounterProposalConsidered(8, "Again."), ASSEMBLY_DECIDES)


def test_ballot_result_decides_carried_or_not():
    on_ballot = status(S.ON_BALLOT)
    carried, record = transition(on_ballot, BallotDeclared(True, 5000, 1200, 300), RULES, LATER, None)
    assert carried.state is S.CARRIED
    assert record.reason == "Carried: 5,000 for, 1,200 against, 300 abstained."
    lost, _ = transition(on_ballot, BallotDeclared(False, 1000, 4000, 10), RULES, LATER, None)
    assert lost.state is S.NOT_CARRIED


def test_a_text_on_the_ballot_cannot_be_withdrawn():
    assert "withdrawal only applies" in refused(status(S.ON_BALLOT), Withdrawn("Too late."))


def test_terminal_states_refuse_everything():
    for state in TERMINAL:
        for kind in EVENT_TYPES:
            refused(favourable(state, kind), SAMPLE[kind])


def test_can_reports_refusal_without_raising():
    assert can(status(S.DRAFT), TakenIntoDrafting(), RULES)[0] is False
    assert can(status(S.CONSENSUS), InterimPublished(), RULES) == (True, "")


# --- random event sequences -------------------------------------------------------------------

ids = st.integers(1, 4)
reasons = st.sampled_from(["Clearer.", "Out of scope.", "Agreed in session."])


@st.composite
def checks(draw):
    seated = draw(st.integers(8, 20))
    agree = draw(st.integers(0, seated))
    reservations = draw(st.integers(0, seated - agree))
    stand_aside = draw(st.integers(0, seated - agree - reservations))
    block = draw(st.sampled_from([0, 0, 0, 1]))
    block = min(block, seated - agree - reservations - stand_aside)
    responded = agree + reservations + stand_aside + block
    present = draw(st.integers(responded, seated))
    return check_of(agree, reservations, stand_aside, block, seated, present)


events = st.one_of(
    st.builds(SupportCounted, st.integers(0, 40)),
    st.builds(PhaseClosed, st.sampled_from(list(PhaseKind))),
    st.just(TakenIntoDrafting()),
    st.builds(MergedInto, st.integers(100, 110)),
    checks(),
    st.just(InterimPublished()),
    st.builds(AmendmentProposed, ids),
    st.builds(AmendmentDisposed, ids, st.sampled_from(list(Disposition)), reasons),
    st.builds(LeadershipAmendmentProposed, ids),
    st.builds(LeadershipAmendmentDecided, ids, st.sampled_from(list(Disposition)), reasons),
    st.builds(CounterProposalTabled, ids),
    st.builds(CounterProposalConsidered, ids, reasons),
    st.just(PlacedOnBallot()),
    st.builds(BallotDeclared, st.booleans(), st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),
    st.builds(Withdrawn, reasons),
    st.builds(Superseded, st.integers(200, 210), reasons),
)

MAIN_PATH = [S.SUBMISSION, S.DRAFT, S.CONSENSUS, S.INTERIM, S.FINAL, S.ON_BALLOT]


def forward(s: TextStatus):
    """The event a willing assembly would send next to move the text on."""
    if s.state is S.SUBMISSION:
        return (
            TakenIntoDrafting()
            if s.supports >= 20 or s.origin is not Origin.INDIVIDUAL
            else SupportCounted(s.supports + 7)
        )
    if s.state in (S.DRAFT,):
        return REACHING
    if s.state is S.CONSENSUS:
        return InterimPublished()
    if s.state is S.INTERIM:
        if s.amendments_pending:
            return AmendmentDisposed(min(s.amendments_pending), Disposition.ACCEPTED, "Agreed.")
        if PhaseKind.AMENDMENT_WINDOW not in s.closed_phases:
            return PhaseClosed(PhaseKind.AMENDMENT_WINDOW)
        return REACHING
    if s.state is S.FINAL:
        if s.leadership_pending:
            return LeadershipAmendmentDecided(min(s.leadership_pending), Disposition.REJECTED, "Kept ours.")
        if s.counters_unconsidered:
            return CounterProposalConsidered(min(s.counters_unconsidered), "Both to the ballot.")
        if PhaseKind.LEADERSHIP_ROUND not in s.closed_phases:
            return PhaseClosed(PhaseKind.LEADERSHIP_ROUND)
        return PlacedOnBallot()
    return BallotDeclared(not s.counter_proposals, 3, 2, 1)


class TextLifecycle(RuleBasedStateMachine):
    @initialize(
        origin=st.sampled_from(list(Origin)),
        counter=st.sampled_from(list(CounterEffect)),
        blocks_stop=st.booleans(),
    )
    def begin(self, origin, counter, blocks_stop):
        self.rules = Rules(counter_proposal=counter, blocks_stop=blocks_stop)
        self.status = start(origin, T0)
        self.clock = T0
        self.log = []

    def _apply(self, event):
        self.clock += timedelta(hours=1)
        before = self.status
        try:
            after, record = transition(before, event, self.rules, self.clock, 7)
        except DomainError as refusal:
            assert refusal.code == "transition_not_allowed"
            assert refusal.message.startswith(f"This text is {STATE_WORDS[before.state]};")
            return
        assert before.state not in TERMINAL, "a terminal text accepted an event"
        assert (record.from_state, record.to_state) == (before.state, after.state)
        assert (record.at, record.actor) == (self.clock, 7) and record.reason
        if before.state is S.SUBMISSION and after.state in (S.DRAFT, S.MERGED_INTO):
            assert before.origin is not Origin.INDIVIDUAL or before.supports >= self.rules.support_threshold
        if before.state is not after.state and after.state in (S.CONSENSUS, S.FINAL):
            assert record.evidence["quorate"] and record.evidence["reached"]
        self.log.append(record)
        self.status = after

    @rule(event=events)
    def any_event(self, event):
        self._apply(event)

    @rule()
    def willing_assembly(self):
        self._apply(forward(self.status))

    @rule(n=ids)
    def someone_amends(self, n):
        # Amendments aimed at whatever stage the text is in, so guards get tested often.
        if self.status.state is S.FINAL:
            self._apply(LeadershipAmendmentProposed(n) if n % 2 else CounterProposalTabled(n))
        else:
            self._apply(AmendmentProposed(n))

    @rule()
    def hasty_assembly(self):
        # Tries to promote the text without settling what is pending first.
        s = self.status
        if s.state is S.INTERIM:
            window_open = PhaseKind.AMENDMENT_WINDOW not in s.closed_phases
            self._apply(PhaseClosed(PhaseKind.AMENDMENT_WINDOW) if window_open else REACHING)
        elif s.state is S.FINAL:
            round_open = PhaseKind.LEADERSHIP_ROUND not in s.closed_phases
            self._apply(PhaseClosed(PhaseKind.LEADERSHIP_ROUND) if round_open else PlacedOnBallot())
        else:
            self._apply(forward(s))

    def teardown(self):
        # Shown by --hypothesis-show-statistics: how deep the random runs go.
        event(f"ended {self.status.state.value}")

    @invariant()
    def every_transition_is_recorded_in_a_chain(self):
        state = start(self.status.origin, T0).state
        for record in self.log:
            assert record.from_state is state
            state = record.to_state
        assert state is self.status.state

    @invariant()
    def since_is_when_the_state_last_changed(self):
        moves = [r.at for r in self.log if r.from_state is not r.to_state]
        assert self.status.since == (moves[-1] if moves else T0)

    @invariant()
    def the_main_path_only_goes_forward(self):
        ranks = [MAIN_PATH.index(r.to_state) for r in self.log if r.to_state in MAIN_PATH]
        assert ranks == sorted(ranks)

    @invariant()
    def no_final_text_has_undisposed_amendments(self):
        if self.status.state in (S.FINAL, S.ON_BALLOT, S.CARRIED, S.NOT_CARRIED):
            assert not self.status.amendments_pending

    @invariant()
    def on_ballot_never_with_undecided_leadership_amendments(self):
        if self.status.state in (S.ON_BALLOT, S.CARRIED, S.NOT_CARRIED):
            assert not self.status.leadership_pending and not self.status.counters_unconsidered
            assert PhaseKind.LEADERSHIP_ROUND in self.status.closed_phases

    @invariant()
    def merged_and_superseded_texts_name_their_successor(self):
        assert (self.status.state is S.MERGED_INTO) == (self.status.merged_into is not None)
        assert (self.status.state is S.SUPERSEDED) == (self.status.superseded_by is not None)

    @invariant()
    def explain_always_has_words(self):
        text = explain(self.status, facts_from_status(self.status, self.rules), TIMELINE, self.clock)
        assert text and text.endswith(".")


TextLifecycle.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_text_lifecycle = TextLifecycle.TestCase


# --- explain ----------------------------------------------------------------------------------


MARCH_2022 = at(2022, 3, 1)


def explained(state_status, facts=None, now=MARCH_2022):
    return explain(state_status, facts or TextFacts(), TIMELINE, now)


def test_explain_interim_counts_amendments_and_names_the_window_close():
    interim = TextStatus(S.INTERIM, at(2022, 2, 17, 9))
    facts = TextFacts(amendments_total=34, amendments_undisposed=12)
    assert explained(interim, facts) == (
        "Interim since 17 Feb 2022; 34 amendments proposed, 12 still without a disposition; "
        "the amendment window closes 21 Mar 2022."
    )
    after = explained(interim, facts, now=at(2022, 3, 25))
    assert "the amendment window closed 21 Mar 2022" in after
    assert "must give each amendment a disposition" in after
    assert "no amendments proposed yet" in explained(interim)


def test_explain_individual_submission_short_of_support():
    sub = TextStatus(S.SUBMISSION, at(2021, 6, 20), origin=Origin.INDIVIDUAL)
    facts = TextFacts(supports=12, support_threshold=20)
    assert explained(sub, facts, now=at(2021, 7, 1)) == (
        "Submission since 20 Jun 2021; 12 of the 20 supporting members it needs, 8 more needed; "
        "the submissions window closes 31 Jul 2021."
    )
    assert explained(sub, facts, now=at(2021, 8, 5)) == (
        "Submission since 20 Jun 2021; it had 12 of the 20 supporting members it needed when the "
        "submissions window closed 31 Jul 2021, so it cannot go to an assembly."
    )
    eligible = explained(sub, TextFacts(supports=23, support_threshold=20), now=at(2021, 7, 1))
    assert "23 of the 20 supporting members it needs, so it is eligible" in eligible


def test_explain_group_submission():
    sub = TextStatus(S.SUBMISSION, at(2021, 6, 20), origin=Origin.GROUP)
    assert explained(sub, now=at(2021, 7, 1)) == (
        "Submission from a local group since 20 Jun 2021; it is eligible and waits to be taken into "
        "drafting; drafting opens 1 Aug 2021."
    )


def test_explain_draft_gives_the_last_check():
    draft = TextStatus(S.DRAFT, at(2021, 8, 1))
    assert explained(draft, now=at(2021, 9, 1)) == (
        "Draft since 1 Aug 2021; no consensus check has been held yet; drafting closes 17 Feb 2022."
    )
    outcome = check_of(agree=9).outcome(RULES)
    text = explained(draft, TextFacts(last_check=outcome), now=at(2021, 9, 1))
    assert "last consensus check: Not quorate: 9 of 20" in text


def test_explain_consensus_points_at_the_amendment_window():
    assert explained(TextStatus(S.CONSENSUS, at(2021, 12, 3)), now=at(2022, 1, 1)) == (
        "Agreed by consensus on 3 Dec 2021; it will be published as an interim proposal for members to "
        "amend; the amendment window opens 17 Feb 2022."
    )


def test_explain_final_counts_leadership_amendments():
    final = TextStatus(S.FINAL, at(2022, 3, 30))
    text = explained(
        final, TextFacts(leadership_total=3, leadership_undecided=1, counter_proposals=1), now=at(2022, 4, 10)
    )
    assert text == (
        "Final since 30 Mar 2022; 3 leadership amendments, 1 still waiting for the assembly's decision; "
        "1 counter-proposal tabled; the leadership round closes 21 Apr 2022; it goes on the ballot once "
        "the assembly has decided on each."
    )
    assert "no leadership amendments" in explained(final, now=at(2022, 4, 10))


def test_explain_on_ballot_and_results():
    assert explained(TextStatus(S.ON_BALLOT, at(2022, 4, 22)), now=at(2022, 4, 26)) == (
        "On the ballot since 22 Apr 2022; the ballot closes 9 May 2022."
    )
    facts = TextFacts(votes_for=4210, votes_against=1873, abstentions=240)
    assert explained(TextStatus(S.CARRIED, at(2022, 5, 9, 12)), facts) == (
        "Carried on 9 May 2022: 4,210 for, 1,873 against, 240 abstained."
    )
    assert explained(TextStatus(S.NOT_CARRIED, at(2022, 5, 9, 12))) == "Not carried on 9 May 2022."


def test_explain_withdrawn_merged_and_superseded():
    assert explained(TextStatus(S.WITHDRAWN, at(2021, 7, 2), withdrawn_reason="The group withdrew it.")) == (
        "Withdrawn on 2 Jul 2021: The group withdrew it."
    )
    assert explained(TextStatus(S.MERGED_INTO, at(2021, 9, 3), merged_into=12)) == (
        "Merged into composite text #12 on 3 Sep 2021; follow that text for its progress."
    )
    assert explained(TextStatus(S.SUPERSEDED, at(2021, 9, 3), superseded_by=15)) == (
        "Superseded by text #15 on 3 Sep 2021; follow that text for its progress."
    )


def test_explain_prefers_the_shell_state_since():
    interim = TextStatus(S.INTERIM, at(2022, 2, 17, 9))
    assert explained(interim, TextFacts(state_since=at(2022, 2, 18))).startswith("Interim since 18 Feb 2022;")


def test_explain_covers_every_state():
    for state in TextState:
        assert explained(TextStatus(state, at(2021, 9, 1), merged_into=1, superseded_by=2)).endswith(".")


def test_facts_from_status_count_what_the_guards_see():
    s = status(S.INTERIM, amendments_pending=frozenset({1, 2}), amendments_disposed=frozenset({3}),
               last_check=CheckOutcome(False, True, Tally(0, 0, 0, 1, 0, 1, 20), ConsensusRule().threshold,
                                       "No consensus."))
    facts = facts_from_status(s, RULES)
    assert (facts.amendments_total, facts.amendments_undisposed, facts.last_check.reason) == (3, 2, "No consensus.")
