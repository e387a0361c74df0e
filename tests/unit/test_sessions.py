import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from deliberation.sessions import (
    HAND_PRIORITY,
    AgendaItemOpened,
    Chat,
    ChatLocked,
    CheckClosed,
    CheckOutcome,
    ConsensusCheck,
    ConsensusRule,
    HandKind,
    HandLowered,
    HandRaised,
    Message,
    MessageRemoved,
    ParticipantMuted,
    QueueCleared,
    QueueReordered,
    Response,
    ResponseGiven,
    Session,
    SpeakerCalled,
    SpeakerQueue,
    SpeakerSkipped,
    Timer,
    TimerState,
    TurnFinished,
    minutes,
    minutes_markdown,
    quorum_status,
    remove_message,
)

T0 = datetime(2021, 8, 14, 10, 0, tzinfo=timezone.utc)
FACILITATOR = 100
RULE = ConsensusRule()  # the seed process: quorum 1/2, 3/4 agreeing, one block stops
ORD, POI, DR = HandKind.ORDINARY, HandKind.POINT_OF_INFORMATION, HandKind.DIRECT_RESPONSE


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def room(
    seats: int = 12, present: int = 12, agenda=("Opening", "Composite draft on open selections", "Any other business")
):
    seated = frozenset(range(1, seats + 1))
    return Session(
        agenda=tuple(agenda),
        seated=seated,
        facilitators=frozenset({FACILITATOR}),
        present=frozenset(range(1, present + 1)) | {FACILITATOR},
        observers=40,
    )


def code_of(excinfo) -> str:
    return excinfo.value.code


# --------------------------------------------------------------------------- quorum


def test_quorum_is_met_exactly_at_the_boundary():
    assert quorum_status(12, 6, Fraction(1, 2)).met
    assert not quorum_status(12, 5, Fraction(1, 2)).met


def test_quorum_rounds_a_share_of_seats_up():
    # 2/3 of 20 is 13.33, so 14 seated members are needed
    status = quorum_status(20, 13, Fraction(2, 3))
    assert (status.met, status.needed, status.present) == (False, 14, 13)
    assert status.words == "Not quorate: 13 of 20 seated members present; 14 needed, 1 more to go."
    assert quorum_status(20, 14, Fraction(2, 3)).met


def test_float_quorum_shares_mean_their_decimal_value():
    # Fraction(0.1) is a hair above 1/10 and would wrongly demand 2 of 10
    assert quorum_status(10, 1, 0.1).needed == 1


def test_a_room_with_no_seats_is_never_quorate():
    assert not quorum_status(0, 0, Fraction(1, 2)).met


@pytest.mark.parametrize("seats, present, fraction", [(10, 11, "1/2"), (10, -1, "1/2"), (10, 5, "0"), (10, 5, "3/2")])
def test_impossible_quorum_figures_are_refused(seats, present, fraction):
    with pytest.raises(DomainError):
        quorum_status(seats, present, fraction)


@given(st.integers(1, 200), st.data(), st.fractions(min_value=Fraction(1, 100), max_value=1))
def test_quorum_needs_the_smallest_count_reaching_the_share(seats, data, share):
    present = data.draw(st.integers(0, seats))
    status = quorum_status(seats, present, share)
    assert status.met == (present >= status.needed)
    assert status.needed >= share * seats
    assert status.needed == 1 or status.needed - 1 < share * seats


def test_session_quorum_counts_only_seated_members_present():
    session = room(seats=12, present=5)
    assert not session.quorum().met  # the facilitator's presence does not help
    session, _ = session.mark_present(6)
    assert session.quorum().met


# --------------------------------------------------------------------------- session: attendance, agenda


def test_a_facilitator_cannot_hold_a_seat():
    with pytest.raises(DomainError) as err:
        Session(agenda=("A",), seated={1, 2}, facilitators={2})
    assert code_of(err) == "facilitator_seated"


def test_only_participants_are_marked_present():
    with pytest.raises(DomainError) as err:
        room().mark_present(999)
    assert code_of(err) == "not_a_participant"


def test_arriving_twice_reports_one_arrival():
    session = room(present=0)
    session, first = session.mark_present(3)
    again, second = session.mark_present(3)
    assert len(first) == 1 and second == [] and again == session
    session, left = session.mark_absent(3)
    assert 3 not in session.present and left[0].to_dict() == {"event": "member_left", "member_id": 3}


def test_agenda_moves_forward_back_and_to_an_item():
    session = room()
    session, events = session.next_item()
    assert session.current_item == 1 and events == [AgendaItemOpened(1, "Composite draft on open selections", 0)]
    session, _ = session.previous_item()
    assert session.current_item == 0
    session, _ = session.go_to_item(2)
    assert session.current_title == "Any other business"


