import re

from tests import factories


def _setup():
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    return conv, alex


def test_framework_lists_areas_topics_and_their_proposals(client):
    conv, alex = _setup()
    factories.proposal(alex, conv, title="Open selections for all")
    home = client.get("/").get_data(as_text=True)
    assert "Politics and People" in home and "Power and Participation" in home and "Ethics" in home
    area = client.get("/areas/politics-and-people").get_data(as_text=True)
    assert "Open selections for all" in area
    assert "Open selections for all" not in client.get("/areas/power-and-participation").get_data(as_text=True)


def test_search_finds_proposals_by_every_word(client):
    conv, alex = _setup()
    factories.proposal(alex, conv, title="Regional offices", body="Open small regional offices across the country.")
    factories.proposal(alex, conv, title="Childcare", body="Support groups to provide childcare at meetings.")
    page = client.get("/proposals?q=regional+country").get_data(as_text=True)
    assert "Regional offices" in page and "Childcare" not in page
    assert "Childcare" in client.get("/proposals?q=CHILDCARE").get_data(as_text=True)
    assert "No proposals match" in client.get("/proposals?q=100%25_nothing").get_data(as_text=True)


def test_a_member_submits_a_proposal_and_reads_it_as_numbered_clauses(client):
    conv, alex = _setup()
    client.login("alex@example.org")
    topic = conv.areas[1].topics[0]
    response = client.post("/proposals/new", {"title": "Local groups first", "area": conv.areas[1].id,
                                              "topics": [topic.id],
                                              "body": "Groups get their members' data.\n\n"
                                                      "1. A fund.\n2. A key contact."})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    clauses = re.findall(r'<li id="clause-(c\d+)" class="clause" value="(\d+)">', page)
    assert clauses == [("c1", "1"), ("c2", "2"), ("c3", "3")]
    assert "A key contact." in page and "Local Groups" in page


def test_an_empty_or_oversized_proposal_gets_a_clear_message(client):
    conv, alex = _setup()
    client.login("alex@example.org")
    empty = client.post("/proposals/new", {"title": "Nothing", "area": conv.areas[0].id, "body": "   \n\n  "})
    assert empty.status_code == 422
    huge = client.post("/proposals/new", {"title": "T" * 201, "area": conv.areas[0].id, "body": "Words."})
    assert huge.status_code == 422 and "200 characters" in huge.get_data(as_text=True)


def test_editing_makes_a_new_version_and_keeps_clause_discussions(client):
    conv, alex = _setup()
    proposal = factories.proposal(alex, conv)
    client.login("alex@example.org")
    client.post(f"/proposals/{proposal.id}/comments", {"body": "About meeting monthly", "clause": "c3"})
    response = client.post(f"/proposals/{proposal.id}/edit", {
        "title": "Open selections", "base_version": 1, "note": "Added a preamble",
        "body": "A preamble.\n\nCampaign for open selections.\n\nBallot all members on policy.\n\nMeet every month."})
    assert response.status_code == 303
    history = client.get(f"/proposals/{proposal.id}/history").get_data(as_text=True)
    assert "Version 2" in history and "Version 1" in history and "Added a preamble" in history
    v1 = client.get(f"/proposals/{proposal.id}/versions/1").get_data(as_text=True)
    assert "Meet monthly." in v1 and "A preamble." not in v1
    clause = client.get(f"/proposals/{proposal.id}/clauses/c3").get_data(as_text=True)
    assert "Meet every month." in clause and "About meeting monthly" in clause
    assert "Clause 4" in clause  # the same clause, renumbered after the insertion


def test_saving_over_a_newer_version_is_refused_and_the_text_kept(client):
    conv, alex = _setup()
    proposal = factories.proposal(alex, conv)
    client.login("alex@example.org")
    client.post(f"/proposals/{proposal.id}/edit", {"title": "Open selections", "base_version": 1,
                                                   "body": "First edit."})
    stale = client.post(f"/proposals/{proposal.id}/edit", {"title": "Open selections", "base_version": 1,
                                                           "body": "My stale edit."})
    assert stale.status_code == 422
    page = stale.get_data(as_text=True)
    assert "saved version 2 while you were editing" in page and "My stale edit." in page


def test_another_member_cannot_edit_a_proposal(client, another_client):
    conv, alex = _setup()
    factories.user("Bea Hughes", email="bea@example.org")
    proposal = factories.proposal(alex, conv)
    another_client.login("bea@example.org")
    assert another_client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    api = another_client.api("PUT", f"/api/v1/proposals/{proposal.id}",
                             {"title": "Hijacked", "body": "Mine now.", "base_version": 1})
    assert api.status_code == 403 and api.json["error"] == "not_allowed"
    assert "Hijacked" not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_unknown_ids_are_404_pages_not_errors(client):
    _setup()
    assert client.get("/proposals/999").status_code == 404
    assert client.get("/proposals/999/clauses/c1").status_code == 404
    assert client.get("/areas/nowhere").status_code == 404
    assert client.get("/api/v1/proposals/999").json["error"] == "proposal_not_found"
