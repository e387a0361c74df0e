import re
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from deliberation.ballot import (
    SIMPLE_MAJORITY,
    TWO_THIRDS_MAJORITY,
    Adopted,
    Ballot,
    BallotWindow,
    Choice,
    Count,
    Question,
    Section,
    SeedQuestion,
    SeedResults,
    SeedSection,
    ballots_reproducing,
    check_can_cast,
    check_eligible,
    check_questions,
    count_choices,
    decide_pair,
    format_results_text,
    is_eligible,
    is_open,
    judge,
    new_receipt,
    normalise_receipt,
    parse_seed_results,
    seed_sections,
    tally,
    validate_answers,
)
from deliberation.errors import DomainError, NotAllowed

SEED = Path("/work/shared/seeds/004_db4f9530e61cc96f.txt")
COUNT_LINE = re.compile(r"^\d+\s*(for|against|abstained)(\s*;\s*\d+\s*(for|against|abstained))*$")
UTC = timezone.utc


def code_of(call, *args):
    with pytest.raises(DomainError) as err:
        call(*args)
    return err.value.code


def carried(majority, votes_for, against, abstained=0):
    return judge(Question(1, 1, "q", majority), Count(votes_for, against, abstained), 10**6).carried


# --- majorities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "votes_for, against, expected",
    [(1, 1, False), (50, 50, False), (51, 50, True), (2, 1, True), (1, 0, True), (0, 1, False)],
)
def test_simple_majority_needs_more_than_half_of_those_voting_for_or_against(votes_for, against, expected):
    assert carried(SIMPLE_MAJORITY, votes_for, against) is expected


@pytest.mark.parametrize(
    "votes_for, against, expected",
    [(2, 1, True), (200, 100, True), (199, 100, False), (1999, 1000, False), (2001, 1000, True), (1, 1, False)],
)
def test_two_thirds_majority_is_met_at_exactly_two_thirds(votes_for, against, expected):
    assert carried(TWO_THIRDS_MAJORITY, votes_for, against) is expected


@given(st.integers(1, 10**9))
def test_exact_two_thirds_is_carried_however_large_the_vote(n):
    # floats would wobble around 2/3 for some n; the rule is exact
    assert carried(TWO_THIRDS_MAJORITY, 2 * n, n)
    assert not carried(TWO_THIRDS_MAJORITY, 2 * n - 1, n)
    assert not carried(SIMPLE_MAJORITY, n, n)


BOTH_MAJORITIES = st.sampled_from([SIMPLE_MAJORITY, TWO_THIRDS_MAJORITY])


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), BOTH_MAJORITIES)
def test_abstentions_never_change_the_verdict(votes_for, against, abstained, majority):
    assert carried(majority, votes_for, against, abstained) == carried(majority, votes_for, against, 0)


@given(st.integers(0, 500), st.integers(0, 500), BOTH_MAJORITIES)
def test_one_more_vote_for_never_defeats_a_question(votes_for, against, majority):
    if carried(majority, votes_for, against):
        assert carried(majority, votes_for + 1, against)


def test_nobody_voting_for_or_against_is_not_carried():
    result = judge(Question(1, 1, "q"), Count(abstained=5), 5)
    assert not result.carried
    assert result.reason == "Not carried: nobody voted for or against (simple majority needed)"


def test_reason_states_counts_share_and_majority_needed():
    result = judge(Question(1, 1, "q"), Count(54, 0, 2), 56)
    assert result.reason == "Carried: 54 for, 0 against (100% of those voting for or against; simple majority needed)"
    result = judge(Question(1, 1, "q", TWO_THIRDS_MAJORITY), Count(3, 2, 0), 56)
    assert result.reason == "Not carried: 3 for, 2 against (60% of those voting for or against; two-thirds majority needed)"


