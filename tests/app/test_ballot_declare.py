"""A closed ballot's result reaches the texts: the tracker moves each to carried or not carried,
says why clause by clause, and a carried text gets its adopted version."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from forum.extensions import db
from forum.models import Proposal
from forum.services import ballots, drafting, proposals, tracking
from tests import factories
from tests.lifecycle_helpers import lifecycle_convention


def _to_final(people, clock, text_id):
    """A draft through consensus, interim and the final check, as the assembly does it."""
    fac = people["facilitator"]
    assert tracking.record_consensus_check(fac, text_id, {"agree": 9}, 10, 9, [], "form").to_state == "consensus"
    tracking.publish_interim(fac, text_id)
    clock.at("final_drafting", days=1)
    assert tracking.record_consensus_check(fac, text_id, {"agree": 9}, 10, 9, [], "form").to_state == "final"


@pytest.fixture
def scene(app):
    """Texts on the ballot: A (a composite of a group submission, 4 clauses), B (a group submission,
    2 clauses), C (the leadership's counter-proposal to A), D (an interim text the tracker never placed)."""
    conv, dates, people, clock = lifecycle_convention(app)
    area = conv.areas[0].id
    sheffield = factories.group()
    rep = factories.user("Sam Ellis", roles=("representative",), email="rep@example.org", group=sheffield)
    fac = people["facilitator"]

    clock.at("submissions", days=1)
    source = proposals.create_proposal(rep, conv.id, "From Sheffield", "Organise.\n\nMeet.\n\nPlan.\n\nReport.",
                                       area, on_behalf_of_group=True)
    b = proposals.create_proposal(rep, conv.id, "Affiliation fees", "Halve the fees.\n\nPay them monthly.",
                                  area, on_behalf_of_group=True)

    clock.at("drafting", days=1)
    a = drafting.compose_draft(fac, area, "Local organising",
                               [(source.id, "c1"), (source.id, "c2"), (source.id, "c3"), (source.id, "c4")])
    tracking.take_into_drafting(fac, b.id)
    d = proposals.create_proposal(fac, conv.id, "Digital meetings", "Meet online.", area,
                                  origin="convention", state="interim")
    clock.at("drafting", days=2)
    for text_id in (a.id, b.id):
        assert tracking.record_consensus_check(fac, text_id, {"agree": 9}, 10, 9, [], "form").to_state == "consensus"
        tracking.publish_interim(fac, text_id)
    clock.at("final_drafting", days=1)
    for text_id in (a.id, b.id):
        assert tracking.record_consensus_check(fac, text_id, {"agree": 9}, 10, 9, [], "form").to_state == "final"

    clock.at("leadership_round", days=1)
    c = tracking.table_counter_proposal(people["leadership"], a.id, "Regional organising", "Organise by region.")

    clock.at("ballot", days=0.5)
    for text_id in (a.id, b.id, c.id):
        assert tracking.place_on_ballot(fac, text_id).to_state == "on_ballot"
    admin = people["admin"]
    opens, closes = clock.now + timedelta(hours=1), dates["ballot"][1]
    ballot = ballots.create_ballot(admin, conv.id, "Refounding ballot", opens, closes, date(2029, 12, 31),
                                   [a.id, b.id, c.id, d.id])
    q = {(ques.proposal_id, ques.clause_key): ques.id for s in ballot.sections for ques in s.questions}
    ballots.configure_questions(admin, ballot.id, {q[(c.id, "c1")]: ballots.QuestionSetting(counter_to=q[(a.id, "c1")])},
                                clock.now)
    ballot_id = ballot.id
    return {"clock": clock, "a": a.id, "b": b.id, "c": c.id, "d": d.id, "source": source.id, "ballot": ballot_id,
            "q": q, "closes": closes, "opens": opens}


def _vote(s):
    """Three members vote; A's clause 1 reaches its majority but loses to the counter-proposal."""
    a, b, c, d, q = s["a"], s["b"], s["c"], s["d"], s["q"]
    papers = [
        {(a, "c1"): "for", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "for",
         (b, "c1"): "against", (b, "c2"): "for", (d, "c1"): "for"},
        {(a, "c1"): "for", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "for",
         (b, "c1"): "against", (b, "c2"): "against", (d, "c1"): "for"},
        {(a, "c1"): "against", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "abstain",
         (b, "c1"): "against", (d, "c1"): "for"},
    ]
    s["clock"].now = s["opens"] + timedelta(hours=1)
    for i, paper in enumerate(papers):
        voter = factories.user(f"Voter {i}", email=f"voter{i}@example.org")
        ballots.cast_ballot(voter, s["ballot"], {q[key]: choice for key, choice in paper.items()}, s["clock"].now)


def _state(text_id):
    db.session.expire_all()
    return db.session.get(Proposal, text_id).state


def test_the_declared_result_moves_each_text_and_keeps_the_adopted_clauses(app, client, scene):
    s = scene
    _vote(s)
    client.login("admin@example.org")
    url = f"/api/v1/ballots/{s['ballot']}/declare"

    early = client.api("POST", url)
    assert early.status_code == 422 and early.json["error"] == "ballot_not_closed"
    assert early.json["message"] == (
        "The ballot closes 12 March 2030 at 09:00 (Europe/London); its result can be declared on the texts only "
        "once it has closed and the results are published.")
    assert [_state(t) for t in (s["a"], s["b"], s["c"])] == ["on_ballot"] * 3

    s["clock"].now = s["closes"] + timedelta(hours=2)
    declared = client.api("POST", url)
    assert declared.status_code == 200, declared.json
    outcomes = {t["proposal"]: t for t in declared.json["texts"]}
    assert declared.json["changed"] is True
    assert declared.json["message"] == "The result is declared on 3 texts. 1 text was refused by the tracker."
    assert outcomes[s["a"]]["message"] == "Carried: 2 of 4 clauses carried; clauses 1 and 2 were not carried."
    assert outcomes[s["b"]]["message"] == "Not carried: none of its 2 clauses carried."
    assert outcomes[s["c"]]["message"] == "Carried: its only clause carried."
    assert outcomes[s["d"]]["outcome"] == "refused"
    assert outcomes[s["d"]]["message"] == (
        "This text is an interim proposal; a ballot result only applies to a text that is on the ballot.")
    assert [_state(t) for t in (s["a"], s["b"], s["c"], s["d"])] == ["carried", "not_carried", "carried", "interim"]

    tracker_a = client.get(f"/api/v1/proposals/{s['a']}/tracker").json
    assert tracker_a["explanation"] == "Carried on 12 Mar 2030: 2 of 4 clauses carried; clauses 1 and 2 were not carried."
    last = tracker_a["history"][-1]
    assert (last["from"], last["to"]) == ("on_ballot", "carried")
    assert last["reason"] == "Carried: 2 of 4 clauses carried; clauses 1 and 2 were not carried."
    from forum.models import Transition
    evidence = db.session.scalars(db.select(Transition).where(
        Transition.proposal_id == s["a"], Transition.event == "ballot_declared")).one().evidence
    assert [(c["number"], c["carried"], c["for"], c["against"], c["abstained"]) for c in evidence["clauses"]] == [
        (1, False, 2, 1, 0), (2, False, 0, 3, 0), (3, True, 3, 0, 0), (4, True, 2, 0, 1)]
    assert "the counter-proposal is adopted" in evidence["clauses"][0]["reason"]
    assert client.get(f"/api/v1/proposals/{s['b']}/tracker").json["explanation"] == (
        "Not carried on 12 Mar 2030: none of its 2 clauses carried.")

    adopted = client.get(f"/api/v1/proposals/{s['a']}").json
    assert adopted["current_version"] == outcomes[s["a"]]["adopted_version"]
    version = adopted["version"]
    assert version["note"] == "Adopted by the all-member ballot"
    assert [(c["key"], c["body"]) for c in version["clauses"]] == [("c3", "Plan."), ("c4", "Report.")]
    assert [c["sources"] for c in version["clauses"]] == [[f"ballot:{s['ballot']}", f"submission:{s['source']}"]] * 2
    not_carried = client.get(f"/api/v1/proposals/{s['b']}").json
    assert outcomes[s["b"]]["adopted_version"] is None and not_carried["version"]["note"] != "Adopted by the all-member ballot"

    again = client.api("POST", url)
    assert again.status_code == 200 and again.json["changed"] is False
    assert again.json["message"] == (
        "Nothing changed: the result was already declared on every text it could be. 1 text was refused by the tracker.")
    assert {t["proposal"]: t["outcome"] for t in again.json["texts"]} == {
        s["a"]: "already_declared", s["b"]: "already_declared", s["c"]: "already_declared", s["d"]: "refused"}
    assert client.get(f"/api/v1/proposals/{s['a']}").json["current_version"] == adopted["current_version"]
    assert len(client.get(f"/api/v1/proposals/{s['a']}/tracker").json["history"]) == len(tracker_a["history"])


def test_the_admin_page_declares_with_a_button_and_members_cannot(app, client, another_client, scene):
    s = scene
    _vote(s)
    client.login("admin@example.org")
    page = client.get(f"/admin/ballots/{s['ballot']}").get_data(as_text=True)
    assert "A text is carried when at least one of its clauses carried, and not carried when none did." in page
    assert "Declare the result on the texts" not in page
    assert "once the ballot has closed" in page
    admin_page = f"/admin/ballots/{s['ballot']}"
    refused = client.post(f"/admin/ballots/{s['ballot']}/declare", {"next": admin_page})
    assert refused.status_code == 303 and refused.headers["Location"] == admin_page
    assert "its result can be declared on the texts only once it has closed" in client.get(admin_page).get_data(as_text=True)
    assert _state(s["a"]) == "on_ballot"

    s["clock"].now = s["closes"] + timedelta(hours=2)
    another_client.login("alex@example.org")
    member = another_client.api("POST", f"/api/v1/ballots/{s['ballot']}/declare")
    assert member.status_code == 403 and _state(s["a"]) == "on_ballot"
    assert another_client.post(f"/admin/ballots/{s['ballot']}/declare", {}).status_code == 403

    page = client.get(f"/admin/ballots/{s['ballot']}").get_data(as_text=True)
    assert "Declare the result on the texts" in page
    done = client.post(f"/admin/ballots/{s['ballot']}/declare", {})
    assert done.status_code == 303
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "The result is declared on 3 texts." in shown
    assert "Local organising: Carried: 2 of 4 clauses carried; clauses 1 and 2 were not carried." in shown
    assert "Digital meetings: This text is an interim proposal; a ballot result only applies" in shown
    assert "Local organising</a>: Carried" in shown and "Affiliation fees</a>: Not carried" in shown
    again = client.post(f"/admin/ballots/{s['ballot']}/declare", {})
    assert "Nothing changed" in client.get(again.headers["Location"]).get_data(as_text=True)