def test_moving_past_the_last_item_finishes_the_agenda():
    session, _ = room().go_to_item(2)
    with pytest.raises(Conflict) as err:
        session.next_item()
    assert code_of(err) == "agenda_finished"
    assert session.current_item == 2


def test_moving_before_the_first_item_or_to_a_missing_item_is_refused():
    with pytest.raises(Conflict) as err:
        room().previous_item()
    assert code_of(err) == "agenda_at_start"
    with pytest.raises(NotFound) as err:
        room().go_to_item(3)
    assert code_of(err) == "agenda_item_out_of_range"


def test_empty_agenda_is_finished_from_the_start():
    with pytest.raises(Conflict) as err:
        room(agenda=()).next_item()
    assert code_of(err) == "agenda_finished"


def test_session_round_trips_through_json():
    session, _ = room(present=7).go_to_item(1)
    session, _ = session.count_observers(250)
    assert Session.from_dict(json.loads(json.dumps(session.to_dict()))) == session


# --------------------------------------------------------------------------- speaker queue: rules


def test_points_of_information_go_first_then_direct_responses_then_ordinary_in_order_raised():
    queue = SpeakerQueue()
    queue.raise_hand(1, "ordinary", T0)
    queue.raise_hand(2, "direct_response", T0)
    queue.raise_hand(3, "ordinary", T0)
    queue.raise_hand(4, "point_of_information", T0)
    queue.raise_hand(5, "direct_response", T0)
    queue.raise_hand(6, "point_of_information", T0)
    assert queue.member_ids == (4, 6, 2, 5, 1, 3)
    called = [queue.call_next(FACILITATOR)[-1].member_id for _ in range(6)]
    assert called == [4, 6, 2, 5, 1, 3]


def test_raising_a_hand_reports_the_place_in_the_queue():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    assert queue.raise_hand(2, POI, T0) == [HandRaised(2, POI, 0)]


def test_raising_a_hand_twice_is_refused_even_with_another_kind():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    with pytest.raises(Conflict) as err:
        queue.raise_hand(1, POI, T0)
    assert code_of(err) == "hand_already_raised"
    assert queue.member_ids == (1,)


def test_an_unknown_kind_of_hand_is_refused():
    with pytest.raises(DomainError) as err:
        SpeakerQueue().raise_hand(1, "point_of_order", T0)
    assert code_of(err) == "unknown_hand_kind"


def test_lowering_a_hand_that_is_not_up_is_refused():
    with pytest.raises(NotFound) as err:
        SpeakerQueue().lower_hand(1)
    assert code_of(err) == "hand_not_raised"


def test_a_member_lowers_their_own_hand_and_a_facilitator_lowers_someone_elses():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, ORD, T0)
    assert queue.lower_hand(1) == [HandLowered(1, by=1, because="lowered")]
    assert queue.lower_hand(2, by=FACILITATOR) == [HandLowered(2, by=FACILITATOR, because="lowered")]
    assert len(queue) == 0


def test_calling_next_on_an_empty_queue_is_refused():
    with pytest.raises(Conflict) as err:
        SpeakerQueue().call_next(FACILITATOR)
    assert code_of(err) == "queue_empty"


def test_calling_a_new_speaker_ends_the_previous_turn():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, ORD, T0)
    queue.call_next(FACILITATOR)
    events = queue.call_next(FACILITATOR)
    assert events == [TurnFinished(1, FACILITATOR), SpeakerCalled(2, ORD, FACILITATOR)]
    assert queue.current.member_id == 2
    assert queue.finish_turn(FACILITATOR) == [TurnFinished(2, FACILITATOR)]
    assert queue.current is None


def test_facilitator_may_call_a_particular_person_from_the_queue_or_outside_it():
    queue = SpeakerQueue()
    queue.raise_hand(1, POI, T0)
    queue.raise_hand(2, ORD, T0)
    assert queue.call(2, FACILITATOR) == [SpeakerCalled(2, ORD, FACILITATOR)]
    assert queue.member_ids == (1,)
    assert queue.call(7, FACILITATOR)[-1] == SpeakerCalled(7, None, FACILITATOR)


def test_reorder_moves_a_hand_within_its_band():
    queue = SpeakerQueue()
    for member in (1, 2, 3):
        queue.raise_hand(member, ORD, T0)
    queue.raise_hand(9, POI, T0)
    assert queue.reorder(3, 1, FACILITATOR) == [QueueReordered(3, from_position=3, to_position=1, by=FACILITATOR)]
    assert queue.member_ids == (9, 3, 1, 2)
    assert queue.call_next(FACILITATOR)[-1].member_id == 9
    assert queue.call_next(FACILITATOR)[-1].member_id == 3


