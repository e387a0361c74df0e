"""API endpoints of the lifecycle: the timeline, supports, the tracker's inputs and its record."""
from __future__ import annotations

from flask import jsonify

from forum.api.blueprint import bp, signed_in
from deliberation.errors import DomainError
from forum.api import validate as v
from forum.api.shapes import proposal_json, transition_json
from forum.services import notifications, proposals, tracker_pages, tracking





def tracked_json(item: tracker_pages.Tracked) -> dict:
    f = item.facts
    return {"id": item.proposal.id, "title": item.proposal.title, "state": item.state,
            "since": item.status.since.isoformat(), "explanation": item.explanation,
            "supports": item.status.supports, "support_threshold": f.support_threshold,
            "amendments": f.amendments_total, "amendments_undisposed": f.amendments_undisposed,
            "leadership_amendments": f.leadership_total, "leadership_undecided": f.leadership_undecided,
            "counter_proposals": f.counter_proposals}


@bp.get("/v1/timeline")
def get_timeline():
    page = tracker_pages.timeline_page(proposals.convention_by_slug())
    return jsonify({"timezone": page.tz, "now": page.now.isoformat(), "members_can": page.can_do,
                    "phases": [{"kind": p.kind.value, "label": p.label, "opens_at": p.opens_at.isoformat(),
                                "closes_at": p.closes_at.isoformat(), "status": p.status.value} for p in page.phases]})


@bp.get("/v1/progress")
def get_progress():
    board = tracker_pages.board(proposals.convention_by_slug())
    return jsonify([{"assembly": name, "counts": dict(board.counts[name]), "texts": [tracked_json(i) for i in items]}
                    for name, items in board.assemblies])


@bp.get("/v1/proposals/<int:proposal_id>/tracker")
def get_tracker(proposal_id: int):
    item = tracker_pages.track(proposal_id)
    return jsonify({**tracked_json(item), "history": [transition_json(t) for t in tracker_pages.history(proposal_id)]})


@bp.post("/v1/proposals/<int:proposal_id>/supports")
def support(proposal_id: int):
    return jsonify(tracking.support_submission(signed_in(), proposal_id).as_dict()), 201


def _check_counts(data: dict) -> dict[str, int]:
    responses = data.get("responses")
    if not isinstance(responses, dict):
        raise DomainError("field_invalid", "The field 'responses' must be an object of counts, e.g. "
                            "{\"agree\": 12, \"reservations\": 2, \"stand_aside\": 1, \"block\": 0}.",
                          field="responses")
    return responses


@bp.post("/v1/proposals/<int:proposal_id>/consensus-checks")
def consensus_check(proposal_id: int):
    data = v.body()
    reasons = data.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise DomainError("field_invalid", "The field 'reasons' must be a list of strings.", field="reasons")
    row = tracking.record_consensus_check(signed_in(), proposal_id, _check_counts(data), v.integer(data, "seated"),
                                          v.integer(data, "present"), reasons, "api")
    return jsonify(transition_json(row)), 201


@bp.post("/v1/proposals/<int:proposal_id>/take-into-drafting")
def take_into_drafting(proposal_id: int):
    return jsonify(transition_json(tracking.take_into_drafting(signed_in(), proposal_id, "api"))), 201


@bp.post("/v1/proposals/<int:proposal_id>/merge")
def merge(proposal_id: int):
    data = v.body()
    return jsonify(transition_json(
        tracking.merge_into(signed_in(), proposal_id, v.integer(data, "composite"), "api"))), 201


@bp.post("/v1/proposals/<int:proposal_id>/publish-interim")
def publish_interim(proposal_id: int):
    return jsonify(transition_json(tracking.publish_interim(signed_in(), proposal_id, "api"))), 201


@bp.post("/v1/proposals/<int:proposal_id>/place-on-ballot")
def place_on_ballot(proposal_id: int):
    return jsonify(transition_json(tracking.place_on_ballot(signed_in(), proposal_id, "api"))), 201


@bp.post("/v1/proposals/<int:proposal_id>/counter-proposals")
def counter_proposal(proposal_id: int):
    data = v.body()
    counter = tracking.table_counter_proposal(signed_in(), proposal_id, v.string(data, "title", max_length=200),
                                              v.string(data, "body", max_length=200_000), "api")
    _, version = proposals.get_version(counter.id)
    return jsonify({**proposal_json(counter, version), "counter_to": counter.counter_to_id}), 201


@bp.post("/v1/lifecycle/close-phases")
def close_phases():
    return jsonify({"recorded": tracking.close_phases_by(signed_in())})


@bp.put("/v1/proposals/<int:proposal_id>/follow")
def follow(proposal_id: int):
    return jsonify({"following": notifications.follow(signed_in(), proposal_id, True)})


@bp.delete("/v1/proposals/<int:proposal_id>/follow")
def unfollow(proposal_id: int):
    return jsonify({"following": notifications.follow(signed_in(), proposal_id, False)})


@bp.get("/v1/notifications")
def list_notifications():
    user = signed_in()
    return jsonify({"unread": notifications.unread_count(user),
                    "notifications": [{"id": n.id, "kind": n.kind, "message": n.message, "url": n.url,
                                       "text": n.proposal_id, "created_at": n.created_at.isoformat(),
                                       "read": n.read_at is not None} for n in notifications.listing(user)]})
