"""A closed ballot's result reaches the texts: the tracker moves each to carried or not carried,
says why clause by clause, and a carried text gets its adopted version."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from deliberation.errors import DomainError
from forum.extensions import db
from forum.models import Ballot, Proposal, User
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
    2 clauses), C (the leadership's counter-proposal to A); D, an interim text, stays off it."""
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
    admin = people["admin"]
    opens, closes = clock.now + timedelta(hours=1), dates["ballot"][1]
    assert [_state(t) for t in (a.id, b.id, c.id)] == ["final"] * 3
    ballot = ballots.create_ballot(admin, conv.id, "Refounding ballot", opens, closes, date(2029, 12, 31),
                                   [a.id, b.id, c.id])  # building it places each text on the ballot
    q = {(ques.proposal_id, ques.clause_key): ques.id for s in ballot.sections for ques in s.questions}
    ballots.configure_questions(admin, ballot.id, {q[(c.id, "c1")]: ballots.QuestionSetting(counter_to=q[(a.id, "c1")])},
                                clock.now)
    ballot_id = ballot.id
    return {"clock": clock, "a": a.id, "b": b.id, "c": c.id, "d": d.id, "source": source.id, "ballot": ballot_id,
            "q": q, "closes": closes, "opens": opens}


COUNTER_WON = ("Both the proposal and the counter-proposal reached their majority; the counter-proposal is "
               "adopted because more members voted for it (2 for the proposal, 3 for the counter-proposal).")


