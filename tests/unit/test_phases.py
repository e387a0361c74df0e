from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from deliberation.errors import DomainError
from deliberation.phases import (
    ALLOWED,
    Action,
    Phase,
    PhaseKind,
    PhaseState,
    Timeline,
    actions_allowed,
    allowed,
    check,
    current_phases,
    timeline_view,
    validate_timeline,
    what_members_can_do,
)

LONDON = ZoneInfo("Europe/London")
US = timedelta(microseconds=1)


def at(y, m, d, h=0, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def seed_phases():
    """The 2021-22 refounding timeline from the seed guidance."""
    return (
        Phase(PhaseKind.SUBMISSIONS, at(2021, 6, 11, 9), at(2021, 8, 1)),
        Phase(PhaseKind.NOMINATIONS, at(2021, 6, 11, 9), at(2021, 7, 22)),
        Phase(PhaseKind.DRAFTING, at(2021, 8, 1), at(2022, 2, 17, 9)),
        Phase(PhaseKind.AMENDMENT_WINDOW, at(2022, 2, 17, 9), at(2022, 3, 22)),
        Phase(PhaseKind.FINAL_DRAFTING, at(2022, 3, 22), at(2022, 4, 1)),
        Phase(PhaseKind.LEADERSHIP_ROUND, at(2022, 4, 1), at(2022, 4, 22)),
        Phase(PhaseKind.BALLOT, at(2022, 4, 25, 9), at(2022, 5, 9, 12)),
        Phase(PhaseKind.RESULTS, at(2022, 5, 9, 12), at(2023, 5, 9)),
    )


SEED = Timeline(seed_phases(), "Europe/London")


def _open_by_definition(action, timeline, now):
    rule = ALLOWED[action]
    if rule.phases is None:
        return True
    return any(
        p.opens_at <= now and (rule.stays_open or now < p.closes_at)
        for p in timeline.phases
        if p.kind in rule.phases
    )


# --- the table ------------------------------------------------------------------------------


def test_every_action_has_a_row_in_the_table():
    assert set(ALLOWED) == set(Action)


def test_the_brief_actions_exist():
    names = {a.value for a in Action}
    assert {
        "view", "submit_proposal", "support_submission", "nominate", "volunteer", "draft_text", "comment",
        "ask_clarification", "answer_clarification", "vote_clarification", "propose_amendment",
        "vote_amendment", "dispose_amendment", "leadership_amend", "table_counter_proposal",
        "record_consensus_check", "cast_ballot", "view_results",
    } <= names


def test_reading_and_commenting_are_allowed_at_any_time():
    for now in (at(2000, 1, 1), at(2021, 9, 1), at(2030, 1, 1)):
        assert allowed(Action.VIEW, SEED, now).allowed
        assert allowed(Action.COMMENT, SEED, now).allowed


def test_amendment_votes_stay_open_after_new_amendments_close():
    after_window = at(2022, 3, 25)
    assert not allowed(Action.PROPOSE_AMENDMENT, SEED, after_window).allowed
    assert allowed(Action.VOTE_AMENDMENT, SEED, after_window).allowed
    assert allowed(Action.VOTE_CLARIFICATION, SEED, after_window).allowed
    assert not allowed(Action.ASK_CLARIFICATION, SEED, after_window).allowed


def test_leadership_acts_only_in_the_leadership_round():
    for action in (Action.LEADERSHIP_AMEND, Action.TABLE_COUNTER_PROPOSAL):
        assert not allowed(action, SEED, at(2022, 3, 31)).allowed
        assert allowed(action, SEED, at(2022, 4, 10)).allowed
        assert not allowed(action, SEED, at(2022, 4, 23)).allowed


def test_leadership_amendments_can_be_decided_from_the_round_until_the_ballot_closes():
    action = Action.DECIDE_LEADERSHIP_AMENDMENT
    assert not allowed(action, SEED, at(2022, 3, 31)).allowed  # final drafting: none exist yet
    assert allowed(action, SEED, at(2022, 4, 10)).allowed  # the leadership round
    assert allowed(action, SEED, at(2022, 4, 26)).allowed  # the ballot, before the text is placed on it
    assert not allowed(action, SEED, at(2022, 5, 10)).allowed  # results
    assert not allowed(Action.DISPOSE_AMENDMENT, SEED, at(2022, 4, 26)).allowed


def test_results_stay_readable_after_the_results_phase_closes():
    assert not allowed(Action.VIEW_RESULTS, SEED, at(2022, 5, 1)).allowed
    assert allowed(Action.VIEW_RESULTS, SEED, at(2040, 1, 1)).allowed


# --- refusals say which phase and when ----------------------------------------------------


def test_amendment_before_window_says_when_it_opens():
    with pytest.raises(DomainError) as err:
        check(Action.PROPOSE_AMENDMENT, SEED, at(2022, 1, 5))
    assert err.value.code == "phase_not_open"
    assert err.value.message == (
        "Members propose amendments in the interim amendment window, "
        "which opens on 17 February 2022 at 09:00 (Europe/London)."
    )
    assert err.value.params["phase"] == "amendment_window"
    assert err.value.params["opens_at"] == at(2022, 2, 17, 9)
    assert err.value.params["closes_at"] == at(2022, 3, 22)


def test_amendment_after_window_says_when_it_closed():
    with pytest.raises(DomainError) as err:
        check(Action.PROPOSE_AMENDMENT, SEED, at(2022, 3, 23))
    assert err.value.code == "phase_closed"
    assert err.value.message == (
        "Members propose amendments in the interim amendment window, "
        "which closed at the end of 21 March 2022 (Europe/London)."
    )


def test_refusal_for_an_action_of_two_phases_names_both_and_the_next_one():
    decision = allowed(Action.DRAFT_TEXT, SEED, at(2022, 3, 1))
    assert not decision.allowed
    assert decision.reason == (
        "Assemblies draft texts in the drafting phase and the final drafting phase; "
        "the final drafting phase opens on 22 March 2022 at 00:00 (Europe/London)."
    )


def test_closing_at_a_time_of_day_shows_that_time():
    with pytest.raises(DomainError) as err:
        check(Action.CAST_BALLOT, SEED, at(2022, 6, 1))
    assert err.value.code == "phase_closed"
    assert err.value.message.endswith("which closed on 9 May 2022 at 12:00 (Europe/London).")


def test_action_whose_phase_is_not_scheduled_says_so():
    timeline = Timeline(tuple(p for p in seed_phases() if p.kind is not PhaseKind.LEADERSHIP_ROUND), "Europe/London")
    with pytest.raises(DomainError) as err:
        check(Action.LEADERSHIP_AMEND, timeline, at(2022, 4, 10))
    assert err.value.code == "phase_not_open"
    assert "has not scheduled" in err.value.message


def test_allowed_decision_says_until_when_across_adjacent_phases():
    decision = allowed(Action.VOTE_AMENDMENT, SEED, at(2022, 3, 1))
    assert decision.allowed
    # The window runs into final drafting, so the chance to vote lasts to its end.
    assert decision.reason.endswith("open until the end of 31 March 2022 (Europe/London).")


def test_dates_are_shown_in_the_convention_time_zone_even_if_stored_in_utc():
    utc_phases = tuple(
        Phase(p.kind, p.opens_at.astimezone(timezone.utc), p.closes_at.astimezone(timezone.utc)) for p in seed_phases()
    )
    timeline = Timeline(utc_phases, "Europe/London")
    # 21 June 2021 is summer time: the submissions window closes at midnight BST, 23:00 UTC.
    decision = allowed(Action.SUBMIT_PROPOSAL, timeline, at(2021, 6, 21))
    assert decision.reason.endswith("open until the end of 31 July 2021 (Europe/London).")


def test_naive_clock_is_a_programming_error():
    with pytest.raises(ValueError):
        allowed(Action.VIEW, SEED, datetime(2022, 1, 1))


# --- every boundary, one microsecond either side ------------------------------------------


BOUNDARIES = sorted({p.opens_at for p in SEED.phases} | {p.closes_at for p in SEED.phases})


@pytest.mark.parametrize("boundary", BOUNDARIES, ids=lambda b: b.isoformat())
def test_clock_across_each_phase_boundary(boundary):
    for now in (boundary - US, boundary, boundary + US):
        open_kinds = {p.kind for p in current_phases(SEED, now)}
        assert open_kinds == {p.kind for p in SEED.phases if p.opens_at <= now < p.closes_at}
        for action in Action:
            expected = _open_by_definition(action, SEED, now)
            assert allowed(action, SEED, now).allowed is expected, (action, now)
            if expected:
                check(action, SEED, now)
            else:
                with pytest.raises(DomainError):
                    check(action, SEED, now)


def test_each_phase_opens_exactly_at_opens_at_and_closes_exactly_at_closes_at():
    for phase in SEED.phases:
        assert phase.kind not in {p.kind for p in current_phases(SEED, phase.opens_at - US)}
        assert phase.kind in {p.kind for p in current_phases(SEED, phase.opens_at)}
        assert phase.kind in {p.kind for p in current_phases(SEED, phase.closes_at - US)}
        assert phase.kind not in {p.kind for p in current_phases(SEED, phase.closes_at)}


def test_amendment_window_edges_change_the_error_code():
    window = SEED.get(PhaseKind.AMENDMENT_WINDOW)
    with pytest.raises(DomainError) as before:
        check(Action.PROPOSE_AMENDMENT, SEED, window.opens_at - US)
    check(Action.PROPOSE_AMENDMENT, SEED, window.opens_at)
    check(Action.PROPOSE_AMENDMENT, SEED, window.closes_at - US)
    with pytest.raises(DomainError) as after:
        check(Action.PROPOSE_AMENDMENT, SEED, window.closes_at)
    assert (before.value.code, after.value.code) == ("phase_not_open", "phase_closed")


@settings(max_examples=200)
@given(st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2023, 12, 31), timezones=st.just(LONDON)))
def test_allowed_and_check_agree_with_the_table_at_any_moment(now):
    for action in Action:
        assert allowed(action, SEED, now).allowed is _open_by_definition(action, SEED, now)
    assert actions_allowed(SEED, now) == {a for a in Action if _open_by_definition(a, SEED, now)}


