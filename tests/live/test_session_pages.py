"""Pages of live sessions: scheduling, the session page and its plain forms, minutes and export."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import LiveSession, SessionCheck
from forum.services.sessions import schedule
from tests.live.conftest import Room


@pytest.fixture
def room(app):
    app.config["LIVE_OBSERVERS_DELAY"] = 0
    return Room()


def test_facilitator_schedules_a_session_with_texts_of_the_assembly_area(room, client):
    client.login("jo@example.org")
    page = client.get(f"/assemblies/{room.assembly.id}/sessions/new").get_data(as_text=True)
    assert "Hand power to local groups" in page and "Open selections" not in page
    response = client.post(f"/assemblies/{room.assembly.id}/sessions/new", {
        "title": "Second sitting", "starts_at": "2022-03-08T18:30", "agenda": [str(room.second.id)], "public": "y"})
    assert response.status_code == 303
    row = db.session.scalar(select(LiveSession).where(LiveSession.title == "Second sitting"))
    assert row.status == "scheduled" and [i.proposal_id for i in row.items] == [room.second.id]
    assert row.starts_at.hour == 18  # 18:30 in London in March is 18:30 UTC


def test_members_cannot_schedule_and_agendas_stay_in_the_area(room, client):
    client.login("alex@example.org")
    response = client.post(f"/assemblies/{room.assembly.id}/sessions/new", {
        "title": "Mine", "starts_at": "2022-03-08T18:30", "agenda": [str(room.second.id)]})
    assert response.status_code == 403
    with pytest.raises(Exception) as refused:
        schedule.schedule_session(room.facilitator, room.assembly.id, "Mixed", room.session.starts_at,
                                       [room.text.id, room.elsewhere.id])
    assert refused.value.code == "agenda_outside_area"


def test_session_page_shows_the_room_to_an_observer_without_controls(room, client):
    client.login("olu@example.org")
    page = client.get(f"/sessions/{room.id}").get_data(as_text=True)
    assert "watching as an observer" in page and "Not quorate" in page
    assert "Raise my hand" not in page and "Call the next speaker" not in page
    assert client.get("/sessions").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(room, client):
    assert client.get(f"/sessions/{room.id}").status_code in (302, 303)


def test_closed_to_observers_means_members_without_a_seat_are_refused(room, client):
    room.session.public = False
    db.session.commit()
    client.login("olu@example.org")
    assert client.get(f"/sessions/{room.id}").status_code == 403


def test_plain_forms_work_without_javascript(room, client, another_client):
    client.login("alex@example.org")
    assert b"Raise my hand" in client.get(f"/sessions/{room.id}").data
    assert client.post(f"/sessions/{room.id}/do/raise_hand", {"kind": "direct_response"}).status_code == 303
    page = client.get(f"/sessions/{room.id}").get_data(as_text=True)
    assert "Your hand is up." in page and "direct response" in page
    another_client.login("jo@example.org")
    assert another_client.post(f"/sessions/{room.id}/do/call_next").status_code == 303
    assert ("Speaking now: <strong data-speaker>Alex Moreno"
            in another_client.get(f"/sessions/{room.id}").get_data(as_text=True))
    refused = client.post(f"/sessions/{room.id}/do/call_next", follow_redirects=False)
    assert refused.status_code == 403
    assert client.post(f"/sessions/{room.id}/do/nonsense").status_code == 404


def test_minutes_list_attendance_speakers_and_checks_and_download_as_markdown(room, client, connect):
    facilitator = connect("jo@example.org", join=room.id)
    alex = connect("alex@example.org", join=room.id)
    bea = connect("bea@example.org", join=room.id)
    for sio, event, payload in [(alex, "raise_hand", {}), (facilitator, "call_next", {}),
                                (facilitator, "open_check", {}), (alex, "answer_check", {"response": "agree"}),
                                (bea, "answer_check", {"response": "agree"}), (facilitator, "close_check", {})]:
        assert sio.emit(event, {"session": room.id, **payload}, namespace="/sessions", callback=True).get("ok")
    client.login("olu@example.org")
    assert client.get(f"/sessions/{room.id}/minutes").status_code == 303  # not before the end: back, with why
    schedule.close_session(room.facilitator, room.id)
    page = client.get(f"/sessions/{room.id}/minutes").get_data(as_text=True)
    assert "Present (2): Alex Moreno, Bea Hughes" in page and "Absent (1): Cal Fraser" in page
    assert "Speakers, in order: Alex Moreno." in page and "Consensus reached" in page
    export = client.get(f"/sessions/{room.id}/minutes.md")
    assert export.mimetype == "text/markdown" and "attachment" in export.headers["Content-Disposition"]
    text = export.get_data(as_text=True)
    assert text.startswith("# Power and Participation Assembly: Interim texts")
    assert "## 1. Hand power to local groups" in text and "Decisions:" in text
    assert db.session.scalar(select(SessionCheck.reached)) is True