def test_reorder_cannot_carry_an_ordinary_hand_past_a_point_of_information():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, POI, T0)
    with pytest.raises(DomainError) as err:
        queue.reorder(1, 0, FACILITATOR)
    assert code_of(err) == "position_breaks_priority"
    assert err.value.params == {"position": 0, "first": 1, "last": 1}
    assert queue.member_ids == (2, 1)


@pytest.mark.parametrize("position", [-1, 2, 50])
def test_reorder_to_a_place_the_queue_does_not_have_is_refused(position):
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, ORD, T0)
    with pytest.raises(DomainError) as err:
        queue.reorder(1, position, FACILITATOR)
    assert code_of(err) == "position_out_of_range"


def test_reorder_of_someone_not_in_the_queue_is_refused():
    with pytest.raises(NotFound) as err:
        SpeakerQueue().reorder(1, 0, FACILITATOR)
    assert code_of(err) == "hand_not_raised"


def test_skip_passes_over_the_head_without_giving_the_floor():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, ORD, T0)
    assert queue.skip(FACILITATOR) == [SpeakerSkipped(1, FACILITATOR)]
    assert queue.member_ids == (2,) and queue.current is None
    queue.skip(FACILITATOR)
    with pytest.raises(Conflict):
        queue.skip(FACILITATOR)


def test_clear_empties_the_queue_and_names_who_was_in_it():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.raise_hand(2, DR, T0)
    assert queue.clear(FACILITATOR) == [QueueCleared((2, 1), FACILITATOR)]
    assert len(queue) == 0
    assert queue.clear(FACILITATOR) == []


def test_a_muted_member_cannot_raise_a_hand_until_unmuted():
    queue = SpeakerQueue()
    queue.mute(4, FACILITATOR)
    with pytest.raises(NotAllowed) as err:
        queue.raise_hand(4, ORD, T0)
    assert code_of(err) == "participant_muted"
    queue.unmute(4, FACILITATOR)
    queue.raise_hand(4, ORD, T0)
    assert queue.member_ids == (4,)


def test_muting_takes_the_hand_down_and_ends_the_turn():
    queue = SpeakerQueue()
    queue.raise_hand(1, ORD, T0)
    queue.call_next(FACILITATOR)
    queue.raise_hand(1, DR, T0)
    events = queue.mute(1, FACILITATOR)
    assert events == [
        ParticipantMuted(1, FACILITATOR),
        HandLowered(1, FACILITATOR, because="muted"),
        TurnFinished(1, FACILITATOR),
    ]
    assert queue.member_ids == () and queue.current is None


def test_a_muted_participant_cannot_be_given_the_floor():
    queue = SpeakerQueue()
    queue.mute(1, FACILITATOR)
    with pytest.raises(NotAllowed) as err:
        queue.call(1, FACILITATOR)
    assert code_of(err) == "participant_muted"


def test_muting_twice_and_unmuting_someone_not_muted_are_refused():
    queue = SpeakerQueue()
    queue.mute(1, FACILITATOR)
    with pytest.raises(Conflict) as err:
        queue.mute(1, FACILITATOR)
    assert code_of(err) == "participant_already_muted"
    with pytest.raises(Conflict) as err:
        queue.unmute(2, FACILITATOR)
    assert code_of(err) == "participant_not_muted"


def test_priority_is_data_a_queue_can_be_given_other_rules():
    # An assembly that takes direct responses before points of information
    queue = SpeakerQueue(priority={DR: 0, POI: 1, ORD: 2})
    queue.raise_hand(1, POI, T0)
    queue.raise_hand(2, DR, T0)
    assert queue.member_ids == (2, 1)
    assert SpeakerQueue.from_dict(json.loads(json.dumps(queue.to_dict()))).priority == queue.priority


def test_a_stored_queue_out_of_priority_order_is_refused():
    data = {
        "entries": [
            {"member_id": 1, "kind": "ordinary", "raised_at": T0.isoformat()},
            {"member_id": 2, "kind": "point_of_information", "raised_at": T0.isoformat()},
        ]
    }
    with pytest.raises(DomainError) as err:
        SpeakerQueue.from_dict(data)
    assert code_of(err) == "invalid_queue"


def test_queue_events_are_plain_dicts_for_the_socket():
    queue = SpeakerQueue()
    events = queue.raise_hand(3, POI, T0) + queue.call_next(FACILITATOR)
    assert [e.to_dict() for e in events] == [
        {"event": "hand_raised", "member_id": 3, "kind": "point_of_information", "position": 0},
        {"event": "speaker_called", "member_id": 3, "kind": "point_of_information", "by": FACILITATOR},
    ]


# --------------------------------------------------------------------------- speaker queue: state machine

MEMBERS = st.integers(1, 6)
KINDS = st.sampled_from(list(HandKind))