# --- views ----------------------------------------------------------------------------------


def test_timeline_view_marks_past_current_and_upcoming():
    view = timeline_view(SEED, at(2021, 7, 1))
    states = {row.kind: row.status for row in view}
    assert states[PhaseKind.SUBMISSIONS] is PhaseState.CURRENT
    assert states[PhaseKind.NOMINATIONS] is PhaseState.CURRENT
    assert states[PhaseKind.DRAFTING] is PhaseState.UPCOMING
    assert [row.kind for row in view] == list(PhaseKind)
    later = {row.kind: row.status for row in timeline_view(SEED, at(2022, 3, 1))}
    assert later[PhaseKind.SUBMISSIONS] is PhaseState.PAST
    assert later[PhaseKind.AMENDMENT_WINDOW] is PhaseState.CURRENT
    assert view[3].label == "interim amendment window"


def test_members_are_told_what_they_can_do_in_the_submissions_window():
    lines = what_members_can_do(SEED, at(2021, 7, 1))
    assert "You can submit a proposal until the end of 31 July 2021 (Europe/London)." in lines
    assert "You can volunteer to be drawn for an assembly until the end of 21 July 2021 (Europe/London)." in lines
    assert not any("ballot" in line for line in lines)


def test_members_are_told_when_the_next_phase_opens_during_drafting():
    assert what_members_can_do(SEED, at(2021, 10, 1)) == [
        "Nothing is open to members right now; the interim amendment window opens on "
        "17 February 2022 at 09:00 (Europe/London)."
    ]


