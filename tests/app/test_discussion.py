from tests import factories


def _text():
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    bea = factories.user("Bea Hughes", email="bea@example.org")
    return conv, alex, bea, factories.proposal(alex, conv)


def test_threaded_comments_on_a_clause_with_replies_to_replies(client, another_client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    another_client.login("bea@example.org")
    first = client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "Why monthly?", "clause": "c3"}).json
    reply = another_client.api("POST", f"/api/v1/proposals/{proposal.id}/comments",
                               {"body": "Because quarterly is too slow.", "parent": first["id"]}).json
    client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "Fair point.", "parent": reply["id"]})
    threads = client.get(f"/api/v1/proposals/{proposal.id}/comments?clause=c3").json
    assert threads[0]["body"] == "Why monthly?"
    assert threads[0]["replies"][0]["replies"][0]["body"] == "Fair point."
    assert reply["clause"] == "c3"  # a reply stays with its clause
    page = client.get(f"/proposals/{proposal.id}/clauses/c3").get_data(as_text=True)
    assert page.index("Why monthly?") < page.index("Because quarterly") < page.index("Fair point.")


def test_edited_comment_says_edited_and_deleted_one_leaves_a_tombstone(client, another_client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    another_client.login("bea@example.org")
    parent = client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "Orginal typo"}).json
    another_client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "A reply", "parent": parent["id"]})
    client.post(f"/comments/{parent['id']}/edit", {"body": "Original, fixed"})
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Original, fixed" in page and ">edited<" in page
    client.post(f"/comments/{parent['id']}/delete")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "This comment was deleted." in page and "Original, fixed" not in page and "A reply" in page


def test_members_cannot_edit_or_delete_others_comments_but_moderators_can_delete(client, another_client):
    conv, alex, bea, proposal = _text()
    factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org")
    client.login("alex@example.org")
    comment = client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "My words"}).json
    another_client.login("bea@example.org")
    edit = another_client.api("PUT", f"/api/v1/comments/{comment['id']}", {"body": "Your words"})
    assert edit.status_code == 403
    assert another_client.api("DELETE", f"/api/v1/comments/{comment['id']}").status_code == 403
    assert another_client.post(f"/comments/{comment['id']}/edit", {"body": "Your words"}).status_code == 403
    another_client.post("/logout")
    another_client.login("jo@example.org")
    deleted = another_client.api("DELETE", f"/api/v1/comments/{comment['id']}")
    assert deleted.status_code == 200 and deleted.json["deleted"] is True


def test_clarification_is_answered_by_the_proposer_only(client, another_client):
    conv, alex, bea, proposal = _text()
    another_client.login("bea@example.org")
    asked = another_client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications",
                               {"question": "Monthly in person?", "clause": "c3"})
    assert asked.status_code == 201
    cid = asked.json["id"]
    refused = another_client.api("POST", f"/api/v1/clarifications/{cid}/answer", {"answer": "I decide"})
    assert refused.status_code == 403
    client.login("alex@example.org")
    answered = client.api("POST", f"/api/v1/clarifications/{cid}/answer", {"answer": "Online is fine."})
    assert answered.json["answer"] == "Online is fine."
    assert "Online is fine." in client.get(f"/proposals/{proposal.id}/clauses/c3").get_data(as_text=True)


def test_one_vote_per_member_changeable_and_withdrawable(client, another_client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    cid = client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "What counts as a group?"}).json["id"]
    another_client.login("bea@example.org")
    url = f"/api/v1/clarifications/{cid}/vote"
    assert another_client.api("PUT", url, {"value": 1}).json["score"] == 1
    twice = another_client.api("PUT", url, {"value": 1})
    assert twice.status_code == 422 and twice.json["error"] == "vote_unchanged"
    assert another_client.api("PUT", url, {"value": -1}).json == {"id": cid, "score": -1, "ups": 0, "downs": 1, "mine": -1}
    assert another_client.api("DELETE", url).json["score"] == 0
    nothing = another_client.api("DELETE", url)
    assert nothing.status_code == 422 and nothing.json["error"] == "vote_unchanged"


