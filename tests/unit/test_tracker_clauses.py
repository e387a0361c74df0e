"""A ballot declared clause by clause: the text carries when one clause did, and the record says which did not."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deliberation.errors import DomainError
from deliberation.phases import Timeline
from deliberation.tracker import (
    BallotDeclared,
    ClauseResult,
    Rules,
    TextState,
    TextStatus,
    explain,
    facts_from_status,
    transition,
)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2030, 3, 1, 10, tzinfo=LONDON)
LATER = datetime(2030, 3, 13, 10, tzinfo=LONDON)


def clause(number, carried, votes_for=3, against=1, abstained=0):
    return ClauseResult(number, f"c{number}", carried, votes_for, against, abstained)


def declare(*clauses):
    on_ballot = TextStatus(TextState.ON_BALLOT, T0)
    return transition(on_ballot, BallotDeclared.from_clauses(clauses), Rules(), LATER, 1)


def test_one_carried_clause_carries_the_text_and_the_reason_names_the_others():
    clauses = [clause(n, n not in (12, 13)) for n in range(1, 20)]
    status, record = declare(*reversed(clauses))
    assert status.state is TextState.CARRIED
    assert record.reason == "Carried: 17 of 19 clauses carried; clauses 12 and 13 were not carried."
    assert [c["number"] for c in record.evidence["clauses"]] == list(range(1, 20))
    assert record.evidence["clauses"][11] == {"number": 12, "key": "c12", "carried": False, "for": 3, "against": 1,
                                              "abstained": 0, "reason": ""}
    assert (record.evidence["for"], record.evidence["against"]) == (57, 19)
    explained = explain(status, facts_from_status(status, Rules()), Timeline((), "Europe/London"), LATER)
    assert explained == "Carried on 13 Mar 2030: 17 of 19 clauses carried; clauses 12 and 13 were not carried."


@pytest.mark.parametrize("clauses, state, reason", [
    ((clause(1, False), clause(2, False)), TextState.NOT_CARRIED, "Not carried: none of its 2 clauses carried."),
    ((clause(1, True), clause(2, True), clause(3, True)), TextState.CARRIED, "Carried: all 3 clauses carried."),
    ((clause(1, True),), TextState.CARRIED, "Carried: its only clause carried."),
    ((clause(1, False),), TextState.NOT_CARRIED, "Not carried: its only clause was not carried."),
    ((clause(1, True), clause(2, False), clause(3, False), clause(4, False)), TextState.CARRIED,
     "Carried: 1 of 4 clauses carried; clauses 2, 3 and 4 were not carried."),
    ((clause(1, True), clause(2, False)), TextState.CARRIED,
     "Carried: 1 of 2 clauses carried; clause 2 was not carried."),
])
def test_the_reason_says_how_the_clauses_fared(clauses, state, reason):
    status, record = declare(*clauses)
    assert (status.state, record.reason) == (state, reason)


def test_a_verdict_that_contradicts_its_clauses_is_refused():
    with pytest.raises(DomainError) as refused:
        BallotDeclared(True, 1, 5, 0, (clause(1, False),))
    assert refused.value.code == "ballot_result_inconsistent"
    with pytest.raises(DomainError):
        BallotDeclared.from_clauses(())
