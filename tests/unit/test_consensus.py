"""The one consensus rule: laws of `evaluate`, and the law that the live room and the tracker's
record always reach the same outcome for the same answers under the same rule."""
from datetime import datetime, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from deliberation import sessions
from deliberation.consensus import ConsensusRule, Response, Tally, evaluate, parse_response
from deliberation.errors import DomainError
from deliberation.tracker import ConsensusChecked, Rules, TextState, TextStatus, transition

RULES = Rules()
NOW = datetime(2021, 9, 1, 10, tzinfo=timezone.utc)


def evaluate_check(rules, seated, responses, present=None):
    """The record's view of a check: counts per answer, as a form or the room hands them over."""
    return evaluate(rules.consensus, Tally.from_counts(responses, seated, present))



def test_one_block_keeps_draft_from_consensus():
    outcome = evaluate_check(RULES, 20, {Response.AGREE: 17, Response.BLOCK: 1})
    assert (outcome.reached, outcome.quorate) == (False, True)
    assert "1 member blocked" in outcome.reason


def test_quorum_is_half_the_seats_by_default():
    assert not evaluate_check(RULES, 20, {Response.AGREE: 9}).quorate
    assert evaluate_check(RULES, 20, {Response.AGREE: 10}).quorate
    assert evaluate_check(RULES, 21, {Response.AGREE: 11}).quorate
    assert not evaluate_check(RULES, 21, {Response.AGREE: 10}).quorate
    assert evaluate_check(RULES, 20, {Response.AGREE: 9}).reason == (
        "Not quorate: 9 of 20 seated members present; at least 10 needed. A check without quorum decides nothing."
    )


def test_agreement_threshold_is_inclusive_and_counts_reservations_as_agreement():
    # 12 present, 2 stand aside: 10 counted; 6 agree + 2 with reservations is 80%.
    assert evaluate_check(
        RULES, 20, {Response.AGREE: 6, Response.AGREE_WITH_RESERVATIONS: 2, Response.STAND_ASIDE: 2}, present=12
    ).reached
    # 9 of 12 counted is exactly 75%.
    assert evaluate_check(RULES, 20, {Response.AGREE: 6, Response.AGREE_WITH_RESERVATIONS: 3}, present=12).reached
    short = evaluate_check(RULES, 20, {Response.AGREE: 8}, present=11)  # 8 of 11 is 72.7%
    assert not short.reached and short.quorate
    assert "3 silent" in short.reason and "(72%; at least 75% needed)" in short.reason


def test_silence_counts_against_but_not_against_quorum():
    assert evaluate_check(RULES, 20, {Response.AGREE: 3}, present=10).quorate
    assert not evaluate_check(RULES, 20, {Response.AGREE: 3}, present=10).reached


def test_without_blocks_stop_a_block_counts_like_silence():
    rules = Rules(blocks_stop=False)
    assert evaluate_check(
        rules, 20, {Response.AGREE: 6, Response.AGREE_WITH_RESERVATIONS: 3, Response.BLOCK: 3}
    ).reached
    assert not evaluate_check(rules, 20, {Response.AGREE: 8, Response.BLOCK: 3}).reached


def test_stand_asides_count_for_quorum_but_not_against():
    outcome = evaluate_check(RULES, 20, {Response.AGREE: 4, Response.STAND_ASIDE: 6})
    assert outcome.quorate and outcome.reached
    assert not evaluate_check(RULES, 20, {Response.STAND_ASIDE: 12}).reached


@pytest.mark.parametrize(
    "seated, responses, code",
    [
        (0, {}, "seats_missing"),
        (20, {Response.AGREE: -1}, "response_count_negative"),
        (5, {Response.AGREE: 6}, "more_responses_than_seats"),
        (20, {Response.AGREE: 6}, "fewer_present_than_responses"),
    ],
)
def test_impossible_checks_are_refused(seated, responses, code):
    with pytest.raises(DomainError) as err:
        evaluate_check(RULES, seated, responses, present=5 if code.startswith("fewer") else None)
    assert err.value.code == code


@settings(max_examples=300)
@given(
    seated=st.integers(1, 40),
    counts=st.tuples(*[st.integers(0, 10)] * 4),
    silent=st.integers(0, 5),
    quorum=st.sampled_from([0.25, 0.5, 0.6, 2 / 3]),
    threshold=st.sampled_from([0.5, 0.66, 0.75, 0.9, 1.0]),
    blocks_stop=st.booleans(),
)
def test_check_outcome_laws(seated, counts, silent, quorum, threshold, blocks_stop):
    responses = dict(zip(Response, counts))
    present = sum(counts) + silent
    if present > seated:
        return
    rules = Rules(quorum_fraction=quorum, agreement_threshold=threshold, blocks_stop=blocks_stop)
    outcome = evaluate_check(rules, seated, responses, present)
    assert not (outcome.reached and not outcome.quorate)
    assert outcome.quorate == (present >= quorum * seated - 1e-9)
    if responses[Response.BLOCK] and blocks_stop:
        assert not outcome.reached
    # A silent member who comes round to agreeing never undoes consensus.
    if outcome.reached and silent:
        more = dict(responses)
        more[Response.AGREE] += 1
        assert evaluate_check(rules, seated, more, present).reached
    # Turning an agreement into a block never turns no consensus into consensus.
    if responses[Response.AGREE] and not outcome.reached:
        worse = dict(responses)
        worse[Response.AGREE] -= 1
        worse[Response.BLOCK] += 1
        assert not evaluate_check(rules, seated, worse, present).reached