def test_members_cannot_vote_on_their_own_clarification(client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    cid = client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "Mine?"}).json["id"]
    own = client.api("PUT", f"/api/v1/clarifications/{cid}/vote", {"value": 1})
    assert own.status_code == 403 and "own clarification" in own.json["message"]


def test_clarifications_sort_by_score(client, another_client):
    conv, alex, bea, proposal = _text()
    carol = factories.user("Carol King", email="carol@example.org")
    another_client.login("bea@example.org")
    low = another_client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "Low one"}).json["id"]
    high = another_client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "High one"}).json["id"]
    client.login("alex@example.org")
    client.api("PUT", f"/api/v1/clarifications/{high}/vote", {"value": 1})
    client.api("PUT", f"/api/v1/clarifications/{low}/vote", {"value": -1})
    assert carol.id
    questions = [c["question"] for c in client.get(f"/api/v1/proposals/{proposal.id}/clarifications").json]
    assert questions == ["High one", "Low one"]
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert page.index("High one") < page.index("Low one")


def test_vote_form_works_without_javascript(client, another_client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    cid = client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "Plain form?"}).json["id"]
    another_client.login("bea@example.org")
    response = another_client.post(f"/clarifications/{cid}/vote", {"value": "1", "next": f"/proposals/{proposal.id}"})
    assert response.status_code == 303
    page = another_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your vote is counted." in page and 'aria-pressed="true">Vote up' in page


def test_bad_input_gets_a_clear_4xx(client):
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    base = f"/api/v1/proposals/{proposal.id}"
    cases = [
        client.client.post(base + "/comments", data="{not json", content_type="application/json",
                           headers={"X-CSRFToken": client.csrf()}),
        client.api("POST", base + "/comments", {"body": ""}),
        client.api("POST", base + "/comments", {"body": "x" * 5001}),
        client.api("POST", base + "/comments", {"body": 12}),
        client.api("POST", base + "/comments", {"body": "On a clause from nowhere", "clause": "c99"}),
        client.api("POST", base + "/comments", {"body": "Reply to nothing", "parent": 99999}),
        client.api("POST", base + "/clarifications", {"question": None}),
        client.api("PUT", "/api/v1/clarifications/99999/vote", {"value": 1}),
        client.api("PUT", "/api/v1/clarifications/1/vote", {"value": 5}),
        client.api("PUT", "/api/v1/clarifications/1/vote", {"value": True}),
        client.api("POST", "/api/v1/proposals", {"title": "No body", "area": conv.areas[0].id}),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.get_data(as_text=True)
        assert response.json["error"] and response.json["message"]
    assert client.get(base + "/comments").json == []


def test_score_changes_reach_other_readers_over_socketio(app, client, another_client):
    from forum.extensions import socketio
    conv, alex, bea, proposal = _text()
    client.login("alex@example.org")
    cid = client.api("POST", f"/api/v1/proposals/{proposal.id}/clarifications", {"question": "Live?"}).json["id"]
    watcher = socketio.test_client(app, flask_test_client=client.client)
    stranger = socketio.test_client(app, flask_test_client=client.client)
    assert watcher.emit("follow_text", {"text": proposal.id}, callback=True) == {"ok": True, "room": f"text:{proposal.id}"}
    assert stranger.emit("follow_text", {"text": "nope"}, callback=True)["error"] == "payload_invalid"
    another_client.login("bea@example.org")
    another_client.api("PUT", f"/api/v1/clarifications/{cid}/vote", {"value": 1})
    scored = [m for m in watcher.get_received() if m["name"] == "clarification_scored"]
    assert scored and scored[-1]["args"][0] == {"id": cid, "score": 1, "ups": 1, "downs": 0}
    assert not [m for m in stranger.get_received() if m["name"] == "clarification_scored"]
