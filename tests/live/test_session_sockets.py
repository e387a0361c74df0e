"""Socket events of live sessions: who may connect and act, what is refused, what is stored, and
who receives which event."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import CheckAnswer, ChatMessage, LiveSession, SessionCheck
from tests.live.conftest import NS, last, received


def emit(sio, event, payload):
    return sio.emit(event, payload, namespace=NS, callback=True)


def test_anonymous_visitor_cannot_connect_to_sessions(room, connect):
    sio = connect(None)
    assert not sio.is_connected(NS)


def test_joining_sends_the_whole_state_to_the_joiner_and_presence_to_the_room(room, connect):
    facilitator = connect("jo@example.org", join=room.id)
    state = last(facilitator, "session_state")
    assert state["you"]["role"] == "facilitator"
    assert [i["title"] for i in state["agenda"]["items"]] == ["Hand power to local groups",
                                                              "Turn members into organisers"]
    assert state["agenda"]["text"]["clauses"][0]["body"].startswith("Campaign")
    received(facilitator)

    alex = connect("alex@example.org", join=room.id)
    assert last(alex, "session_state")["you"]["role"] == "seated"
    presence = last(facilitator, "presence_changed")
    assert room.alex.id in presence["present"]
    assert presence["quorum"]["words"].startswith("Not quorate: 1 of 3")

    olu = connect("olu@example.org", join=room.id)
    assert last(olu, "session_state")["you"]["role"] == "observer"
    presence = last(facilitator, "presence_changed")
    assert presence["observers"] == 1 and room.olu.id not in presence["present"]

    olu.disconnect(namespace=NS)
    alex.disconnect(namespace=NS)
    presence = last(facilitator, "presence_changed")
    assert presence["observers"] == 0 and room.alex.id not in presence["present"]


def test_a_raised_hand_reaches_the_room_and_no_other_room(room, connect):
    from forum.services.sessions import schedule
    other = schedule.schedule_session(room.facilitator, room.assembly.id, "Another sitting",
                                           room.session.starts_at, [room.second.id])
    schedule.open_session(room.facilitator, other.id)
    here = connect("olu@example.org", join=room.id)
    there = connect("cal@example.org", join=other.id)
    alex = connect("alex@example.org", join=room.id)
    received(here), received(there)

    ack = emit(alex, "raise_hand", {"session": room.id, "kind": "point_of_information"})
    assert ack["ok"] and ack["hands"][0]["kind"] == "point_of_information"
    queue = last(here, "queue_changed")
    assert queue["hands"] == [{"member_id": room.alex.id, "name": "Alex Moreno", "kind": "point_of_information"}]
    assert queue["events"][0]["event"] == "hand_raised"
    assert received(there, "queue_changed") == []


@pytest.mark.parametrize("email, event, payload, code", [
    ("olu@example.org", "raise_hand", {}, "not_allowed"),                       # observers watch
    ("jo@example.org", "raise_hand", {}, "not_allowed"),                        # facilitators run
    ("alex@example.org", "call_next", {}, "not_allowed"),                       # members do not run
    ("alex@example.org", "mute", {"member": 0}, "not_allowed"),
    ("alex@example.org", "lock_chat", {}, "not_allowed"),
    ("alex@example.org", "open_check", {}, "not_allowed"),
    ("olu@example.org", "post_message", {"text": "hello"}, "not_allowed"),
    ("alex@example.org", "raise_hand", {"kind": "shout"}, "unknown_hand_kind"),
    ("alex@example.org", "raise_hand", {"kind": 3}, "payload_invalid"),
    ("alex@example.org", "raise_hand", {"loud": True}, "payload_invalid"),
    ("jo@example.org", "call_speaker", {"member": "12"}, "payload_invalid"),
    ("jo@example.org", "call_speaker", {}, "payload_invalid"),
    ("jo@example.org", "call_next", {}, "queue_empty"),
    ("jo@example.org", "close_check", {}, "no_open_check"),
    ("alex@example.org", "post_message", {"text": "   "}, "message_empty"),
    ("alex@example.org", "post_message", {"text": "x" * 6000}, "payload_invalid"),
])
def test_refused_events_get_a_clear_error_and_change_nothing(room, connect, email, event, payload, code):
    watcher = connect("cal@example.org", join=room.id)
    sio = connect(email, join=room.id)
    received(watcher)
    ack = emit(sio, event, {"session": room.id, **payload})
    assert ack["error"] == code and ack["message"]
    assert [n for n, _ in received(watcher) if n != "presence_changed"] == []


@pytest.mark.parametrize("payload", [None, "hello", [1], {"session": "1"}, {"session": True}, {}])
def test_malformed_payloads_are_refused_not_dropped(room, connect, payload):
    sio = connect("alex@example.org", join=room.id)
    assert emit(sio, "raise_hand", payload)["error"] == "payload_invalid"
    assert emit(sio, "join_session", payload)["error"] == "payload_invalid"


def test_unknown_session_is_not_found(room, connect):
    sio = connect("alex@example.org")
    assert emit(sio, "join_session", {"session": 999})["error"] == "session_not_found"


def test_facilitator_calls_the_next_speaker_and_the_timer_starts_for_everyone(room, connect):
    facilitator = connect("jo@example.org", join=room.id)
    alex = connect("alex@example.org", join=room.id)
    bea = connect("bea@example.org", join=room.id)
    emit(alex, "raise_hand", {"session": room.id})
    emit(bea, "raise_hand", {"session": room.id, "kind": "direct_response"})
    assert [h["name"] for h in last(alex, "queue_changed")["hands"]] == ["Bea Hughes", "Alex Moreno"]

    ack = emit(facilitator, "call_next", {"session": room.id})
    assert ack["speaker"]["name"] == "Bea Hughes"
    timer = last(alex, "timer_changed")
    assert timer["state"] == "running" and timer["duration_s"] == 120 and 119 <= timer["remaining"] <= 120
    assert "server_time" in timer
    assert last(bea, "queue_changed")["speaker"]["member_id"] == room.bea.id

    emit(facilitator, "move_hand", {"session": room.id, "member": room.alex.id, "position": 0})
    emit(facilitator, "mute", {"session": room.id, "member": room.alex.id})
    queue = last(bea, "queue_changed")
    assert queue["hands"] == [] and queue["muted"][0]["name"] == "Alex Moreno"
    assert emit(alex, "raise_hand", {"session": room.id})["error"] == "participant_muted"
    emit(facilitator, "unmute", {"session": room.id, "member": room.alex.id})
    assert emit(alex, "raise_hand", {"session": room.id})["ok"]
    emit(facilitator, "clear_queue", {"session": room.id})
    assert last(bea, "queue_changed")["hands"] == []


def test_consensus_check_tally_reaches_everyone_and_its_outcome_is_stored(room, connect):
    facilitator = connect("jo@example.org", join=room.id)
    alex = connect("alex@example.org", join=room.id)
    bea = connect("bea@example.org", join=room.id)
    olu = connect("olu@example.org", join=room.id)
    opened = emit(facilitator, "open_check", {"session": room.id})
    assert opened["check"]["label"].startswith("Hand power to local groups")
    assert last(olu, "check_opened")["check"]["tally"]["not_answered"] == 2

    assert emit(facilitator, "answer_check", {"session": room.id, "response": "agree"})["error"] == "not_allowed"
    assert emit(olu, "answer_check", {"session": room.id, "response": "agree"})["error"] == "not_allowed"
    assert emit(bea, "answer_check", {"session": room.id, "response": "block"})["error"] == "block_needs_reason"

    emit(alex, "answer_check", {"session": room.id, "response": "agree"})
    emit(bea, "answer_check", {"session": room.id, "response": "agree_with_reservations",
                               "reason": "Clause 2 is vague."})
    for sio in (facilitator, alex, bea, olu):
        check = last(sio, "tally_changed")["check"]
        tally = check["tally"]
        assert (tally["agree"], tally["reservations"], tally["not_answered"]) == (1, 1, 0)
    assert check["reasons"] == [
        {"name": "Bea Hughes", "response": "agree_with_reservations", "reason": "Clause 2 is vague."}]
    assert db.session.scalar(select(CheckAnswer.response).where(CheckAnswer.user_id == room.bea.id)) == \
        "agree_with_reservations"

    closed = emit(facilitator, "close_check", {"session": room.id})
    assert closed["check"]["outcome"]["reached"] is True
    assert last(olu, "check_closed")["check"]["outcome"]["reason"].startswith("Consensus reached")
    stored = db.session.scalar(select(SessionCheck))
    assert stored.reached is True and stored.closed_by_id == room.facilitator.id
    assert emit(alex, "answer_check",
                {"session": room.id, "response": "block", "reason": "late"})["error"] == "no_open_check"


def test_a_reconnecting_client_gets_queue_timer_and_open_check_back(room, connect):
    facilitator = connect("jo@example.org", join=room.id)
    alex = connect("alex@example.org", join=room.id)
    bea = connect("bea@example.org", join=room.id)
    emit(alex, "raise_hand", {"session": room.id})
    emit(bea, "raise_hand", {"session": room.id})
    emit(facilitator, "call_next", {"session": room.id})
    emit(facilitator, "open_check", {"session": room.id})
    emit(bea, "answer_check", {"session": room.id, "response": "stand_aside"})

    olu = connect("olu@example.org")
    olu.disconnect(namespace=NS)
    again = connect("olu@example.org", join=room.id)
    state = last(again, "session_state")
    assert state["queue"]["speaker"]["name"] == "Alex Moreno"
    assert [h["name"] for h in state["queue"]["hands"]] == ["Bea Hughes"]
    assert state["timer"]["state"] == "running"
    assert state["check"]["open"] and state["check"]["tally"]["stand_aside"] == 1
    assert state["session"]["seq"] == db.session.scalar(select(LiveSession.seq).where(LiveSession.id == room.id))


def test_facilitator_moderates_chat_and_moves_the_agenda(room, connect):
    facilitator = connect("jo@example.org", join=room.id)
    alex = connect("alex@example.org", join=room.id)
    olu = connect("olu@example.org", join=room.id)
    posted = emit(alex, "post_message", {"session": room.id, "text": "Can we hear from Wales first?"})
    assert last(olu, "message_posted")["message"]["text"] == "Can we hear from Wales first?"
    emit(facilitator, "remove_message", {"session": room.id, "message": posted["message"]["id"]})
    assert last(olu, "message_removed")["message"] == {**posted["message"], "text": None, "removed": True}
    assert db.session.scalar(select(ChatMessage.removed_by_id)) == room.facilitator.id

    emit(facilitator, "lock_chat", {"session": room.id})
    assert last(alex, "chat_changed")["locked"] is True
    assert emit(alex, "post_message", {"session": room.id, "text": "Still there?"})["error"] == "chat_locked"
    assert emit(facilitator, "post_message", {"session": room.id, "text": "Five minutes break."})["ok"]

    emit(facilitator, "next_item", {"session": room.id})
    agenda = last(olu, "agenda_changed")
    assert agenda["current_item"] == 1 and agenda["text"]["title"] == "Turn members into organisers"
    assert emit(facilitator, "next_item", {"session": room.id})["error"] == "agenda_finished"


def test_a_proposed_amendment_appears_in_the_sessions_deliberating_its_text(room, connect):
    from forum import announce
    from forum.models import Amendment
    from forum.records import sessions as session_records
    olu = connect("olu@example.org", join=room.id)
    amendment = Amendment(proposal_id=room.text.id, base_version=1, kind="replace_words", origin="drafting",
                          clause_key="c2", start=0, end=1, text="Poll", rationale="Shorter.", author_id=room.bea.id)
    db.session.add(amendment)
    db.session.commit()
    announce.to_sessions("amendment_proposed", session_records.amendment_notices(amendment.id))
    payload = last(olu, "amendment_proposed")["amendment"]
    assert payload["id"] == amendment.id and payload["clause_key"] == "c2" and payload["author"] == "Bea Hughes"
    facilitator = connect("jo@example.org", join=room.id)
    assert emit(facilitator, "open_check", {"session": room.id, "amendment": amendment.id})["check"]["subject"] == \
        f"amendment:{amendment.id}"