class SpeakerQueueMachine(RuleBasedStateMachine):
    """A plain list model of the queue, checked against the class after every step."""

    @initialize()
    def start(self):
        self.queue = SpeakerQueue()
        self.model: list[tuple[int, HandKind]] = []  # facilitator's order within bands
        self.muted: set[int] = set()
        self.clock = Clock()

    def ids(self):
        return [m for m, _ in self.model]

    def expected_next(self):
        best = min(HAND_PRIORITY[k] for _, k in self.model)
        return next(m for m, k in self.model if HAND_PRIORITY[k] == best)

    @rule(member=MEMBERS, kind=KINDS)
    def raise_hand(self, member, kind):
        now = self.clock.advance(1)
        if member in self.muted:
            with pytest.raises(DomainError) as err:
                self.queue.raise_hand(member, kind, now)
            assert code_of(err) == "participant_muted"
        elif member in self.ids():
            with pytest.raises(DomainError) as err:
                self.queue.raise_hand(member, kind, now)
            assert code_of(err) == "hand_already_raised"
        else:
            (event,) = self.queue.raise_hand(member, kind.value, now)
            after = [i for i, (_, k) in enumerate(self.model) if HAND_PRIORITY[k] <= HAND_PRIORITY[kind]]
            position = after[-1] + 1 if after else 0
            self.model.insert(position, (member, kind))
            assert event == HandRaised(member, kind, position)

    @rule(member=MEMBERS, by_facilitator=st.booleans())
    def lower_hand(self, member, by_facilitator):
        if member in self.ids():
            self.queue.lower_hand(member, by=FACILITATOR if by_facilitator else None)
            self.model = [(m, k) for m, k in self.model if m != member]
        else:
            with pytest.raises(DomainError) as err:
                self.queue.lower_hand(member)
            assert code_of(err) == "hand_not_raised"

    @rule()
    def call_next(self):
        if not self.model:
            with pytest.raises(DomainError) as err:
                self.queue.call_next(FACILITATOR)
            assert code_of(err) == "queue_empty"
            return
        expected = self.expected_next()
        called = self.queue.call_next(FACILITATOR)[-1]
        assert called.member_id == expected
        self.model = [(m, k) for m, k in self.model if m != expected]

    @rule(member=MEMBERS)
    def call_someone(self, member):
        if member in self.muted:
            with pytest.raises(DomainError):
                self.queue.call(member, FACILITATOR)
            return
        self.queue.call(member, FACILITATOR)
        self.model = [(m, k) for m, k in self.model if m != member]
        assert self.queue.current.member_id == member

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def reorder(self, data):
        member, kind = data.draw(st.sampled_from(self.model))
        position = data.draw(st.integers(-1, len(self.model)))
        band = [i for i, (_, k) in enumerate(self.model) if HAND_PRIORITY[k] == HAND_PRIORITY[kind]]
        if position in band:
            self.queue.reorder(member, position, FACILITATOR)
            entry = self.model.pop(self.ids().index(member))
            self.model.insert(position, entry)
        else:
            with pytest.raises(DomainError) as err:
                self.queue.reorder(member, position, FACILITATOR)
            in_range = 0 <= position < len(self.model)
            assert code_of(err) == ("position_breaks_priority" if in_range else "position_out_of_range")

    @rule()
    def skip(self):
        if self.model:
            head = self.expected_next()
            assert self.queue.skip(FACILITATOR) == [SpeakerSkipped(head, FACILITATOR)]
            self.model = [(m, k) for m, k in self.model if m != head]
        else:
            with pytest.raises(DomainError):
                self.queue.skip(FACILITATOR)

    @rule()
    def clear(self):
        self.queue.clear(FACILITATOR)
        self.model = []

    @rule(member=MEMBERS)
    def mute_or_unmute(self, member):
        if member in self.muted:
            self.queue.unmute(member, FACILITATOR)
            self.muted.discard(member)
        else:
            self.queue.mute(member, FACILITATOR)
            self.muted.add(member)
            self.model = [(m, k) for m, k in self.model if m != member]

    @invariant()
    def queue_matches_the_model(self):
        assert [(h.member_id, h.kind) for h in self.queue.entries] == self.model

    @invariant()
    def nobody_is_twice_in_the_queue(self):
        assert len(set(self.queue.member_ids)) == len(self.queue.member_ids)

    @invariant()
    def muted_members_are_never_in_the_queue(self):
        assert not (set(self.queue.member_ids) & self.queue.muted)
        assert self.queue.muted == self.muted
        assert self.queue.current is None or self.queue.current.member_id not in self.muted

    @invariant()
    def the_head_is_the_highest_priority_earliest_entry(self):
        if self.model:
            assert self.queue.member_ids[0] == self.expected_next()

    @invariant()
    def storage_round_trips(self):
        stored = json.loads(json.dumps(self.queue.to_dict()))
        assert SpeakerQueue.from_dict(stored) == self.queue
        assert SpeakerQueue.from_dict(stored).to_dict() == stored


SpeakerQueueMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestSpeakerQueueMachine = SpeakerQueueMachine.TestCase


# --------------------------------------------------------------------------- timer


def test_timer_counts_down_from_when_it_started():
    clock = Clock()
    timer = Timer(duration_s=120)
    assert timer.state is TimerState.IDLE and timer.remaining(clock.now) == 120
    timer = timer.start(clock.now)
    assert timer.remaining(clock.advance(45)) == 75
    assert not timer.is_expired(clock.now)
    assert timer.remaining(clock.advance(100)) == 0
    assert timer.is_expired(clock.now)


def test_paused_timer_keeps_its_time_and_resumes_from_it():
    clock = Clock()
    timer = Timer(duration_s=90).start(clock.now)
    clock.advance(30)
    timer = timer.pause(clock.now)
    assert timer.state is TimerState.PAUSED
    clock.advance(600)  # a long interruption costs the speaker nothing
    assert timer.remaining(clock.now) == 60
    timer = timer.resume(clock.now)
    assert timer.remaining(clock.advance(20)) == 40
    timer = timer.pause(clock.now).resume(clock.advance(5))
    assert timer.remaining(clock.advance(40)) == 0


def test_timer_survives_a_restart_through_storage():
    clock = Clock()
    timer = Timer(duration_s=180).start(clock.now)
    clock.advance(100)
    stored = json.loads(json.dumps(timer.to_dict()))
    clock.advance(30)  # the server was down for half a minute
    assert Timer.from_dict(stored).remaining(clock.now) == 50
    paused = Timer.from_dict(stored).pause(clock.now)
    assert Timer.from_dict(json.loads(json.dumps(paused.to_dict()))) == paused


def test_pausing_an_idle_timer_and_resuming_a_running_one_are_refused():
    with pytest.raises(Conflict) as err:
        Timer().pause(T0)
    assert code_of(err) == "timer_not_running"
    with pytest.raises(Conflict) as err:
        Timer().start(T0).resume(T0)
    assert code_of(err) == "timer_not_paused"


def test_reset_returns_to_a_full_idle_turn_and_may_change_its_length():
    clock = Clock()
    timer = Timer(duration_s=60).start(clock.now).pause(clock.advance(10)).reset()
    assert timer.state is TimerState.IDLE and timer.remaining(clock.advance(500)) == 60
    assert timer.reset(duration_s=30).remaining(clock.now) == 30
    with pytest.raises(DomainError) as err:
        timer.reset(duration_s=0)
    assert code_of(err) == "invalid_duration"


def test_a_clock_stepping_back_gives_no_extra_time():
    timer = Timer(duration_s=60).start(T0)
    assert timer.remaining(T0 - timedelta(seconds=30)) == 60


@settings(max_examples=100)
@given(st.lists(st.tuples(st.sampled_from(["pause", "resume"]), st.integers(0, 50)), max_size=12), st.integers(1, 600))
def test_remaining_time_is_duration_minus_time_spent_running(steps, duration):
    clock = Clock()
    timer = Timer(duration_s=duration).start(clock.now)
    running_for = 0
    for action, wait in steps:
        if timer.state is TimerState.RUNNING:
            running_for += wait
        clock.advance(wait)
        if action == "pause" and timer.state is TimerState.RUNNING:
            timer = timer.pause(clock.now)
        elif action == "resume" and timer.state is TimerState.PAUSED:
            timer = timer.resume(clock.now)
    assert timer.remaining(clock.now) == pytest.approx(max(duration - running_for, 0))


# --------------------------------------------------------------------------- consensus checks


def open_check(session, subject="text:12@3"):
    check, events = ConsensusCheck.open(session, subject, FACILITATOR, T0)
    return check


def answer_all(session, check, responses):
    """responses: list of (response, reason) for members 1, 2, ... in order."""
    for member, (response, reason) in enumerate(responses, start=1):
        check, _ = check.answer(session, member, response, reason)
    return check


def test_opening_a_check_records_subject_and_agenda_item():
    session, _ = room().next_item()
    check, events = ConsensusCheck.open(session, " amendment:45 ", FACILITATOR, T0)
    assert (check.subject, check.item, check.is_open) == ("amendment:45", 1, True)
    assert events[0].to_dict() == {
        "event": "check_opened", "subject": "amendment:45", "item": 1, "opened_by": FACILITATOR
    }