def test_old_spelling_of_reservations_still_parses():
    assert parse_response("reservations") is Response.AGREE_WITH_RESERVATIONS
    with pytest.raises(DomainError) as err:
        parse_response("maybe")
    assert err.value.code == "unknown_response"


def test_a_check_without_quorum_never_reaches_consensus_and_says_so():
    outcome = evaluate(ConsensusRule(quorum=Fraction(1, 2)), Tally.from_counts({Response.AGREE: 1}, 19, 1))
    assert not outcome.reached and not outcome.quorate and outcome.code == "not_quorate"
    assert outcome.reason.startswith("Not quorate: 1 of 19") and "decides nothing" in outcome.reason


def test_the_rule_decides_how_stand_asides_and_silence_count():
    # 4 seated: 2 agree, 1 stands aside, 1 silent (the case where room and record used to disagree).
    tally = Tally(agree=2, reservations=0, stand_aside=1, block=0, not_answered=1, present_seated=4, seats=4)
    assert not evaluate(ConsensusRule(), tally).reached                       # 2 of 3 counted
    assert evaluate(ConsensusRule(silent_counts=False), tally).reached        # 2 of 2
    assert not evaluate(ConsensusRule(silent_counts=False, stand_asides_count=True), tally).reached  # 2 of 3


def test_an_interrupted_check_says_so_in_its_reason():
    tally = Tally.from_counts({Response.AGREE: 10}, 12, 10)
    outcome = evaluate(ConsensusRule(), tally, interrupted=True)
    assert outcome.reached and outcome.interrupted and "server restarted" in outcome.reason


def test_rule_round_trips_through_its_stored_form():
    rule = ConsensusRule(quorum=Fraction(2, 3), threshold=Fraction(9, 10), blocks_stop=False,
                         stand_asides_count=True, silent_counts=False)
    assert ConsensusRule.from_dict(rule.to_dict()) == rule
    assert "one block" not in rule.words() and "66%" not in rule.words() and "67%" in rule.words()


shares = st.sampled_from([Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(3, 5), Fraction(2, 3), Fraction(1)])
rules = st.builds(ConsensusRule, quorum=shares, threshold=st.sampled_from(
    [Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(9, 10), Fraction(1)]),
    blocks_stop=st.booleans(), stand_asides_count=st.booleans(), silent_counts=st.booleans())


@st.composite
def rooms(draw):
    """A session with seated members, some present, and a check some of them answered."""
    seats = draw(st.integers(1, 25))
    seated = frozenset(range(1, seats + 1))
    present = frozenset(draw(st.sets(st.sampled_from(sorted(seated)))))
    session = sessions.Session(agenda=("Item",), seated=seated, facilitators=frozenset({100}), present=present | {100})
    check, _ = sessions.ConsensusCheck.open(session, "text:1@1", 100, NOW)
    for member in sorted(present):
        response = draw(st.none() | st.sampled_from(list(Response)))
        if response is not None:
            reason = "A reason the room can hear." if response is Response.BLOCK else None
            check, _ = check.answer(session, member, response, reason)
    return session, check


@settings(max_examples=400)
@given(rule=rules, room=rooms())
def test_the_room_and_the_record_reach_the_same_outcome(rule, room):
    session, check = room
    shown = check.evaluate(session, rule)
    # The record: the tracker takes the counts the room hands over, under the convention's rules.
    convention = Rules(quorum_fraction=rule.quorum, agreement_threshold=rule.threshold,
                       blocks_stop=rule.blocks_stop, stand_asides_count=rule.stand_asides_count,
                       silent_counts=rule.silent_counts)
    assert convention.consensus == rule
    counts = shown.counts
    reasons = tuple(a.reason for a in check.answers if a.response is Response.BLOCK)
    event = ConsensusChecked({r: counts.count(r) for r in Response}, counts.seats, reasons, counts.present_seated)
    _, record = transition(TextStatus(TextState.DRAFT, NOW), event, convention, NOW, 1)
    assert (record.evidence["reached"], record.evidence["quorate"]) == (shown.reached, shown.quorate)
    assert record.reason.startswith(shown.reason)
    assert (record.to_state is TextState.CONSENSUS) == shown.reached
    if not shown.quorate:
        assert record.to_state is TextState.DRAFT