def _vote(s):
    """Three members vote; A's clause 1 reaches its majority but loses to the counter-proposal."""
    a, b, c, q = s["a"], s["b"], s["c"], s["q"]
    papers = [
        {(a, "c1"): "for", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "for",
         (b, "c1"): "against", (b, "c2"): "for"},
        {(a, "c1"): "for", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "for",
         (b, "c1"): "against", (b, "c2"): "against"},
        {(a, "c1"): "against", (c, "c1"): "for", (a, "c2"): "against", (a, "c3"): "for", (a, "c4"): "abstain",
         (b, "c1"): "against"},
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
    assert declared.json["message"] == "The result is declared on 3 texts."
    assert outcomes[s["a"]]["message"] == "Carried: 2 of 4 clauses carried; clauses 1 and 2 were not carried. " + (
        "Clause 1 stood beside the counter-proposal “Regional organising” (question 2.2): " + COUNTER_WON)
    assert outcomes[s["b"]]["message"] == "Not carried: none of its 2 clauses carried."
    assert outcomes[s["c"]]["message"] == "Adopted: its only clause was adopted. " + (
        "Clause 1 stood beside the proposal “Local organising” (question 2.1): " + COUNTER_WON)
    assert {t["outcome"] for t in outcomes.values()} == {"carried", "not_carried", "adopted"}
    assert [_state(t) for t in (s["a"], s["b"], s["c"], s["d"])] == ["carried", "not_carried", "adopted", "interim"]

    tracker_a = client.get(f"/api/v1/proposals/{s['a']}/tracker").json
    assert tracker_a["explanation"] == outcomes[s["a"]]["message"].replace("Carried:", "Carried on 12 Mar 2030:")
    last = tracker_a["history"][-1]
    assert (last["from"], last["to"]) == ("on_ballot", "carried")
    assert last["reason"] == outcomes[s["a"]]["message"]
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
    assert again.json["message"] == "Nothing changed: the result was already declared on every text it could be."
    assert {t["proposal"]: t["outcome"] for t in again.json["texts"]} == {
        s["a"]: "already_declared", s["b"]: "already_declared", s["c"]: "already_declared"}
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
    assert "Local organising</a>: Carried" in shown and "Affiliation fees</a>: Not carried" in shown
    again = client.post(f"/admin/ballots/{s['ballot']}/declare", {})
    assert "Nothing changed" in client.get(again.headers["Location"]).get_data(as_text=True)


# --- the counter-proposal's whole path ------------------------------------------------------


def _cast(s, papers):
    s["clock"].now = s["opens"] + timedelta(hours=1)
    for i, paper in enumerate(papers):
        voter = factories.user(f"Member {i}", email=f"member{i}@example.org")
        ballots.cast_ballot(voter, s["ballot"], {s["q"][key]: choice for key, choice in paper.items()}, s["clock"].now)


def _declare_and_read_pages(client, s):
    s["clock"].now = s["closes"] + timedelta(hours=2)
    client.login("admin@example.org")
    declared = client.api("POST", f"/api/v1/ballots/{s['ballot']}/declare")
    assert declared.status_code == 200, declared.json
    assert "refused" not in declared.json["message"]
    pages = {t: client.get(f"/proposals/{s[t]}").get_data(as_text=True) for t in ("a", "c")}
    return {t["proposal"]: t for t in declared.json["texts"]}, pages


def test_building_the_ballot_places_every_text_on_it_in_the_tracker_counter_proposal_included(app, client, scene):
    s = scene
    assert [_state(t) for t in (s["a"], s["b"], s["c"])] == ["on_ballot"] * 3
    client.login("admin@example.org")
    history = client.get(f"/api/v1/proposals/{s['c']}/tracker").json["history"]
    assert (history[-1]["from"], history[-1]["to"]) == ("final", "on_ballot")
    assert "On the ballot" in client.get(f"/proposals/{s['c']}").get_data(as_text=True)


def test_a_ballot_with_a_text_the_tracker_cannot_place_is_refused_whole(app, scene):
    s = scene
    before = db.session.scalar(db.select(db.func.count()).select_from(Ballot))
    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
    with pytest.raises(DomainError) as refused:
        ballots.create_ballot(admin, db.session.get(Proposal, s["b"]).convention_id, "Second ballot", s["opens"],
                              s["closes"], date(2029, 12, 31), [s["b"], s["d"]])
    assert refused.value.code == "text_not_ready_for_ballot" and refused.value.status == 422
    assert refused.value.message == (
        "“Digital meetings” cannot go on the ballot. This text is an interim proposal; placing on the ballot only "
        "applies to a text that is a final proposal.")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == before
    assert [_state(t) for t in (s["b"], s["d"])] == ["on_ballot", "interim"]


def test_the_counter_proposal_adopted_and_both_texts_say_why(app, client, scene):
    s = scene
    a, c = s["a"], s["c"]
    _cast(s, [{(a, "c1"): "for", (c, "c1"): "for"}, {(a, "c1"): "against", (c, "c1"): "for"},
              {(a, "c1"): "against", (c, "c1"): "for"}])
    outcomes, pages = _declare_and_read_pages(client, s)
    why = "The counter-proposal is adopted: it reached its majority and the proposal did not"
    assert outcomes[c]["outcome"] == "adopted" and outcomes[a]["outcome"] == "not_carried"  # nobody voted on c2-c4
    assert outcomes[c]["message"] == (
        f"Adopted: its only clause was adopted. Clause 1 stood beside the proposal “Local organising” "
        f"(question 2.1): {why}.")
    assert ("Not carried on 12 Mar 2030: none of its 4 clauses carried. Clause 1 stood beside the counter-proposal "
            "“Regional organising” (question 2.2): " + why) in pages["a"]
    assert "Adopted on 12 Mar 2030: its only clause was adopted." in pages["c"]
    assert "stood beside the proposal “Local organising” (question 2.1): " + why in pages["c"]
    assert _state(c) == "adopted"


def test_the_proposal_carried_and_the_counter_proposal_not_adopted_both_texts_say_why(app, client, scene):
    s = scene
    a, b, c = s["a"], s["b"], s["c"]
    every = {(a, k): "for" for k in ("c1", "c2", "c3", "c4")}
    _cast(s, [{**every, (c, "c1"): "for", (b, "c1"): "for"}, {**every, (c, "c1"): "against"},
              {**every, (c, "c1"): "for"}])
    outcomes, pages = _declare_and_read_pages(client, s)
    why = ("Both the proposal and the counter-proposal reached their majority; the proposal is adopted because "
           "more members voted for it (3 for the proposal, 2 for the counter-proposal)")
    assert (outcomes[a]["outcome"], outcomes[c]["outcome"]) == ("carried", "not_adopted")
    assert outcomes[a]["message"] == (
        f"Carried: all 4 clauses carried. Clause 1 stood beside the counter-proposal “Regional organising” "
        f"(question 2.2): {why}.")
    assert "Carried on 12 Mar 2030: all 4 clauses carried." in pages["a"] and why in pages["a"]
    assert "Not adopted on 12 Mar 2030: its only clause was not adopted." in pages["c"]
    assert "stood beside the proposal “Local organising” (question 2.1): " + why in pages["c"]
    assert "Not adopted" in pages["c"] and [_state(t) for t in (a, c)] == ["carried", "not_adopted"]
    adopted = client.get(f"/api/v1/proposals/{a}").json["version"]
    assert [cl["key"] for cl in adopted["clauses"]] == ["c1", "c2", "c3", "c4"]


def test_a_text_already_decided_by_one_ballot_is_refused_by_the_next_in_the_trackers_words(app, client, scene):
    s = scene
    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
    conv_id = db.session.get(Proposal, s["b"]).convention_id
    second = ballots.create_ballot(admin, conv_id, "Second ballot", s["opens"], s["closes"], date(2029, 12, 31),
                                   [s["b"]])  # already on the ballot: it stays there
    _vote(s)
    s["clock"].now = s["closes"] + timedelta(hours=2)
    client.login("admin@example.org")
    assert client.api("POST", f"/api/v1/ballots/{s['ballot']}/declare").status_code == 200
    later = client.api("POST", f"/api/v1/ballots/{second.id}/declare").json
    assert later["changed"] is False
    assert later["message"] == "Nothing changed: no text could take this result. 1 text was refused by the tracker."
    assert later["texts"] == [{"proposal": s["b"], "title": "Affiliation fees", "outcome": "refused",
                               "message": "This text is not carried; nothing can change it any more.",
                               "adopted_version": None}]