def test_tally_counts_each_response_and_who_has_not_answered():
    session = room(seats=12, present=11)
    check = answer_all(
        session, open_check(session),
        [("agree", None)] * 6
        + [("agree_with_reservations", "Too vague on timing")] * 2
        + [("stand_aside", None)]
        + [("block", "Breaks the rules on selections")],
    )
    tally = check.tally(session)
    assert (tally.agree, tally.reservations, tally.stand_aside, tally.block, tally.not_answered) == (6, 2, 1, 1, 1)
    assert (tally.present_seated, tally.seats) == (11, 12)


def test_members_can_change_their_answer_while_the_check_is_open():
    session = room()
    check, _ = open_check(session).answer(session, 1, Response.BLOCK, "Not yet")
    check, events = check.answer(session, 1, Response.AGREE)
    assert events == [ResponseGiven("text:12@3", 1, Response.AGREE, None, previous=Response.BLOCK)]
    assert check.tally(session).block == 0 and check.tally(session).agree == 1
    same, none = check.answer(session, 1, "agree")
    assert none == [] and same == check


def test_a_block_without_a_reason_is_refused():
    session = room()
    for reason in (None, "", "   "):
        with pytest.raises(DomainError) as err:
            open_check(session).answer(session, 1, "block", reason)
        assert code_of(err) == "block_needs_reason"


def test_a_reservation_may_carry_a_reason_but_a_plain_agree_does_not():
    session = room()
    check, _ = open_check(session).answer(session, 1, "agree_with_reservations")
    check, _ = check.answer(session, 2, "agree_with_reservations", "Wording could be tighter")
    assert check.answer_of(2).reason == "Wording could be tighter"
    with pytest.raises(DomainError) as err:
        check.answer(session, 3, "agree", "because")
    assert code_of(err) == "reason_not_expected"


def test_facilitators_and_observers_cannot_answer():
    session = room()
    for outsider in (FACILITATOR, 5000):
        with pytest.raises(NotAllowed) as err:
            open_check(session).answer(session, outsider, "agree")
        assert code_of(err) == "not_seated"


def test_a_seated_member_who_is_absent_cannot_answer():
    session = room(present=5)
    with pytest.raises(NotAllowed) as err:
        open_check(session).answer(session, 9, "agree")
    assert code_of(err) == "not_present"


def test_an_unknown_response_is_refused():
    session = room()
    with pytest.raises(DomainError) as err:
        open_check(session).answer(session, 1, "maybe")
    assert code_of(err) == "unknown_response"


def test_answering_or_closing_a_closed_check_is_refused():
    session = room()
    check, _, _ = open_check(session).close(session, FACILITATOR, T0, RULE)
    with pytest.raises(Conflict) as err:
        check.answer(session, 1, "agree")
    assert code_of(err) == "check_closed"
    with pytest.raises(Conflict):
        check.close(session, FACILITATOR, T0, RULE)


def test_consensus_reached_says_why_in_words():
    session = room(seats=12, present=12)
    check = answer_all(
        session, open_check(session),
        [("agree", None)] * 9 + [("agree_with_reservations", None)] * 2 + [("stand_aside", None)],
    )
    closed, outcome, events = check.close(session, FACILITATOR, T0 + timedelta(minutes=5), RULE)
    assert outcome.reached and outcome.quorate
    assert outcome.reason == ("Consensus reached: 9 agree, 2 with reservations, 1 standing aside, no block; 12 of 12 "
                              "seated members present; 11 of the 11 counted agree (100%; at least 75% needed).")
    assert closed.outcome == outcome and not closed.is_open
    assert events == [CheckClosed("text:12@3", FACILITATOR, outcome)]


def test_one_block_keeps_the_text_from_consensus():
    session = room()
    check = answer_all(session, open_check(session), [("agree", None)] * 11 + [("block", "Members were not consulted")])
    outcome = check.evaluate(session, RULE)
    assert not outcome.reached
    assert outcome.reason.startswith("No consensus: 1 member blocked (")


def test_a_block_counts_only_against_support_when_blocks_do_not_stop():
    session = room()
    rule = ConsensusRule(blocks_stop=False)
    check = answer_all(session, open_check(session), [("agree", None)] * 11 + [("block", "Members were not consulted")])
    assert check.evaluate(session, rule).reached  # 11 of 12 is above 3/4
    check = answer_all(session, open_check(session), [("agree", None)] * 8 + [("block", "No")] * 4)
    assert not check.evaluate(session, rule).reached  # 8 of 12 is below 3/4


def test_stand_asides_are_left_out_of_the_share_unless_the_rule_counts_them():
    session = room()
    # 6 agree, 6 stand aside: 6 of 6 counted answers support it
    check = answer_all(session, open_check(session), [("agree", None)] * 6 + [("stand_aside", None)] * 6)
    assert check.evaluate(session, RULE).reached
    counted = check.evaluate(session, ConsensusRule(stand_asides_count=True))
    assert not counted.reached
    assert "6 of the 12 counted agree (50%; at least 75% needed)" in counted.reason


