"""One text from submission to a final proposal on the ballot, through the HTTP API."""
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Amendment, Transition
from forum.services import proposals
from tests.lifecycle_helpers import lifecycle_convention


def _tracker(client, text_id):
    return client.get(f"/api/v1/proposals/{text_id}/tracker").json


def _amend(text_id, author, origin="member"):
    row = Amendment(proposal_id=text_id, base_version=1, kind="replace_words", origin=origin, clause_key="c1",
                    start=0, end=1, text="Organise", rationale="Clearer.", author_id=author.id)
    db.session.add(row)
    db.session.commit()
    return row


def _dispose(row, status, reason):
    row.status, row.disposition_reason = status, reason
    db.session.commit()


def test_a_submission_travels_to_the_ballot_and_the_tracker_explains_every_step(app, client, another_client):
    """Drives the tracker through its own endpoints. Compositing and amendment dispositions belong to the
    amendments work (issue 4): here the composite is created with the proposals service and amendments and
    their dispositions are written through the ORM; the lead switches those steps to the amendment API
    after merging."""
    conv, dates, people, clock = lifecycle_convention(app)
    area = conv.areas[0].id

    # Submissions window: the administrator sets the threshold, a member submits, three support.
    clock.at("submissions", days=1)
    client.login("admin@example.org")
    settings = {"name": conv.name, "timezone": "Europe/London", "support_threshold": "3", "quorum_fraction": "0.5",
                "agreement_threshold": "0.75", "blocks_stop": "y"}
    assert client.post("/admin/convention/settings", settings).status_code == 303
    another_client.login("alex@example.org")
    created = another_client.api("POST", "/api/v1/proposals", {"title": "Open selections", "area": area,
                                                               "body": "Campaign for open selections.\n\nMeet monthly."})
    assert created.status_code == 201
    text_id = created.json["id"]
    state = _tracker(client, text_id)
    assert state["state"] == "submission"
    assert state["explanation"] == ("Submission since 2 Jan 2030; 0 of the 3 supporting members it needs, 3 more needed; "
                                    "the submissions window closes 21 Jan 2030.")
    own = another_client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    assert own.status_code == 403
    for n in (1, 2, 3):
        client.post("/logout")
        client.login(f"s{n}@example.org")
        support = client.api("POST", f"/api/v1/proposals/{text_id}/supports")
        assert support.status_code == 201 and support.json["supports"] == n
    twice = client.api("POST", f"/api/v1/proposals/{text_id}/supports")
    assert twice.status_code == 409 and twice.json["error"] == "already_supported"
    assert "3 of the 3 supporting members it needs, so it is eligible" in _tracker(client, text_id)["explanation"]

    # Drafting: the window's close is recorded; the assembly merges the submission into its composite.
    clock.at("drafting", days=1)
    client.post("/logout")
    client.login("admin@example.org")
    assert client.api("POST", "/api/v1/lifecycle/close-phases").json["recorded"] >= 1
    assert client.api("POST", "/api/v1/lifecycle/close-phases").json["recorded"] == 0
    composite = proposals.create_proposal(people["facilitator"], conv.id, "Selections and democracy",
                                          "Campaign for open selections in the party.\n\nMeet monthly.", area,
                                          origin="convention", state="draft")
    client.post("/logout")
    client.login("jo@example.org")
    merged = client.api("POST", f"/api/v1/proposals/{text_id}/merge", {"composite": composite.id})
    assert merged.status_code == 201 and merged.json["to"] == "merged_into"
    assert _tracker(client, text_id)["explanation"] == (
        f"Merged into composite text #{composite.id} on 22 Jan 2030; follow that text for its progress.")

    # A consensus check with a block keeps the draft; a second reaches consensus.
    checks = f"/api/v1/proposals/{composite.id}/consensus-checks"
    blocked = client.api("POST", checks, {"responses": {"agree": 7, "reservations": 1, "block": 1}, "seated": 10,
                                          "present": 9, "reasons": ["It names no date for the first selection."]})
    assert blocked.status_code == 201 and blocked.json["to"] == "draft"
    assert _tracker(client, composite.id)["explanation"].startswith(
        "Draft since 22 Jan 2030; last consensus check: No consensus: 1 member blocked")
    clock.at("drafting", days=3)
    agreed = client.api("POST", checks, {"responses": {"agree": 8, "reservations": 1, "stand_aside": 1},
                                         "seated": 10, "present": 10})
    assert agreed.json["to"] == "consensus" and agreed.json["evidence"]["reached"] is True
    assert _tracker(client, composite.id)["explanation"] == (
        "Agreed by consensus on 24 Jan 2030; it will be published as an interim proposal for members to amend; "
        "the amendment window opens 31 Jan 2030.")

    # The amendment window: published as an interim proposal, members amend.
    clock.at("amendment_window")
    assert client.api("POST", f"/api/v1/proposals/{composite.id}/publish-interim").json["to"] == "interim"
    assert _tracker(client, composite.id)["explanation"] == (
        "Interim since 31 Jan 2030; no amendments proposed yet; the amendment window closes 10 Feb 2030.")
    clock.at("amendment_window", days=2)
    amendments = [_amend(composite.id, people[f"s{n}"]) for n in (1, 2, 3)]
    assert _tracker(client, composite.id)["explanation"] == (
        "Interim since 31 Jan 2030; 3 amendments proposed, 3 still without a disposition; "
        "the amendment window closes 10 Feb 2030.")

    # Final drafting: no final check while amendments wait for a disposition; nothing changes.
    clock.at("final_drafting", days=1)
    before = db.session.scalar(select(func.count()).select_from(Transition).where(Transition.proposal_id == composite.id))
    early = client.api("POST", checks, {"responses": {"agree": 9}, "seated": 10, "present": 9})
    assert early.status_code == 422 and early.json["error"] == "transition_not_allowed"
    assert "a disposition on every amendment, and 3 amendments still have none" in early.json["message"]
    after = db.session.scalar(select(func.count()).select_from(Transition).where(Transition.proposal_id == composite.id))
    assert after == before  # a refused check leaves no trace
    assert _tracker(client, composite.id)["state"] == "interim"
    _dispose(amendments[0], "accepted", "Clearer.")
    _dispose(amendments[1], "accepted_as_modified", "Kept the spirit, shorter words.")
    _dispose(amendments[2], "rejected", "Changes the meaning.")
    final = client.api("POST", checks, {"responses": {"agree": 9}, "seated": 10, "present": 9})
    assert final.json["to"] == "final"
    assert _tracker(client, composite.id)["explanation"] == (
        "Final since 11 Feb 2030; no leadership amendments; the leadership round opens 20 Feb 2030; "
        "nothing stands between it and the ballot but the calendar.")

    # The leadership round: a leadership amendment and a counter-proposal; not on the ballot yet.
    clock.at("leadership_round", days=1)
    leadership_amendment = _amend(composite.id, people["leadership"], origin="leadership")
    client.post("/logout")
    client.login("ncg@example.org")
    counter = client.api("POST", f"/api/v1/proposals/{composite.id}/counter-proposals",
                         {"title": "Selections by trigger ballot", "body": "Keep trigger ballots, lower the threshold."})
    assert counter.status_code == 201 and counter.json["state"] == "final" and counter.json["counter_to"] == composite.id
    assert _tracker(client, composite.id)["explanation"] == (
        "Final since 11 Feb 2030; 1 leadership amendment, 1 still waiting for the assembly's decision; "
        "1 counter-proposal tabled; the leadership round closes 2 Mar 2030; "
        "it goes on the ballot once the assembly has decided on each.")
    client.post("/logout")
    client.login("jo@example.org")
    too_soon = client.api("POST", f"/api/v1/proposals/{composite.id}/place-on-ballot")
    assert too_soon.status_code == 422 and "the leadership round to close first" in too_soon.json["message"]

    # After the round: the leadership amendment must be decided before the ballot.
    clock.at("ballot", days=0.5)
    undecided = client.api("POST", f"/api/v1/proposals/{composite.id}/place-on-ballot")
    assert undecided.status_code == 422
    assert "the assembly's decision on every leadership amendment and counter-proposal" in undecided.json["message"]
    _dispose(leadership_amendment, "rejected", "The assembly keeps its own wording.")
    placed = client.api("POST", f"/api/v1/proposals/{composite.id}/place-on-ballot")
    assert placed.status_code == 201 and placed.json["to"] == "on_ballot"
    result = _tracker(client, composite.id)
    assert result["state"] == "on_ballot"
    assert result["explanation"] == "On the ballot since 2 Mar 2030; the ballot closes 12 Mar 2030."
    moves = [(t["from"], t["to"]) for t in result["history"] if t["from"] != t["to"]]
    assert moves == [(None, "draft"), ("draft", "consensus"), ("consensus", "interim"), ("interim", "final"), ("final", "on_ballot")]
    page = client.get(f"/proposals/{composite.id}").get_data(as_text=True)
    assert "On the ballot since 2 Mar 2030" in page and "Selections by trigger ballot" in page