def test_members_can_read_results_after_the_ballot():
    assert what_members_can_do(SEED, at(2024, 1, 1)) == ["You can read the results of the ballot."]


# --- validation -----------------------------------------------------------------------------


def _replace(kind, opens_at=None, closes_at=None):
    out = []
    for p in seed_phases():
        if p.kind is kind:
            p = Phase(kind, opens_at or p.opens_at, closes_at or p.closes_at)
        out.append(p)
    return tuple(out)


@pytest.mark.parametrize(
    "phases, code",
    [
        (_replace(PhaseKind.DRAFTING, closes_at=at(2021, 8, 1)), "phase_closes_before_opening"),
        (seed_phases() + (Phase(PhaseKind.BALLOT, at(2022, 6, 1), at(2022, 6, 2)),), "phase_repeated"),
        (_replace(PhaseKind.NOMINATIONS, opens_at=at(2021, 6, 1)), "phase_out_of_order"),
        (_replace(PhaseKind.LEADERSHIP_ROUND, closes_at=at(2022, 4, 26)), "ballot_opens_too_early"),
        (_replace(PhaseKind.RESULTS, opens_at=at(2022, 4, 20)), "phase_out_of_order"),
        (_replace(PhaseKind.RESULTS, opens_at=at(2022, 5, 9, 11)), "results_before_ballot_closes"),
        ((Phase(PhaseKind.BALLOT, datetime(2022, 4, 25), datetime(2022, 5, 1)),), "phase_time_needs_zone"),
    ],
)
def test_invalid_timelines_are_refused_with_a_code(phases, code):
    with pytest.raises(DomainError) as err:
        validate_timeline(phases)
    assert err.value.code == code
    with pytest.raises(DomainError):
        Timeline(phases, "Europe/London")


def test_seed_timeline_is_valid_and_overlaps_are_allowed():
    validate_timeline(seed_phases())
    both = current_phases(SEED, at(2021, 7, 1))
    assert {p.kind for p in both} == {PhaseKind.SUBMISSIONS, PhaseKind.NOMINATIONS}


def test_unknown_time_zone_is_refused():
    with pytest.raises(DomainError) as err:
        Timeline(seed_phases(), "Mars/Olympus")
    assert err.value.code == "timezone_unknown"


def test_timeline_lists_phases_in_process_order_whatever_order_given():
    assert [p.kind for p in Timeline(tuple(reversed(seed_phases())), "Europe/London").phases] == list(PhaseKind)