def test_support_exactly_at_the_threshold_reaches_consensus():
    session = room(seats=8, present=8)
    rule = ConsensusRule(blocks_stop=False)
    at = answer_all(session, open_check(session), [("agree", None)] * 6 + [("block", "No")] * 2)
    below = answer_all(session, open_check(session), [("agree", None)] * 5 + [("block", "No")] * 3)
    assert at.evaluate(session, rule).reached
    assert not below.evaluate(session, rule).reached


def test_an_inquorate_room_cannot_reach_consensus():
    session = room(seats=12, present=5)
    check = answer_all(session, open_check(session), [("agree", None)] * 5)
    outcome = check.evaluate(session, RULE)
    assert not outcome.reached and not outcome.quorate
    assert outcome.reason == ("Not quorate: 5 of 12 seated members present; at least 6 needed. "
                              "A check without quorum decides nothing.")
    session, _ = session.mark_present(6)
    check = check.note_arrival(session, 6)
    assert check.evaluate(session, RULE).reached  # 5 of the 6 on the roll agree


def test_a_check_nobody_answered_does_not_reach_consensus():
    outcome = open_check(room()).evaluate(room(), RULE)
    assert not outcome.reached and "only 0 of the 12 counted agree" in outcome.reason
    assert outcome.counts.not_answered == 12


def test_members_who_leave_during_a_check_stay_on_its_roll():
    session = room()
    check = answer_all(session, open_check(session), [("agree", None)] * 11 + [("block", "No")])
    session, _ = session.mark_absent(12)
    outcome = check.evaluate(session, RULE)
    assert not outcome.reached and outcome.code == "blocked"  # the block was given in the room
    assert check.tally(session).present_seated == 12


def test_a_member_arriving_during_a_check_joins_its_roll_once():
    session = room(present=6)
    check = open_check(session)
    assert check.tally(session).present_seated == 6
    session, _ = session.mark_present(7)
    check = check.note_arrival(session, 7).note_arrival(session, 7)
    assert check.roll == frozenset(range(1, 8)) and check.tally(session).not_answered == 7


def test_an_interrupted_check_keeps_its_roll_and_says_so():
    session = room()
    check = answer_all(session, open_check(session), [("agree", None)] * 12).note_interruption()
    nobody_back = replace(session, present=frozenset({FACILITATOR}))
    _, outcome, _ = check.close(nobody_back, FACILITATOR, T0, RULE)
    assert outcome.reached and outcome.counts.present_seated == 12
    assert outcome.interrupted and "server restarted" in outcome.reason


def test_check_and_outcome_round_trip_through_json():
    session = room()
    check = answer_all(
        session,
        open_check(session),
        [("agree", None), ("block", "Not consulted"), ("agree_with_reservations", "Timing")],
    )
    assert ConsensusCheck.from_dict(json.loads(json.dumps(check.to_dict()))) == check
    closed, outcome, _ = check.close(session, FACILITATOR, T0, RULE)
    assert ConsensusCheck.from_dict(json.loads(json.dumps(closed.to_dict()))) == closed
    assert CheckOutcome.from_dict(outcome.to_dict()) == outcome
    rule = ConsensusRule(threshold=Fraction(2, 3), blocks_stop=False, stand_asides_count=True)
    assert ConsensusRule.from_dict(rule.to_dict()) == rule


@settings(max_examples=100)
@given(
    st.lists(
        st.sampled_from(["agree", "agree_with_reservations", "stand_aside", "block", None]), min_size=1, max_size=20
    )
)
def test_tally_adds_up_to_the_seated_members_present(choices):
    session = room(seats=len(choices), present=len(choices))
    check = open_check(session)
    for member, choice in enumerate(choices, start=1):
        if choice:
            check, _ = check.answer(session, member, choice, "why" if choice == "block" else None)
    tally = check.tally(session)
    assert tally.answered + tally.not_answered == len(choices)
    assert tally.block == choices.count("block")
    assert check.evaluate(session, RULE).reached <= (tally.block == 0)


# --------------------------------------------------------------------------- chat


def test_a_message_is_posted_trimmed():
    message, events = Chat().post(room(), 1, author_id=3, text="  Point taken.  ", now=T0)
    assert message.text == "Point taken."
    assert events[0].to_dict()["message"]["text"] == "Point taken."


@pytest.mark.parametrize(
    "text, code", [("", "message_empty"), ("  \n ", "message_empty"), ("x" * 1001, "message_too_long")]
)
def test_empty_or_overlong_messages_are_refused(text, code):
    with pytest.raises(DomainError) as err:
        Chat().post(room(), 1, 3, text, T0)
    assert code_of(err) == code


