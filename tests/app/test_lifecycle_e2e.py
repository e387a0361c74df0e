"""One text from submission to a final proposal on the ballot, through the HTTP API only."""
from tests.lifecycle_helpers import lifecycle_convention


def _tracker(client, text_id):
    return client.get(f"/api/v1/proposals/{text_id}/tracker").json


def _relogin(client, email):
    client.post("/logout")
    client.login(email)


def _amend(client, text_id, base_version, clause, start, end, text, rationale):
    return client.api("POST", f"/api/v1/proposals/{text_id}/amendments",
                      {"kind": "replace_words", "clause": clause, "start": start, "end": end, "text": text,
                       "rationale": rationale, "base_version": base_version})


def _dispose(client, amendment_id, decision, reason, **extra):
    return client.api("POST", f"/api/v1/amendments/{amendment_id}/disposition",
                      {"decision": decision, "reason": reason, **extra})


def _clauses(client, text_id):
    version = client.get(f"/api/v1/proposals/{text_id}").json["version"]
    return version["number"], [c["body"] for c in version["clauses"]]


def test_a_submission_travels_to_the_ballot_and_the_tracker_explains_every_step(app, client, another_client):
    conv, dates, people, clock = lifecycle_convention(app)
    area = conv.areas[0].id

    # Submissions window: the administrator sets the threshold, a member submits, three support.
    clock.at("submissions", days=1)
    client.login("admin@example.org")
    settings = {"name": conv.name, "timezone": "Europe/London", "support_threshold": "3", "quorum_fraction": "0.5",
                "agreement_threshold": "0.75", "blocks_stop": "y", "silent_counts": "y"}
    assert client.post("/admin/convention/settings", settings).status_code == 303
    another_client.login("alex@example.org")
    created = another_client.api("POST", "/api/v1/proposals",
                                 {"title": "Open selections", "area": area,
                                  "body": "Campaign for open selections.\n\nMeet monthly."})
    assert created.status_code == 201
    text_id = created.json["id"]
    state = _tracker(client, text_id)
    assert state["state"] == "submission"
    assert state["explanation"] == ("Submission since 2 Jan 2030; 0 of the 3 supporting members it needs, "
                                    "3 more needed; the submissions window closes 21 Jan 2030.")
    own = another_client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    assert own.status_code == 403
    for n in (1, 2, 3):
        _relogin(client, f"s{n}@example.org")
        support = client.api("POST", f"/api/v1/proposals/{text_id}/supports")
        assert support.status_code == 201 and support.json["supports"] == n
    twice = client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    assert twice.status_code == 409 and twice.json["error"] == "already_supported"
    assert "3 of the 3 supporting members it needs, so it is eligible" in _tracker(client, text_id)["explanation"]

    # Drafting: the window's close is recorded; the assembly composites the submission into a draft,
    # which moves the submission to "merged into" in the same step.
    clock.at("drafting", days=1)
    _relogin(client, "admin@example.org")
    assert client.api("POST", "/api/v1/lifecycle/close-phases").json["recorded"] >= 1
    assert client.api("POST", "/api/v1/lifecycle/close-phases").json["recorded"] == 0
    picks = {"area": area, "title": "Selections and democracy",
             "picks": [{"proposal": text_id, "clause": "c1"}, {"proposal": text_id, "clause": "c2"}]}
    not_a_drafter = another_client.api("POST", "/api/v1/composites", picks)
    assert not_a_drafter.status_code == 403
    assert _tracker(client, text_id)["state"] == "submission"  # a refused composite merges nothing
    _relogin(client, "jo@example.org")
    composed = client.api("POST", "/api/v1/composites", picks)
    assert composed.status_code == 201
    assert (composed.json["state"], composed.json["origin"], composed.json["current_version"]) == (
        "draft", "convention", 1)
    assert [c["sources"] for c in composed.json["version"]["clauses"]] == [[f"submission:{text_id}"]] * 2
    composite = composed.json["id"]
    merged = _tracker(client, text_id)
    assert merged["state"] == "merged_into"
    assert merged["explanation"] == (
        f"Merged into composite text #{composite} on 22 Jan 2030; follow that text for its progress.")
    assert [(t["from"], t["to"], t["source"]) for t in merged["history"] if t["from"] != t["to"]][-1] == (
        "submission", "merged_into", "composite")
    again = client.api("POST", f"/api/v1/proposals/{text_id}/merge", {"composite": composite})
    assert again.status_code == 422 and "nothing can change it any more" in again.json["message"]
    assert _tracker(client, composite)["explanation"] == (
        "Draft since 22 Jan 2030; no consensus check has been held yet; drafting closes 31 Jan 2030.")

    # A consensus check with a block keeps the draft; a second reaches consensus.
    checks = f"/api/v1/proposals/{composite}/consensus-checks"
    blocked = client.api("POST", checks, {"responses": {"agree": 7, "reservations": 1, "block": 1}, "seated": 10,
                                          "present": 9, "reasons": ["It names no date for the first selection."]})
    assert blocked.status_code == 201 and blocked.json["to"] == "draft"
    assert _tracker(client, composite)["explanation"].startswith(
        "Draft since 22 Jan 2030; last consensus check: No consensus: 1 member blocked")
    clock.at("drafting", days=3)
    agreed = client.api("POST", checks, {"responses": {"agree": 8, "reservations": 1, "stand_aside": 1},
                                         "seated": 10, "present": 10})
    assert agreed.json["to"] == "consensus" and agreed.json["evidence"]["reached"] is True
    assert _tracker(client, composite)["explanation"] == (
        "Agreed by consensus on 24 Jan 2030; it will be published as an interim proposal for members to amend; "
        "the amendment window opens 31 Jan 2030.")

    # The amendment window: published as an interim proposal, three members amend it.
    clock.at("amendment_window")
    assert client.api("POST", f"/api/v1/proposals/{composite}/publish-interim").json["to"] == "interim"
    assert _tracker(client, composite)["explanation"] == (
        "Interim since 31 Jan 2030; no amendments proposed yet; the amendment window closes 10 Feb 2030.")
    clock.at("amendment_window", days=2)
    wanted = [("s1", "c1", 0, 1, "Organise", "A stronger verb."),
              ("s2", "c2", 1, 2, "every week.", "Monthly is too slow."),
              ("s3", "c1", 1, 4, "against selections.", "Selections divide local groups.")]
    amendments = []
    for who, clause, start, end, text, rationale in wanted:
        _relogin(client, f"{who}@example.org")
        made = _amend(client, composite, 1, clause, start, end, text, rationale)
        assert made.status_code == 201, made.json
        assert (made.json["origin"], made.json["status"], made.json["author"]["name"]) == (
            "member", "pending", people[who].name)
        amendments.append(made.json["id"])
    interim = _tracker(client, composite)
    assert (interim["amendments"], interim["amendments_undisposed"]) == (3, 3)
    assert interim["explanation"] == (
        "Interim since 31 Jan 2030; 3 amendments proposed, 3 still without a disposition; "
        "the amendment window closes 10 Feb 2030.")

    # Final drafting: no final check while amendments wait for a disposition; nothing changes.
    clock.at("final_drafting", days=1)
    _relogin(client, "jo@example.org")
    assert _tracker(client, composite)["explanation"] == (
        "Interim since 31 Jan 2030; 3 amendments proposed, 3 still without a disposition; "
        "the amendment window closed 10 Feb 2030; "
        "the assembly must give each amendment a disposition before its final consensus check.")
    late = _amend(client, composite, 1, "c2", 0, 1, "Gather", "Too late.")
    assert late.status_code == 422 and late.json["error"] == "phase_closed", late.json
    before = len(_tracker(client, composite)["history"])
    early = client.api("POST", checks, {"responses": {"agree": 9}, "seated": 10, "present": 9})
    assert early.status_code == 422 and early.json["error"] == "transition_not_allowed"
    assert "a disposition on every amendment, and 3 amendments still have none" in early.json["message"]
    assert len(_tracker(client, composite)["history"]) == before  # a refused check leaves no trace
    assert _tracker(client, composite)["state"] == "interim"
    no_reason = _dispose(client, amendments[0], "accepted", " ")
    assert no_reason.status_code == 422 and no_reason.json["error"] == "reason_missing"

    accepted = _dispose(client, amendments[0], "accepted", "Clearer.")
    assert accepted.status_code == 200 and accepted.json["version"] == 2
    assert sorted(accepted.json["carried"]) == sorted(amendments[1:]) and accepted.json["flagged"] == []
    assert _tracker(client, composite)["explanation"] == (
        "Interim since 31 Jan 2030; 3 amendments proposed, 2 still without a disposition; "
        "the amendment window closed 10 Feb 2030; "
        "the assembly must give each amendment a disposition before its final consensus check.")
    modified = _dispose(client, amendments[1], "accepted_as_modified", "Kept the spirit, shorter words.",
                        modified_text="weekly.")
    assert modified.status_code == 200 and modified.json["version"] == 3
    assert modified.json["amendment"]["disposition"]["modified_text"] == "weekly."
    rejected = _dispose(client, amendments[2], "rejected", "Changes the meaning.")
    assert rejected.status_code == 200 and rejected.json["version"] == 3
    assert rejected.json["amendment"]["disposition"]["reason"] == "Changes the meaning."
    assert _clauses(client, composite) == (3, ["Organise for open selections.", "Meet weekly."])
    assert _tracker(client, composite)["explanation"] == (
        "Interim since 31 Jan 2030; 3 amendments proposed, 0 still without a disposition; "
        "the amendment window closed 10 Feb 2030; it waits for the assembly's final consensus check.")
    final = client.api("POST", checks, {"responses": {"agree": 9}, "seated": 10, "present": 9})
    assert final.json["to"] == "final"
    assert _tracker(client, composite)["explanation"] == (
        "Final since 11 Feb 2030; no leadership amendments; the leadership round opens 20 Feb 2030; "
        "nothing stands between it and the ballot but the calendar.")

    # The leadership round: a leadership amendment and a counter-proposal; not on the ballot yet.
    clock.at("leadership_round", days=1)
    member = _amend(another_client, composite, 3, "c2", 0, 1, "Gather", "One more idea.")
    assert member.status_code == 403 and member.json["error"] == "amendment_not_yours"
    _relogin(client, "ncg@example.org")
    stale = _amend(client, composite, 1, "c2", 1, 2, "quarterly.", "Monthly meetings strain small groups.")
    assert stale.status_code == 422
    led = _amend(client, composite, 3, "c2", 1, 2, "quarterly.", "Weekly meetings strain small groups.")
    assert led.status_code == 201 and led.json["origin"] == "leadership"
    leadership_amendment = led.json["id"]
    counter = client.api("POST", f"/api/v1/proposals/{composite}/counter-proposals",
                         {"title": "Selections by trigger ballot",
                          "body": "Keep trigger ballots, lower the threshold."})
    assert counter.status_code == 201 and counter.json["state"] == "final" and counter.json["counter_to"] == composite
    round_open = _tracker(client, composite)
    assert (round_open["leadership_amendments"], round_open["leadership_undecided"]) == (1, 1)
    assert round_open["explanation"] == (
        "Final since 11 Feb 2030; 1 leadership amendment, 1 still waiting for the assembly's decision; "
        "1 counter-proposal tabled; the leadership round closes 2 Mar 2030; "
        "it goes on the ballot once the assembly has decided on each.")
    _relogin(client, "jo@example.org")
    too_soon = client.api("POST", f"/api/v1/proposals/{composite}/place-on-ballot")
    assert too_soon.status_code == 422 and "the leadership round to close first" in too_soon.json["message"]

    # After the round: the leadership amendment must be decided before the ballot.
    clock.at("ballot", days=0.5)
    assert _tracker(client, composite)["explanation"] == (
        "Final since 11 Feb 2030; 1 leadership amendment, 1 still waiting for the assembly's decision; "
        "1 counter-proposal tabled; the leadership round closed 2 Mar 2030; "
        "it goes on the ballot once the assembly has decided on each.")
    undecided = client.api("POST", f"/api/v1/proposals/{composite}/place-on-ballot")
    assert undecided.status_code == 422
    assert undecided.json["message"] == (
        "This text is a final proposal; to go on the ballot it needs the assembly's decision on every leadership "
        "amendment and counter-proposal, and 1 still wait.")
    decided = _dispose(client, leadership_amendment, "rejected", "The assembly keeps its own wording.")
    assert decided.status_code == 200, decided.json
    assert _tracker(client, composite)["explanation"] == (
        "Final since 11 Feb 2030; 1 leadership amendment, 0 still waiting for the assembly's decision; "
        "1 counter-proposal tabled; the leadership round closed 2 Mar 2030; "
        "nothing stands between it and the ballot but the calendar.")
    placed = client.api("POST", f"/api/v1/proposals/{composite}/place-on-ballot")
    assert placed.status_code == 201 and placed.json["to"] == "on_ballot"
    result = _tracker(client, composite)
    assert result["state"] == "on_ballot"
    assert result["explanation"] == "On the ballot since 2 Mar 2030; the ballot closes 12 Mar 2030."
    moves = [(t["from"], t["to"]) for t in result["history"] if t["from"] != t["to"]]
    assert moves == [(None, "draft"), ("draft", "consensus"), ("consensus", "interim"), ("interim", "final"),
                     ("final", "on_ballot")]
    assert _clauses(client, composite) == (3, ["Organise for open selections.", "Meet weekly."])
    page = client.get(f"/proposals/{composite}").get_data(as_text=True)
    assert "On the ballot since 2 Mar 2030" in page and "Selections by trigger ballot" in page
