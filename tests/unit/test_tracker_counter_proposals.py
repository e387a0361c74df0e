"""A counter-proposal's whole path in the tracker: it starts final, goes on the ballot, and the
declaration adopts it or not as the counter-proposal rule chose, saying why on both texts."""
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from deliberation.phases import Timeline
from deliberation.tracker import (BallotDeclared, ClauseResult, Origin, PlacedOnBallot, Rules, TextState,
                                  explain, facts_from_status, start, transition)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2030, 3, 1, 10, tzinfo=LONDON)
LATER = datetime(2030, 3, 13, 10, tzinfo=LONDON)
RULES = Rules(ballot_waits_for_leadership_round=False)
WON = "Both the proposal and the counter-proposal reached their majority; the counter-proposal is adopted " \
      "because more members voted for it (2 for the proposal, 3 for the counter-proposal)."


def on_ballot(origin: Origin):
    status = replace(start(origin, T0), state=TextState.FINAL)  # a proposal after its final check
    status, record = transition(status, PlacedOnBallot(), RULES, T0, 1)
    assert record.to_state is TextState.ON_BALLOT
    return status


def declared(origin: Origin, *clauses: ClauseResult):
    status, record = transition(on_ballot(origin), BallotDeclared.from_clauses(clauses), RULES, LATER, 1)
    return status, record


def test_a_counter_proposal_starts_final_and_can_go_on_the_ballot():
    assert start(Origin.COUNTER_PROPOSAL, T0).state is TextState.FINAL
    assert on_ballot(Origin.COUNTER_PROPOSAL).state is TextState.ON_BALLOT


def test_the_counter_proposal_the_rule_chose_is_adopted_and_the_proposal_says_it_lost_that_clause():
    counter, record = declared(Origin.COUNTER_PROPOSAL, ClauseResult(
        1, "c1", True, 3, 0, 0, paired_with="clause 1 of the proposal “Local organising”", pair_reason=WON))
    assert counter.state is TextState.ADOPTED
    assert record.reason == ("Adopted: its only clause was adopted. Clause 1 stood beside clause 1 of the proposal "
                             "“Local organising”: " + WON[:-1] + ".")
    proposal, record = declared(Origin.GROUP, ClauseResult(
        1, "c1", False, 2, 1, 0, paired_with="the counter-proposal “Regional organising”", pair_reason=WON),
        ClauseResult(2, "c2", True, 3, 0, 0))
    assert proposal.state is TextState.CARRIED
    assert record.reason == ("Carried: 1 of 2 clauses carried; clause 1 was not carried. Clause 1 stood beside "
                             "the counter-proposal “Regional organising”: " + WON[:-1] + ".")
    words = explain(proposal, facts_from_status(proposal, RULES), Timeline((), "Europe/London"), LATER)
    assert words.startswith("Carried on 13 Mar 2030: 1 of 2 clauses carried") and "Regional organising" in words


def test_a_counter_proposal_the_rule_did_not_choose_is_not_adopted_even_when_it_reached_its_majority():
    lost = "Both the proposal and the counter-proposal reached their majority; the proposal is adopted because " \
           "more members voted for it (3 for the proposal, 2 for the counter-proposal)."
    counter, record = declared(Origin.COUNTER_PROPOSAL, ClauseResult(
        1, "c1", False, 2, 1, 0, paired_with="clause 1 of the proposal “Local organising”", pair_reason=lost))
    assert counter.state is TextState.NOT_ADOPTED
    assert record.reason.startswith("Not adopted: its only clause was not adopted. Clause 1 stood beside")
    words = explain(counter, facts_from_status(counter, RULES), Timeline((), "Europe/London"), LATER)
    assert words.startswith("Not adopted on 13 Mar 2030") and "the proposal is adopted because" in words
    proposal, _ = declared(Origin.GROUP, ClauseResult(1, "c1", True, 3, 0, 0))
    assert proposal.state is TextState.CARRIED  # a proposal is never "adopted": it is carried or not