def test_a_message_of_exactly_the_limit_is_accepted():
    message, _ = Chat().post(room(), 1, 3, "x" * 1000, T0)
    assert len(message.text) == 1000


def test_posting_in_a_locked_chat_is_refused_except_to_facilitators():
    chat, events = Chat().lock(FACILITATOR)
    assert events == [ChatLocked(FACILITATOR)]
    with pytest.raises(NotAllowed) as err:
        chat.post(room(), 1, 3, "Hello", T0)
    assert code_of(err) == "chat_locked"
    announcement, _ = chat.post(room(), 2, FACILITATOR, "Chat paused during the check.", T0)
    assert announcement.author_id == FACILITATOR
    chat, _ = chat.unlock(FACILITATOR)
    chat.post(room(), 3, 3, "Hello again", T0)
    assert Chat.from_dict(chat.lock(FACILITATOR)[0].to_dict()).locked


def test_a_removed_message_leaves_a_gap_without_its_words():
    message, _ = Chat().post(room(), 7, 3, "Something rude", T0)
    removed, events = remove_message(message, FACILITATOR)
    assert events == [MessageRemoved(7, FACILITATOR)]
    assert removed.public_dict()["text"] is None and removed.public_dict()["removed_by"] == FACILITATOR
    assert Message.from_dict(removed.to_dict()) == removed
    with pytest.raises(Conflict) as err:
        remove_message(removed, FACILITATOR)
    assert code_of(err) == "message_already_removed"


# --------------------------------------------------------------------------- minutes


def session_record():
    session = room(seats=3, present=3)
    check = answer_all(
        session,
        open_check(session, "Composite draft 2, version 3"),
        [("agree", None), ("agree", None), ("stand_aside", None)],
    )
    _, outcome, _ = check.close(session, FACILITATOR, T0, RULE)
    return {
        "title": "Assembly A, session 2",
        "held_on": "14 August 2021",
        "agenda": ["Opening", "Composite draft on open selections"],
        "attendance": {
            "facilitators": ["Andrea"], "present": ["Ben", "Chi", "Dev"], "absent": ["Eve"], "observers": 40
        },
        "speakers": [
            {"item": 1, "name": "Ben", "kind": "ordinary"},
            {"item": 0, "name": "Andrea"},
            {"item": 1, "name": "Chi", "kind": "point_of_information"},
            {"item": 1, "name": "Ben", "kind": "ordinary"},
        ],
        "checks": [{"item": 1, "subject": "Composite draft 2, version 3", "outcome": outcome.to_dict()}],
        "decisions": [{"item": 1, "text": "Draft 2 goes forward as an interim proposal."}],
    }


def test_minutes_group_speakers_checks_and_decisions_by_agenda_item():
    m = minutes(session_record())
    assert [i.title for i in m.items] == ["Opening", "Composite draft on open selections"]
    assert m.items[0].speakers == ("Andrea",)
    assert m.items[1].speakers == ("Ben", "Chi (point of information)", "Ben")
    assert m.items[1].checks[0].reached
    assert m.items[1].decisions == ("Draft 2 goes forward as an interim proposal.",)
    assert (m.present, m.absent, m.observers) == (("Ben", "Chi", "Dev"), ("Eve",), 40)
    json.dumps(m.to_dict())


def test_minutes_export_as_markdown():
    text = minutes_markdown(minutes(session_record()))
    assert text.startswith("# Assembly A, session 2\n")
    assert "- Present (3): Ben, Chi, Dev" in text
    assert "## 2. Composite draft on open selections" in text
    assert "Speakers, in order: Ben, Chi (point of information), Ben." in text
    assert (
        "- Composite draft 2, version 3: Consensus reached: 2 agree, 0 with reservations, 1 standing aside, no block; "
        "3 of 3 seated members present; 2 of the 2 counted agree (100%; at least 75% needed)."
    ) in text
    assert text.index("## 1. Opening") < text.index("## 2.")


def test_member_words_cannot_inject_markdown_into_minutes():
    record = session_record()
    record["agenda"][0] = "# Heading [link](http://x)"
    record["attendance"]["present"] = ["*Ben*"]
    text = minutes_markdown(minutes(record))
    assert "## 1. \\# Heading \\[link\\](http://x)" in text
    assert "\\*Ben\\*" in text


def test_a_record_pointing_at_a_missing_agenda_item_is_refused():
    record = session_record()
    record["decisions"].append({"item": 5, "text": "Lost"})
    with pytest.raises(DomainError) as err:
        minutes(record)
    assert code_of(err) == "invalid_record"
    with pytest.raises(DomainError) as err:
        minutes({"title": "No agenda"})
    assert code_of(err) == "invalid_record"