@given(st.integers(0, 3000), st.integers(0, 3000), BOTH_MAJORITIES)
def test_the_percentage_shown_never_contradicts_the_verdict(votes_for, against, majority):
    result = judge(Question(1, 1, "q", majority), Count(votes_for, against), 6000)
    shown = re.search(r"\(([\d.]+)%", result.reason)
    if votes_for + against == 0:
        assert shown is None
        return
    percent = Fraction(shown.group(1))
    threshold = majority.share * 100
    looks_met = percent > threshold if majority.strict else percent >= threshold
    assert looks_met == result.carried
    if against:
        assert percent != 100
    if votes_for:
        assert percent != 0


# --- counter-proposals --------------------------------------------------------------------

PROPOSAL = Question(1, 1, "Hold an annual sovereign conference.")
COUNTER = Question(2, 2, "Hold a biennial conference.", counter_to=1)


def pair(proposal_counts, counter_counts):
    return decide_pair(judge(PROPOSAL, Count(*proposal_counts), 100), judge(COUNTER, Count(*counter_counts), 100))


def test_neither_is_adopted_when_neither_reaches_its_majority():
    decision = pair((10, 40), (20, 30))
    assert decision.adopted is Adopted.NEITHER
    assert "neither the proposal nor the counter-proposal reached its majority" in decision.reason


@pytest.mark.parametrize(
    "proposal_counts, counter_counts, adopted",
    [((60, 30), (40, 50), Adopted.PROPOSAL), ((40, 50), (60, 30), Adopted.COUNTER_PROPOSAL)],
)
def test_only_the_one_reaching_its_majority_is_adopted(proposal_counts, counter_counts, adopted):
    decision = pair(proposal_counts, counter_counts)
    assert decision.adopted is adopted
    assert "reached its majority and the" in decision.reason


@pytest.mark.parametrize(
    "proposal_counts, counter_counts, adopted",
    [((70, 20), (60, 5), Adopted.PROPOSAL), ((60, 5), (70, 20), Adopted.COUNTER_PROPOSAL)],
)
def test_when_both_pass_more_votes_for_wins(proposal_counts, counter_counts, adopted):
    decision = pair(proposal_counts, counter_counts)
    assert decision.adopted is adopted
    assert "more members voted for it" in decision.reason


@pytest.mark.parametrize(
    "proposal_counts, counter_counts, adopted",
    [((60, 10), (60, 20), Adopted.PROPOSAL), ((60, 20), (60, 10), Adopted.COUNTER_PROPOSAL)],
)
def test_equal_votes_for_go_to_the_larger_margin(proposal_counts, counter_counts, adopted):
    decision = pair(proposal_counts, counter_counts)
    assert decision.adopted is adopted
    assert "margin" in decision.reason


def test_a_complete_tie_goes_to_the_assemblys_proposal():
    decision = pair((60, 10, 5), (60, 10, 25))
    assert decision.adopted is Adopted.PROPOSAL
    assert "assembly's proposal keeps a tie" in decision.reason


@given(*(st.integers(0, 60) for _ in range(4)))
def test_the_adopted_text_always_reached_its_majority(pf, pa, cf, ca):
    proposal, counter = judge(PROPOSAL, Count(pf, pa), 200), judge(COUNTER, Count(cf, ca), 200)
    decision = decide_pair(proposal, counter)
    winner = {Adopted.PROPOSAL: proposal, Adopted.COUNTER_PROPOSAL: counter}.get(decision.adopted)
    if winner is None:
        assert not proposal.carried and not counter.carried
    else:
        assert winner.carried


def test_tally_marks_which_of_a_pair_is_adopted():
    sections = (Section(1, "Power", (PROPOSAL, COUNTER, Question(3, 3, "Unrelated."))),)
    counts = {(1, Choice.FOR): 30, (1, Choice.AGAINST): 10, (2, Choice.FOR): 35, (2, Choice.AGAINST): 20}
    counts[(3, Choice.FOR)] = 1
    results = tally(sections, counts, 56)
    assert results.question(1).carried and not results.question(1).adopted
    assert results.question(2).carried and results.question(2).adopted
    assert results.question(3).adopted
    assert [p.adopted for p in results.pairs] == [Adopted.COUNTER_PROPOSAL]
    assert results.pair_for(1) is results.pair_for(2) is results.pairs[0]


