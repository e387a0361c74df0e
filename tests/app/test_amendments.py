"""Members amend interim proposals inline; drafters dispose of amendments into new versions."""
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db, socketio
from forum.models import Amendment, AmendmentVote, CompositeSource, ProposalVersion
from forum.services import proposals
from tests import factories
from tests.support.queries import count_queries
from tests.app.amendment_helpers import propose
from tests.app.amendment_helpers import (AMENDMENT_WINDOW, BALLOT, DRAFTING, SUBMISSIONS, FINAL_DRAFTING, LEADERSHIP_ROUND, at,
                                         world)


def counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Amendment.id))), db.session.scalar(select(func.count(AmendmentVote.id))),
            db.session.scalar(select(func.count(ProposalVersion.id))),
            db.session.execute(select(Amendment.id, Amendment.status, Amendment.base_version, Amendment.start,
                                      Amendment.end, Amendment.score).order_by(Amendment.id)).all())


def test_member_proposes_a_replacement_with_the_plain_form_and_sees_it_inline_as_a_diff(app, client):
    w = world(app)
    client.login("alex@example.org")
    response = client.post(f"/proposals/{w.text.id}/amendments", {
        "change": "replace", "clause": "c1", "first_word": "5", "last_word": "5", "text": "every month",
        "rationale": "“Monthly” could mean any day of the month.", "base_version": "1",
        "next": f"/proposals/{w.text.id}"})
    assert response.status_code == 303 and re.search(r"#amendment-\d+$", response.headers["Location"])
    page = client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert "Your amendment (number" in page
    assert re.search(r"<del><span class=\"visually-hidden\">\[deleted: </span>monthly<", page)
    assert re.search(r"<ins><span class=\"visually-hidden\">\[inserted: </span>every month<", page)
    assert "Member amendment by Alex Moreno" in page and "could mean any day of the month" in page
    assert "1 open amendment" in page


def test_an_edited_clause_becomes_the_word_level_amendment(app, client):
    w = world(app)
    client.login("alex@example.org")
    response = client.api("POST", f"/api/v1/proposals/{w.text.id}/amendments", {
        "clause": "c2", "body": "Members of the NCG should serve no more than two consecutive terms.",
        "rationale": "Three terms is too long.", "base_version": 1})
    assert response.status_code == 201, response.json
    assert (response.json["start"], response.json["end"], response.json["text"]) == (9, 10, "two consecutive")
    # Two changes far apart are one amendment, from the first changed word to the last.
    response = client.api("POST", f"/api/v1/proposals/{w.text.id}/amendments", {
        "clause": "c3", "body": "Minutes of every NCG meeting should be sent to all members within ten days.",
        "rationale": "Faster.", "base_version": 1})
    assert (response.json["start"], response.json["end"], response.json["text"]) == (12, 14, "ten days.")
    unchanged = client.api("POST", f"/api/v1/proposals/{w.text.id}/amendments", {
        "clause": "c3", "body": "Minutes of every NCG meeting should be sent to all members within two weeks.",
        "rationale": "Nothing.", "base_version": 1})
    assert unchanged.status_code == 422 and unchanged.json["error"] == "amendment_changes_nothing"


@pytest.mark.parametrize("fields, code", [
    ({"base_version": 0}, "amendment_stale_version"),
    ({"start": 3, "end": 3, "text": ""}, "span_empty"),
    ({"start": 10, "end": 40}, "span_out_of_range"),
    ({"clause": "c99"}, "clause_unknown"),
    ({"rationale": "x" * 2001}, "rationale_too_long"),
    ({"rationale": "   "}, "rationale_missing"),
])
def test_bad_amendments_are_refused_and_nothing_stored_changes(app, client, fields, code):
    w = world(app)
    client.login("alex@example.org")
    assert propose(client, w.text).status_code == 201
    before = counts()
    response = propose(client, w.text, **fields)
    assert 400 <= response.status_code < 500 and response.json["error"] == code, response.json
    assert counts() == before


def test_stale_versions_deleted_clauses_and_other_texts_clauses_are_refused_on_the_page_too(app, client):
    w = world(app)
    other = proposals.create_proposal(w.facilitator, w.conv.id, "Another text", "One.\n\nTwo.\n\nThree.\n\nFour.",
                                      w.conv.areas[0].id, origin="convention", state="interim")
    proposals.edit_proposal(w.facilitator, w.text.id, w.text.title,
                            "The NCG should meet monthly and at least four times a year in person.\n\n"
                            "Members of the NCG should serve no more than three terms.", "Drop clause 3", 1)
    client.login("alex@example.org")
    stale = propose(client, w.text)
    assert stale.status_code == 422 and "made against version 1" in stale.json["message"]
    deleted = propose(client, w.text, clause="c3", start=0, end=1, base_version=2)
    assert deleted.json["error"] == "clause_deleted"
    assert propose(client, w.text, clause="c4", start=0, end=1, base_version=2).json["error"] == "clause_unknown"
    assert other.id != w.text.id
    before = counts()
    response = client.post(f"/proposals/{w.text.id}/amendments", {
        "change": "delete", "clause": "c3", "first_word": "1", "last_word": "2", "rationale": "Gone?",
        "base_version": "2", "next": f"/proposals/{w.text.id}"})
    assert response.status_code == 303
    page = client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert "Clause c3 was deleted before version 2" in page
    assert counts() == before


