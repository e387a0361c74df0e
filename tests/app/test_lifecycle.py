"""The lifecycle pages and API: phases enforced, supports, the tracker's inputs, setup, exports."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from forum.extensions import db, socketio
from forum.models import Phase, Proposal, Support, Transition
from forum.services import proposals
from tests import factories
from tests.lifecycle_helpers import START, lifecycle_convention


def _submit(client, conv, title="Open selections", area=0):
    return client.api("POST", "/api/v1/proposals", {"title": title, "area": conv.areas[area].id,
                                                    "body": "Campaign for open selections.\n\nMeet monthly."})


def test_a_submission_outside_its_window_is_refused_saying_when_it_opens_and_nothing_is_saved(app, client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.now = START - timedelta(days=2)
    client.login("alex@example.org")
    early = _submit(client, conv)
    assert early.status_code == 422 and early.json["error"] == "phase_not_open"
    assert early.json["message"] == ("Local groups and supported members submit proposals in the submissions window, "
                                     "which opens on 1 January 2030 at 09:00 (Europe/London).")
    clock.at("drafting")
    late = client.post("/proposals/new", {"title": "Late", "area": conv.areas[0].id, "body": "Words."})
    assert late.status_code == 422 and "which closed on 21 January 2030 at 09:00" in late.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_the_clock_crosses_every_boundary_and_the_timeline_follows(app, client):
    conv, dates, people, clock = lifecycle_convention(app)
    for kind, (opens, closes) in dates.items():
        for moment, expected in ((opens - timedelta(seconds=1), "upcoming"), (opens, "current"),
                                 (closes - timedelta(seconds=1), "current"), (closes, "past")):
            clock.now = moment
            listed = {p["kind"]: p["status"] for p in client.get("/api/v1/timeline").json["phases"]}
            assert listed[kind] == expected, (kind, moment)
    # And an action flips exactly at its phase's edges.
    client.login("alex@example.org")
    opens, closes = dates["submissions"]
    clock.now = closes - timedelta(seconds=1)
    assert _submit(client, conv).status_code == 201
    clock.now = closes
    assert _submit(client, conv).json["error"] == "phase_closed"


def test_timeline_page_shows_every_phase_where_we_stand_and_what_members_can_do(app, client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("amendment_window", days=2)
    page = client.get("/timeline").get_data(as_text=True)
    assert "Interim amendment window" in page and 'aria-current="step"' in page
    assert "You can propose an amendment to an interim proposal until 10 February 2030 at 09:00" in page
    assert "Opens 1 January 2030 at 09:00 (Europe/London)" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/timeline"' in home


def test_clarifications_on_interim_texts_follow_the_amendment_window(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("drafting", days=1)
    text = proposals.create_proposal(people["facilitator"], conv.id, "Section 1", "One.\n\nTwo.", conv.areas[0].id,
                                     origin="convention", state="interim")
    client.login("alex@example.org")
    asked = client.api("POST", f"/api/v1/proposals/{text.id}/clarifications", {"question": "What does one mean?"})
    assert (asked.status_code == 422
            and "interim amendment window, which opens on 31 January 2030" in asked.json["message"])
    clock.at("amendment_window", days=1)
    asked = client.api("POST", f"/api/v1/proposals/{text.id}/clarifications", {"question": "What does one mean?"})
    assert asked.status_code == 201
    another_client.login("s1@example.org")
    clock.at("leadership_round", days=1)
    vote = another_client.api("PUT", f"/api/v1/clarifications/{asked.json['id']}/vote", {"value": 1})
    assert vote.status_code == 422 and vote.json["error"] == "phase_closed"
    clock.at("final_drafting", days=1)
    assert another_client.api("PUT", f"/api/v1/clarifications/{asked.json['id']}/vote", {"value": 1}).json["score"] == 1


def test_supports_count_once_per_member_live_and_the_page_form_works_without_javascript(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    client.login("alex@example.org")
    text_id = _submit(client, conv).json["id"]
    page = client.get(f"/proposals/{text_id}").get_data(as_text=True)
    assert "Routed to the Politics and People Assembly." in page
    assert "Support this submission" not in page and "cannot support your own submission" in page
    watcher = socketio.test_client(app, flask_test_client=client.client)
    watcher.emit("follow_text", {"text": text_id}, callback=True)
    another_client.login("s1@example.org")
    response = another_client.post(f"/proposals/{text_id}/support", {"next": f"/proposals/{text_id}"})
    assert response.status_code == 303
    page = another_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your support is counted: 1 of 20 supporting members." in page and "You support this submission." in page
    counted = [m["args"][0] for m in watcher.get_received() if m["name"] == "support_counted"]
    assert counted[-1]["supports"] == 1 and "1 of the 20 supporting members it needs" in counted[-1]["explanation"]
    again = another_client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    assert again.status_code == 409 and again.json["error"] == "already_supported"
    assert db.session.scalar(select(func.count(Support.id))) == 1


def test_a_group_submission_needs_no_support_and_a_short_one_cannot_reach_drafting(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    sheffield = factories.group()
    factories.user("Sam Ellis", roles=("representative",), email="rep@example.org", group=sheffield)
    client.login("rep@example.org")
    group_text = client.api("POST", "/api/v1/proposals", {"title": "From Sheffield", "area": conv.areas[0].id,
                                                          "body": "Words.", "on_behalf_of_group": True}).json["id"]
    another_client.login("s1@example.org")
    refused = another_client.api("POST", f"/api/v1/proposals/{group_text}/supports")
    assert refused.status_code == 422 and refused.json["error"] == "support_not_needed"
    client.post("/logout")
    client.login("alex@example.org")
    short = _submit(client, conv).json["id"]
    another_client.api("POST", f"/api/v1/proposals/{short}/supports")
    clock.at("drafting", days=1)
    late = another_client.api("POST", f"/api/v1/proposals/{short}/supports")
    assert late.status_code == 422 and late.json["error"] == "phase_closed"
    client.post("/logout")
    client.login("jo@example.org")
    taken = client.api("POST", f"/api/v1/proposals/{short}/take-into-drafting")
    assert (taken.status_code == 422
            and "20 supporting members before the submissions window closed, and it has 1" in taken.json["message"])
    assert client.api("POST", f"/api/v1/proposals/{group_text}/take-into-drafting").json["to"] == "draft"
    explained = client.get(f"/api/v1/proposals/{short}/tracker").json["explanation"]
    assert "it had 1 of the 20 supporting members it needed when the submissions window closed 21 Jan 2030" in explained


def test_facilitators_record_checks_through_the_form_and_members_cannot(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("drafting", days=1)
    text = proposals.create_proposal(people["facilitator"], conv.id, "Composite", "One.\n\nTwo.", conv.areas[0].id,
                                     origin="convention", state="draft")
    another_client.login("alex@example.org")
    form = {"agree": "9", "seated": "10", "present": "10"}
    assert another_client.post(f"/proposals/{text.id}/consensus-check", form).status_code == 403
    client.login("jo@example.org")
    page = client.get(f"/proposals/{text.id}/tracker").get_data(as_text=True)
    assert 'name="seated"' in page and 'value="10"' in page  # prefilled with the assembly's voting seats
    no_reason = client.post(f"/proposals/{text.id}/consensus-check", {**form, "agree": "8", "block": "1"})
    assert no_reason.status_code == 303
    assert "Each block needs its reason" in client.get(no_reason.headers["Location"]).get_data(as_text=True)
    blocked = client.post(f"/proposals/{text.id}/consensus-check",
                          {**form, "agree": "8", "block": "1", "reasons": "It ignores the nations."})
    page = client.get(blocked.headers["Location"]).get_data(as_text=True)
    assert "No consensus: 1 member blocked" in page and "It ignores the nations." in page
    db.session.expire_all()
    assert db.session.get(Proposal, text.id).state == "draft"
    client.post(f"/proposals/{text.id}/consensus-check", form)
    db.session.expire_all()
    assert db.session.get(Proposal, text.id).state == "consensus"
    history = client.get(f"/proposals/{text.id}").get_data(as_text=True)
    assert "Draft → Consensus reached" in history and "Jo Whitfield" in history


def test_how_stand_asides_and_silent_members_count_is_the_administrators_choice(app, client):
    """5 agree, 2 stand aside, 3 silent of 10 present: 5 of 8 (62%) by default (silent members count,
    stand-asides do not), refused at 75%; with silent members left out it is 5 of 5 and consensus."""
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("drafting", days=1)
    client.login("admin@example.org")
    settings = {"name": conv.name, "timezone": "Europe/London", "support_threshold": "3", "quorum_fraction": "0.5",
                "agreement_threshold": "0.75", "blocks_stop": "y", "silent_counts": "y"}
    form = {"agree": "5", "stand_aside": "2", "seated": "10", "present": "10"}
    first = proposals.create_proposal(people["facilitator"], conv.id, "First", "One.", conv.areas[0].id,
                                      origin="convention", state="draft")
    assert client.post("/admin/convention/settings", settings).status_code == 303
    client.post(f"/proposals/{first.id}/consensus-check", form)
    db.session.expire_all()
    assert db.session.get(Proposal, first.id).state == "draft"
    page = client.get("/admin/convention").get_data(as_text=True)
    assert 'id="silent_counts" name="silent_counts" type="checkbox" value="y"' in page.replace(" checked", "")
    del settings["silent_counts"]
    assert client.post("/admin/convention/settings", settings).status_code == 303
    assert 'name="silent_counts" type="checkbox" value="y">' in client.get("/admin/convention").get_data(as_text=True)
    second = proposals.create_proposal(people["facilitator"], conv.id, "Second", "One.", conv.areas[0].id,
                                       origin="convention", state="draft")
    client.post(f"/proposals/{second.id}/consensus-check", form)
    db.session.expire_all()
    assert db.session.get(Proposal, second.id).state == "consensus"


def test_record_consensus_check_is_one_service_for_live_sessions(app):
    from forum.services.tracking import record_consensus_check
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("drafting", days=1)
    text = proposals.create_proposal(people["facilitator"], conv.id, "Composite", "One.", conv.areas[0].id,
                                     origin="convention", state="draft")
    row = record_consensus_check(people["facilitator"], text.id, {"agree": 6, "reservations": 1, "stand_aside": 2},
                                 seated=10, present=9, reasons=[], source="session:7")
    assert (row.from_state, row.to_state, row.source) == ("draft", "consensus", "session:7")
    assert row.evidence["responses"] == {"agree": 6, "reservations": 1, "stand_aside": 2, "block": 0}
    clock.at("amendment_window", days=1)
    try:
        record_consensus_check(people["facilitator"], text.id, {"agree": 9}, 10, 9, [], "session:7")
    except Exception as err:  # checks are held where assemblies meet, not in the amendment window
        assert err.code == "phase_not_open"
    else:
        raise AssertionError("a check in the amendment window was accepted")


def test_counter_proposals_only_by_the_leadership_in_its_round(app, client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("final_drafting", days=1)
    text = proposals.create_proposal(people["facilitator"], conv.id, "Final", "One.", conv.areas[0].id,
                                     origin="convention", state="final")
    client.login("ncg@example.org")
    body = {"title": "Counter", "body": "Other words."}
    early = client.api("POST", f"/api/v1/proposals/{text.id}/counter-proposals", body)
    assert early.status_code == 422 and "leadership round, which opens on 20 February 2030" in early.json["message"]
    client.post("/logout")
    client.login("alex@example.org")
    clock.at("leadership_round", days=1)
    assert client.api("POST", f"/api/v1/proposals/{text.id}/counter-proposals", body).status_code == 403
    client.post("/logout")
    client.login("ncg@example.org")
    counter = client.post(f"/proposals/{text.id}/counter-proposal", body)
    assert counter.status_code == 303
    page = client.get(counter.headers["Location"]).get_data(as_text=True)
    assert "A counter-proposal by the leadership to" in page
    assert db.session.scalar(select(Proposal).where(Proposal.origin == "counter_proposal")).counter_to_id == text.id


def test_close_phases_command_is_idempotent_and_admin_button_works(app, client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    client.login("alex@example.org")
    text_id = _submit(client, conv).json["id"]
    clock.at("drafting", days=1)
    runner = app.test_cli_runner()
    assert "Recorded 1 phase closes" in runner.invoke(args=["lifecycle", "close-phases"]).output
    assert "Recorded 0 phase closes" in runner.invoke(args=["lifecycle", "close-phases"]).output
    closed = db.session.scalars(select(Transition).where(Transition.event == "phase_closed")).all()
    assert [(t.proposal_id, t.reason) for t in closed] == [
        (text_id, "The submissions window closed. Support stands at 0 of the 20 needed.")]
    client.post("/logout")
    client.login("admin@example.org")
    response = client.post("/admin/convention/close-phases", {"next": "/tracker"})
    assert "Every closed phase was already recorded." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_dashboard_for_facilitators_and_progress_for_everyone(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    another_client.login("alex@example.org")
    _submit(another_client, conv, "Open selections")
    _submit(another_client, conv, "Childcare at meetings", area=1)
    assert another_client.get("/tracker").status_code == 403
    progress = client.get("/progress").get_data(as_text=True)
    assert "Politics and People Assembly" in progress and "Power and Participation (no assembly yet)" in progress
    assert "0 of the 20 supporting members it needs, 20 more needed" in progress
    client.login("jo@example.org")
    board = client.get("/tracker").get_data(as_text=True)
    assert "Tracker dashboard" in board and "amendments awaiting a disposition" in board
    data = client.get("/api/v1/progress").json
    assert {d["assembly"]: d["counts"] for d in data}["Politics and People Assembly"] == {"submission": 1}


def test_administrator_sets_up_phases_in_the_convention_zone_framework_and_assemblies(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    another_client.login("alex@example.org")
    assert another_client.get("/admin/convention").status_code == 403
    client.login("admin@example.org")
    page = client.get("/admin/convention").get_data(as_text=True)
    assert 'value="2030-01-01T09:00"' in page  # January in London is GMT
    form = {f"{k}_{e}": "" for k in dates for e in ("opens", "closes")}
    form.update(submissions_opens="2030-06-01T09:00", submissions_closes="2030-07-01T00:00",
                drafting_opens="2030-07-02T09:00", drafting_closes="2030-08-01T09:00")
    assert client.post("/admin/convention/phases", form).status_code == 303
    rows = {p.kind: p for p in db.session.scalars(select(Phase).where(Phase.convention_id == conv.id))}
    assert set(rows) == {"submissions", "drafting"}
    assert rows["submissions"].opens_at == datetime(2030, 6, 1, 8, tzinfo=timezone.utc)  # BST
    bad = dict(form, drafting_opens="2030-05-01T09:00")
    refused = client.post("/admin/convention/phases", bad)
    assert refused.status_code == 303
    assert ("The drafting phase cannot open before the submissions window."
            in client.get("/admin/convention").get_data(as_text=True))
    assert (db.session.scalar(select(Phase.opens_at).where(Phase.kind == "drafting"))
            == datetime(2030, 7, 2, 8, tzinfo=timezone.utc))
    client.post("/admin/convention/areas", {"name": "Organising"})
    area = conv.areas[0]
    client.post(f"/admin/convention/areas/{area.id}", {"name": "Politics, People and Power"})
    client.post(f"/admin/convention/areas/{area.id}/topics", {"name": "Housing"})
    client.post(f"/admin/convention/topics/{area.topics[0].id}", {"name": "Policy"})
    client.post("/admin/convention/assemblies", {"area": str(conv.areas[1].id), "name": "Power Assembly"})
    areas = client.get("/api/v1/areas").json
    assert [a["name"] for a in areas] == ["Politics, People and Power", "Power and Participation", "Organising"]
    assert [t["name"] for t in areas[0]["topics"]] == ["Policy", "Ethics", "Housing"]
    assert ("Power and Participation: taken up by the Power Assembly"
            in client.get("/admin/convention").get_data(as_text=True))
    zone = client.post("/admin/convention/settings", {"name": "X", "timezone": "Mars/Olympus",
                                                      "support_threshold": "20", "quorum_fraction": "0.5",
                                                      "agreement_threshold": "0.75"})
    assert "is not a time zone we know" in client.get(zone.headers["Location"]).get_data(as_text=True)


def test_exports_for_administrators_in_csv_and_json(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    another_client.login("alex@example.org")
    text_id = _submit(another_client, conv).json["id"]
    assert another_client.get("/admin/exports/texts.csv").status_code == 403
    client.login("s1@example.org")
    client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    client.post("/logout")
    client.login("admin@example.org")
    page = client.get("/admin/exports").get_data(as_text=True)
    for name in ("texts", "amendments", "clarifications", "comments", "supports", "transitions"):
        assert f"/admin/exports/{name}.csv" in page and f"/admin/exports/{name}.json" in page
        assert client.get(f"/admin/exports/{name}.json").status_code == 200
    texts = client.get("/admin/exports/texts.csv")
    assert texts.mimetype == "text/csv" and "Open selections" in texts.get_data(as_text=True)
    assert "attachment" in texts.headers["Content-Disposition"]
    supports = json.loads(client.get("/admin/exports/supports.json").get_data(as_text=True))
    assert [(s["text_id"], s["member"]) for s in supports] == [(text_id, "Supporter 1")]
    transitions = json.loads(client.get("/admin/exports/transitions.json").get_data(as_text=True))
    assert [t["event"] for t in transitions] == ["submitted", "support_counted"]
    assert client.get("/admin/exports/passwords.csv").status_code == 404


def test_an_export_opens_in_a_spreadsheet_as_text_and_no_cache_keeps_it(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    another_client.login("alex@example.org")
    _submit(another_client, conv, title='=HYPERLINK("http://evil.example","Click")')
    _submit(another_client, conv, title="@SUM(1+1) open selections")
    client.login("admin@example.org")
    texts = client.get("/admin/exports/texts.csv")
    assert texts.headers["Cache-Control"] == "no-store"
    titles = [row["title"] for row in csv.DictReader(io.StringIO(texts.get_data(as_text=True)))]
    assert sorted(titles) == ["'=HYPERLINK(\"http://evil.example\",\"Click\")", "'@SUM(1+1) open selections"]
    as_json = json.loads(client.get("/admin/exports/texts.json").get_data(as_text=True))
    assert '=HYPERLINK("http://evil.example","Click")' in [t["title"] for t in as_json]  # JSON keeps the text
    assert client.get("/admin/exports/texts.json").headers["Cache-Control"] == "no-store"