@pytest.mark.parametrize(
    "questions, code",
    [
        ((Question(1, 1, "a"), Question(1, 2, "b")), "question_id_repeated"),
        ((Question(1, 1, "a"), Question(2, 2, "b", counter_to=9)), "counter_target_unknown"),
        ((Question(1, 1, "a"), Question(2, 2, "b", counter_to=1), Question(3, 3, "c", counter_to=2)), "counter_to_counter"),
        ((Question(1, 1, "a"), Question(2, 2, "b", counter_to=1), Question(3, 3, "c", counter_to=1)), "counter_repeated"),
    ],
)
def test_badly_paired_questions_are_refused(questions, code):
    assert code_of(check_questions, questions) == code


# --- a member's answers -------------------------------------------------------------------

QUESTIONS = (Question(1, 1, "a"), Question(2, 2, "b"), Question(3, 3, "c"))


def test_answers_become_choices_and_blanks_are_left_out():
    chosen = validate_answers(QUESTIONS, {1: "For", "2": " AGAINST ", 3: ""})
    assert chosen == {1: Choice.FOR, 2: Choice.AGAINST}


@pytest.mark.parametrize(
    "answers, code",
    [
        ({9: "for"}, "unknown_question"),
        ({"x": "for"}, "unknown_question"),
        ({1: "maybe"}, "unknown_choice"),
        ({1: "abstained"}, "unknown_choice"),
        ({}, "ballot_empty"),
        ({1: "", 2: "  "}, "ballot_empty"),
    ],
)
def test_bad_answers_are_refused_with_a_stable_code(answers, code):
    assert code_of(validate_answers, QUESTIONS, answers) == code


def test_unanswered_questions_are_not_voting_rather_than_abstaining():
    ballots = [validate_answers(QUESTIONS, a) for a in ({1: "for", 2: "abstain"}, {1: "against"}, {3: "for"})]
    results = tally((Section(1, "S", QUESTIONS),), count_choices(ballots), len(ballots))
    second = results.question(2)
    assert (second.count.abstained, second.not_voting) == (1, 2)
    assert results.question(1).not_voting == 1


@settings(max_examples=50)
@given(st.lists(st.dictionaries(st.sampled_from([1, 2, 3]), st.sampled_from(list(Choice)), min_size=1), max_size=40))
def test_every_voter_is_counted_once_per_question(ballots):
    results = tally((Section(1, "S", QUESTIONS),), count_choices(ballots), len(ballots))
    for q in QUESTIONS:
        r = results.question(q.id)
        assert r.count.answered + r.not_voting == len(ballots)
        assert r.count.votes_for == sum(1 for b in ballots if b.get(q.id) is Choice.FOR)


def test_a_tally_with_more_answers_than_voters_is_refused():
    assert code_of(tally, (Section(1, "S", QUESTIONS),), {(1, Choice.FOR): 5}, 4) == "tally_inconsistent"
    assert code_of(tally, (Section(1, "S", QUESTIONS),), {(7, Choice.FOR): 1}, 4) == "unknown_question"


# --- opening, closing and eligibility -----------------------------------------------------

OPENS = datetime(2022, 4, 20, 9, 0, tzinfo=UTC)
CLOSES = datetime(2022, 4, 30, 18, 0, tzinfo=UTC)
WINDOW = BallotWindow(OPENS, CLOSES)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    "now, is_open_then",
    [(OPENS - TICK, False), (OPENS, True), (CLOSES - TICK, True), (CLOSES, False), (CLOSES + TICK, False)],
)
def test_the_ballot_opens_inclusively_and_closes_exclusively(now, is_open_then):
    assert is_open(WINDOW, now) is is_open_then


def test_casting_before_opening_says_when_it_opens():
    with pytest.raises(DomainError) as err:
        check_can_cast(WINDOW, OPENS - TICK)
    assert err.value.code == "ballot_not_open"
    assert "at 09:00 UTC on 20 April 2022" in err.value.message