def test_one_vote_per_member_changeable_withdrawable_and_announced_live(app, client, another_client):
    w = world(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    another_client.login("bea@example.org")
    watcher = socketio.test_client(app, flask_test_client=client.client)
    watcher.emit("follow_text", {"text": w.text.id}, callback=True)
    watcher.get_received()
    url = f"/api/v1/amendments/{amendment['id']}/vote"
    assert another_client.api("PUT", url, {"value": 1}).json == {"id": amendment["id"], "score": 1, "ups": 1,
                                                                  "downs": 0, "mine": 1}
    events = [e for e in watcher.get_received() if e["name"] == "amendment_scored"]
    assert events and events[-1]["args"][0]["score"] == 1
    before = counts()
    twice = another_client.api("PUT", url, {"value": 1})
    assert twice.status_code == 422 and twice.json["error"] == "vote_unchanged"
    assert counts() == before
    assert another_client.api("PUT", url, {"value": -1}).json["score"] == -1
    assert another_client.api("DELETE", url).json["score"] == 0
    own = client.api("PUT", url, {"value": 1})
    assert own.status_code == 403 and "own amendment" in own.json["message"]
    watcher.disconnect()


def test_phases_decide_who_may_amend_and_vote_and_refusals_say_when(app, client, another_client):
    w = world(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    another_client.login("bea@example.org")
    at(app, FINAL_DRAFTING)
    late = propose(client, w.text)
    assert late.status_code == 422 and late.json["error"] == "phase_closed"
    assert "interim amendment window" in late.json["message"]
    page = another_client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert "Members propose amendments in the interim amendment window" in page
    assert "Propose an amendment" not in page
    # Votes stay open through final drafting, so the assembly sees the latest mood.
    assert another_client.api("PUT", f"/api/v1/amendments/{amendment['id']}/vote", {"value": 1}).status_code == 200
    at(app, BALLOT)
    closed = another_client.api("PUT", f"/api/v1/amendments/{amendment['id']}/vote", {"value": -1})
    assert closed.status_code == 422 and closed.json["error"] == "phase_closed"


def test_drafter_accepts_an_amendment_into_a_new_version_and_pending_ones_are_carried_or_flagged(
        app, client, another_client):
    w = world(app)
    client.login("alex@example.org")
    first = propose(client, w.text, start=4, end=5, text="every month").json  # "monthly"
    later = propose(client, w.text, start=8, end=9, text="six", rationale="More in person.").json  # "four"
    clash = propose(client, w.text, start=3, end=5, text="gather monthly", rationale="Tone.").json
    other_clause = propose(client, w.text, clause="c2", start=9, end=10, text="two", rationale="Shorter.").json
    listed = client.get(f"/api/v1/proposals/{w.text.id}/amendments?status=conflicting").json
    assert {a["id"] for a in listed} == {first["id"], clash["id"]}
    page = client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert f'Conflicts with\n        <a href="#amendment-{clash["id"]}">' in page

    at(app, FINAL_DRAFTING)
    another_client.login("dana@example.org")
    response = another_client.post(f"/amendments/{first['id']}/disposition", {
        "decision": "accepted", "reason": "Clearer for members.", "next": f"/proposals/{w.text.id}"})
    assert response.status_code == 303
    page = another_client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert "The text is now at version 2" in page and "1 open amendment conflicted with it and is flagged" in page
    assert "The NCG should meet every month and at least four times" in page
    assert f"Shaped by <a href=\"#amendment-{first['id']}\">Amendment {first['id']} by Alex Moreno</a>" in page
    assert "Flagged for the drafters" in page

    rows = {a["id"]: a for a in client.get(f"/api/v1/proposals/{w.text.id}/amendments").json}
    assert (rows[later["id"]]["base_version"], rows[later["id"]]["start"]) == (2, 9)  # shifted past "every month"
    assert rows[other_clause["id"]]["base_version"] == 2
    assert rows[clash["id"]]["flag"]["by"] == f"amendment:{first['id']}" and rows[clash["id"]]["status"] == "pending"
    flagged = another_client.api("POST", f"/api/v1/amendments/{clash['id']}/disposition",
                                 {"decision": "accepted", "reason": "Try"})
    assert flagged.status_code == 409 and flagged.json["error"] == "amendment_flagged"

    accepted = another_client.api("POST", f"/api/v1/amendments/{later['id']}/disposition",
                                  {"decision": "accepted_as_modified", "reason": "Five is what groups asked for.",
                                   "modified_text": "five"})
    assert accepted.status_code == 200 and accepted.json["version"] == 3
    diff = client.get(f"/api/v1/proposals/{w.text.id}/diff?from=1&to=3").json
    c1 = diff["clauses"][0]
    assert c1["status"] == "changed"
    assert ["delete", "monthly"] in c1["ops"] and ["insert", "every month"] in c1["ops"] and ["insert", "five"] in c1["ops"]
    assert {s["ref"] for s in c1["sources"]} == {f"amendment:{first['id']}", f"amendment:{later['id']}"}
    side = client.get(f"/proposals/{w.text.id}/compare?from=1&to=3&view=side").get_data(as_text=True)
    assert "1 of 3 clauses differ between version 1 and version 3" in side
    assert f"Amendment {later['id']} by Alex Moreno" in side


def test_rejection_needs_a_reason_and_only_drafters_dispose(app, client, another_client):
    w = world(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    at(app, FINAL_DRAFTING)
    url = f"/api/v1/amendments/{amendment['id']}/disposition"
    assert client.api("POST", url, {"decision": "rejected", "reason": "Mine"}).status_code == 403
    another_client.login("dana@example.org")
    before = counts()
    missing = another_client.api("POST", url, {"decision": "rejected", "reason": "  "})
    assert missing.status_code == 422 and missing.json["error"] == "reason_missing"
    assert counts() == before
    rejected = another_client.api("POST", url, {"decision": "rejected", "reason": "Monthly is already clear."})
    assert rejected.json["amendment"]["status"] == "rejected" and rejected.json["version"] == 1
    page = client.get(f"/proposals/{w.text.id}?status=rejected").get_data(as_text=True)
    assert "Reason: Monthly is already clear." in page and "by Dana Drafter" in page
    again = another_client.api("POST", url, {"decision": "accepted", "reason": "Changed my mind"})
    assert again.status_code == 409
    closed = client.api("PUT", f"/api/v1/amendments/{amendment['id']}/vote", {"value": 1})
    assert closed.status_code == 403  # the author; and a disposed amendment takes no votes either


def test_drafting_and_leadership_amendments_follow_their_phases(app, client):
    w = world(app, state="draft", moment=DRAFTING)
    client.login("alex@example.org")
    refused = propose(client, w.text)
    assert refused.status_code == 403 and "drafters" in refused.json["message"]
    client.post("/logout")
    client.login("dana@example.org")
    made = propose(client, w.text)
    assert made.status_code == 201 and made.json["origin"] == "drafting"
    w.text.state = "final"
    factories.user("Priya Raman", roles=("leadership",), email="priya@example.org")
    db.session.commit()
    at(app, LEADERSHIP_ROUND)
    client.post("/logout")
    client.login("priya@example.org")
    made = propose(client, w.text, base_version=1, start=8, end=9, text="six")
    assert made.status_code == 201 and made.json["origin"] == "leadership"
    at(app, AMENDMENT_WINDOW)
    early = propose(client, w.text, start=10, end=11, text="each")
    assert early.status_code == 422 and "leadership round" in early.json["message"]


def test_drafters_compose_a_draft_from_submissions_with_provenance(app, client):
    w = world(app, moment=SUBMISSIONS)
    area = w.conv.areas[0]
    sheffield = factories.group("Sheffield")
    rep = factories.user("Sam Ellis", roles=("representative",), email="sam@example.org", group=sheffield)
    one = proposals.create_proposal(rep, w.conv.id, "Open selections", "Campaign for open selections.\n\nMeet monthly.",
                                    area.id, on_behalf_of_group=True)
    two = proposals.create_proposal(rep, w.conv.id, "Member policy", "Ballot all members on policy.\n\nPublish minutes.",
                                    area.id, on_behalf_of_group=True)
    lonely = factories.proposal(w.alex, w.conv, title="Unsupported idea", body="Something nobody backed.")
    at(app, DRAFTING)
    client.login("alex@example.org")
    assert client.get(f"/areas/{area.slug}/compose").status_code == 403
    client.post("/logout")
    client.login("dana@example.org")
    page = client.get(f"/areas/{area.slug}/compose").get_data(as_text=True)
    assert "Open selections" in page and "Member policy" in page
    response = client.post(f"/areas/{area.slug}/compose", {
        "title": "Selections and policy", "pick": [f"{one.id}:c1", f"{two.id}:c1", f"{two.id}:c2"]})
    assert response.status_code == 303
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    draft = client.get(f"/api/v1/proposals/{draft_id}").json
    assert draft["state"] == "draft" and draft["origin"] == "convention"
    assert [c["body"] for c in draft["version"]["clauses"]] == [
        "Campaign for open selections.", "Ballot all members on policy.", "Publish minutes."]
    assert [c["sources"] for c in draft["version"]["clauses"]] == [
        [f"submission:{one.id}"], [f"submission:{two.id}"], [f"submission:{two.id}"]]
    links = db.session.execute(select(CompositeSource.source_id, CompositeSource.clauses_taken)
                               .where(CompositeSource.composite_id == draft_id).order_by(CompositeSource.source_id)).all()
    assert links == [(one.id, 1), (two.id, 2)]
    assert [client.get(f"/api/v1/proposals/{p.id}").json["state"] for p in (one, two)] == ["merged_into"] * 2
    drafts = db.session.scalar(select(func.count()).select_from(ProposalVersion))
    refused = client.api("POST", "/api/v1/composites", {"area": area.id, "title": "With an unsupported idea", "picks": [
        {"proposal": lonely.id, "clause": "c1"}]})
    assert refused.status_code == 422 and refused.json["error"] == "transition_not_allowed"
    assert db.session.scalar(select(func.count()).select_from(ProposalVersion)) == drafts
    assert client.get(f"/api/v1/proposals/{lonely.id}").json["state"] == "submission"
    shown = client.get(f"/proposals/{draft_id}").get_data(as_text=True)
    assert "Shaped by <a href=\"/proposals/%d\">Submission “Open selections”</a>" % one.id in shown
    at(app, AMENDMENT_WINDOW)
    closed = client.api("POST", "/api/v1/composites", {"area": area.id, "title": "Late", "picks": [
        {"proposal": one.id, "clause": "c2"}]})
    assert closed.status_code == 422 and "drafting phase" in closed.json["message"]


def test_the_proposal_page_needs_as_many_queries_for_a_long_text_as_for_a_short_one(app, client, another_client):
    w = world(app)
    long_body = "\n\n".join(f"Clause number {i} says something about how members decide." for i in range(40))
    long = proposals.create_proposal(w.facilitator, w.conv.id, "Long text", long_body, w.conv.areas[0].id,
                                     origin="convention", state="interim")
    client.login("alex@example.org")
    another_client.login("bea@example.org")
    for text, n in ((w.text, 2), (long, 30)):
        for i in range(n):
            made = propose(client, text, clause=f"c{1 + i % 3}", start=0, end=1, text=f"Word{i}", rationale=f"Why {i}")
            another_client.api("PUT", f"/api/v1/amendments/{made.json['id']}/vote", {"value": 1})
            client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": f"Comment {i}", "clause": "c1"})
            client.api("POST", f"/api/v1/proposals/{text.id}/clarifications", {"question": f"Question {i}?"})
    queries = []
    for text in (w.text, long):
        with count_queries() as seen:
            response = another_client.get(f"/proposals/{text.id}?status=all")
        assert response.status_code == 200
        queries.append(seen.count)
    print("queries per page", queries)
    assert queries[0] == queries[1], queries
    assert queries[0] <= 40  # the amendment, discussion and tracker boxes, each in a fixed number


def test_a_leadership_amendment_can_still_be_decided_after_the_round_until_the_text_is_on_the_ballot(app, client):
    """The ballot waits for the assembly's decision on each leadership amendment, and the leadership
    may amend until its round closes, so the decision must still be possible after the round."""
    w = world(app)
    client.login("alex@example.org")
    member = propose(client, w.text)
    assert member.status_code == 201
    w.text.state = "final"
    factories.user("Priya Raman", roles=("leadership",), email="priya@example.org")
    db.session.commit()
    at(app, LEADERSHIP_ROUND)
    client.post("/logout")
    client.login("priya@example.org")
    led = propose(client, w.text, start=8, end=9, text="six", rationale="Quarterly is enough.")
    assert led.status_code == 201 and led.json["origin"] == "leadership"
    at(app, BALLOT)  # the round has closed; the text is not on the ballot yet
    client.post("/logout")
    client.login("dana@example.org")
    page = client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
    assert f'action="/amendments/{led.json["id"]}/disposition"' in page
    late_member = client.api("POST", f"/api/v1/amendments/{member.json['id']}/disposition",
                             {"decision": "rejected", "reason": "Too late."})
    assert late_member.status_code == 422 and late_member.json["error"] == "phase_closed"
    decided = client.api("POST", f"/api/v1/amendments/{led.json['id']}/disposition",
                         {"decision": "accepted", "reason": "The assembly agrees."})
    assert decided.status_code == 200 and decided.json["version"] == 2
    assert "at least six times a year" in client.get(f"/proposals/{w.text.id}").get_data(as_text=True)