@pytest.mark.parametrize("now", [CLOSES, CLOSES + TICK])
def test_casting_at_or_after_closing_says_when_it_closed(now):
    with pytest.raises(DomainError) as err:
        check_can_cast(WINDOW, now)
    assert err.value.code == "ballot_closed"
    assert "at 18:00 UTC on 30 April 2022" in err.value.message


def test_casting_one_microsecond_before_closing_is_allowed():
    check_can_cast(WINDOW, CLOSES - TICK)


def test_a_window_that_closes_before_it_opens_is_refused():
    assert code_of(BallotWindow, CLOSES, OPENS) == "ballot_window_invalid"


def test_members_who_joined_by_the_cutoff_are_eligible():
    cutoff = datetime(2022, 3, 31, 23, 59, tzinfo=UTC)
    ballot = Ballot("Refounding", (Section(1, "S", QUESTIONS),), WINDOW, cutoff)
    assert is_eligible(ballot, cutoff)
    check_eligible(ballot, cutoff - TICK)
    with pytest.raises(NotAllowed) as err:
        check_eligible(ballot, cutoff + TICK)
    assert err.value.code == "ballot_not_eligible" and err.value.status == 403
    assert ballot.questions == QUESTIONS


# --- receipts -----------------------------------------------------------------------------

RECEIPT_SHAPE = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{2}$")
sixteen_bytes = st.binary(min_size=16, max_size=16)


@given(sixteen_bytes)
def test_a_receipt_is_readable_and_already_normal(raw):
    receipt = new_receipt(raw)
    assert RECEIPT_SHAPE.match(receipt)
    assert normalise_receipt(receipt) == receipt


@given(sixteen_bytes, st.sampled_from(["", " ", "-", " - "]))
def test_a_receipt_typed_loosely_is_recognised(raw, separator):
    receipt = new_receipt(raw)
    typed = separator.join(receipt.split("-")).lower().replace("0", "o").replace("1", "l")
    assert normalise_receipt(typed) == receipt


@given(sixteen_bytes, sixteen_bytes)
def test_different_bytes_give_different_receipts(a, b):
    assert (new_receipt(a) == new_receipt(b)) == (a == b)


@pytest.mark.parametrize("typed", ["", "K7QF-3M9X", "U" * 26, "K7QF-3M9X-K7QF-3M9X-K7QF-3M9X-K7!", "A" * 27])
def test_malformed_receipts_are_refused(typed):
    assert code_of(normalise_receipt, typed) == "receipt_malformed"


def test_a_receipt_needs_sixteen_random_bytes():
    with pytest.raises(ValueError):
        new_receipt(b"\x00" * 15)


# --- the seed results document ------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse_seed_results(seed_text)


def seed_question(seed, section, number):
    return seed.sections[section - 1].questions[number - 1]


def test_the_seed_has_five_sections_and_fifty_six_voters(seed):
    assert seed.voters_total == 56
    assert [s.number for s in seed.sections] == [1, 2, 3, 4, 5]
    assert [len(s.questions) for s in seed.sections] == [18, 19, 15, 14, 10]
    assert seed.sections[0].title == "Unite the socialist left and transform the Labour party -"
    assert seed.sections[4].title == "Campaign for a just, green, post-Coronavirus deal"


@pytest.mark.parametrize(
    "section, number, starts, count",
    [
        (1, 1, "Campaign to democratise the Labour Party", Count(54, 0, 2)),
        (1, 14, "Campaign to extend the Brexit transition period", Count(9, 47, 0)),
        (2, 1, "Refound Momentum through a member-led", Count(55, 1, 0)),
        (2, 6, "The NCG should meet monthly", Count(47, 4, 5)),  # the "47 for ; 4 against" line
        (2, 13, "Reinvigorating regional networks", Count(26, 29, 1)),
        (4, 1, "Aim to move the central office", Count(21, 31, 4)),
        (5, 10, "Strengthen links with other socialist movements abroad.", Count(47, 6, 3)),
    ],
)
def test_seed_questions_are_read_with_their_counts(seed, section, number, starts, count):
    question = seed_question(seed, section, number)
    assert question.text.startswith(starts)
    assert question.count == count


def test_question_text_broken_across_lines_is_joined(seed):
    text = seed_question(seed, 3, 4).text
    assert "to develop members' skills as organisers" in text
    assert text.endswith("to support the network.")
    assert seed_question(seed, 4, 11).text.endswith(
        "bid to for projects and campaigns, with decisions on funding made by other local groups in the region."
    )


def test_every_seed_question_was_answered_by_all_56(seed):
    assert {q.count.answered for s in seed.sections for q in s.questions} == {56}


@pytest.mark.parametrize(
    "text",
    [
        "1. Section\n\n1. Question\n54 for",  # no total
        "5 people voted in total.\n54 for",  # counts without a question
        "5 people voted in total.\n1. S\n1. Q\n2. R\n3 for",  # question 1 has no counts
        "5 people voted in total.\n1. S\n1. Q\n9 for",  # more answers than voters
        "5 people voted in total.\n1. S\n2. Q\n3 for",  # numbering skips
    ],
)
def test_a_malformed_results_document_is_refused(text):
    assert code_of(parse_seed_results, text) == "results_malformed"


def reproduce(seed):
    sections = seed_sections(seed)
    ids = {(s.number, q.number): q.id for s in sections for q in s.questions}
    ballots = ballots_reproducing(seed)
    questions = [q for s in sections for q in s.questions]
    chosen = [validate_answers(questions, {ids[k]: c for k, c in b.items()}) for b in ballots]
    return ballots, tally(sections, count_choices(chosen), len(chosen))


def test_the_reproduced_ballots_tally_to_every_published_count(seed):
    ballots, results = reproduce(seed)
    assert len(ballots) == 56
    for section, section_result in zip(seed.sections, results.sections):
        assert section_result.title == section.title
        assert [r.count for r in section_result.questions] == [q.count for q in section.questions]
    assert results.voters_total == 56


def test_reproducing_leaves_the_rest_not_voting_when_counts_fall_short():
    questions = (SeedQuestion(1, "a", Count(1, 1, 1)), SeedQuestion(2, "b", Count(1, 0, 0)))
    short = SeedResults(3, (SeedSection(1, "S", questions),))
    _, results = reproduce(short)
    assert results.question(2).count == Count(1, 0, 0)
    assert results.question(2).not_voting == 2


def test_results_no_ballot_could_give_are_refused():
    lonely = SeedResults(3, (SeedSection(1, "S", (SeedQuestion(1, "a", Count(1, 1, 0)),)),))
    assert code_of(ballots_reproducing, lonely) == "results_unreproducible"


def test_formatted_results_repeat_every_count_line_of_the_seed(seed, seed_text):
    _, results = reproduce(seed)
    written = format_results_text(results)
    ours = [line for line in written.splitlines() if COUNT_LINE.match(line)]
    seed_lines = [line.strip() for line in seed_text.splitlines()]
    theirs = [re.sub(r"\s*;\s*", "; ", line) for line in seed_lines if COUNT_LINE.match(line)]
    assert len(theirs) == 76
    assert ours == theirs
    assert "56 people voted in total." in written
    assert "\n1. Unite the socialist left and transform the Labour party -\n" in written
    assert "\n14. Campaign to extend the Brexit transition period\n9 for; 47 against\n" in written


def test_formatted_results_read_back_to_the_same_results(seed):
    _, results = reproduce(seed)
    assert parse_seed_results(format_results_text(results)) == seed


def test_formatted_results_can_give_reasons_and_pair_decisions():
    sections = (Section(1, "Power", (PROPOSAL, COUNTER)),)
    counts = {(1, Choice.FOR): 30, (1, Choice.AGAINST): 10, (2, Choice.FOR): 35, (2, Choice.AGAINST): 20}
    text = format_results_text(tally(sections, counts, 56), with_reasons=True)
    assert "30 for; 10 against\nCarried: 30 for, 10 against (75% of those voting" in text
    assert "the counter-proposal is adopted because more members voted for it" in text
    assert "Carried" not in format_results_text(tally(sections, counts, 56))
