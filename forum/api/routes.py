"""API endpoints. Each parses its input, calls one service and returns plain JSON."""
from __future__ import annotations

from flask import jsonify, render_template, request

from forum.api.blueprint import bp, signed_in
from forum.api import validate as v
from forum.api.openapi import spec
from forum.api.shapes import clarification_json, comment_json, proposal_json, thread_json, user_json, version_json
from deliberation.errors import DomainError
from forum.services import accounts, directory, discussion, proposals



@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", spec=spec())


@bp.get("/v1/me")
def me():
    return jsonify(user_json(signed_in(), private=True))


@bp.get("/v1/areas")
def areas():
    convention = proposals.convention_by_slug()
    counts = proposals.proposal_counts(convention.id)
    return jsonify([{"id": a.id, "slug": a.slug, "name": a.name, "description": a.description,
                     "proposals": counts.get(a.id, 0),
                     "topics": [{"id": t.id, "slug": t.slug, "name": t.name} for t in a.topics]}
                    for a in convention.areas])


@bp.get("/v1/proposals")
def list_proposals():
    convention = proposals.convention_by_slug()
    items = proposals.search(convention.id, request.args.get("q", "")[:200],
                             area_id=request.args.get("area", type=int),
                             topic_id=request.args.get("topic", type=int), limit=200)
    return jsonify([proposal_json(p) for p in items])


@bp.post("/v1/proposals")
def create_proposal():
    data = v.body()
    convention = proposals.convention_by_slug()
    proposal = proposals.create_proposal(
        signed_in(), convention.id, v.string(data, "title", max_length=200), v.string(data, "body", max_length=200_000),
        v.integer(data, "area"), v.integers(data, "topics"), v.boolean(data, "on_behalf_of_group"))
    _, version = proposals.get_version(proposal.id)
    return jsonify(proposal_json(proposal, version)), 201


@bp.get("/v1/proposals/<int:proposal_id>")
def get_proposal(proposal_id: int):
    proposal, version = proposals.get_version(proposal_id)
    return jsonify(proposal_json(proposal, version))


@bp.put("/v1/proposals/<int:proposal_id>")
def edit_proposal(proposal_id: int):
    data = v.body()
    proposal = proposals.edit_proposal(
        signed_in(), proposal_id, v.string(data, "title", max_length=200), v.string(data, "body", max_length=200_000),
        v.string(data, "note", required=False, max_length=500), v.integer(data, "base_version"))
    _, version = proposals.get_version(proposal.id)
    return jsonify(proposal_json(proposal, version))


@bp.get("/v1/proposals/<int:proposal_id>/versions")
def list_versions(proposal_id: int):
    _, rows = proposals.versions(proposal_id)
    return jsonify([{"number": r.number, "title": r.title, "note": r.note, "created_at": r.created_at.isoformat(),
                     "author": r.author.name if r.author else None} for r in rows])


@bp.get("/v1/proposals/<int:proposal_id>/versions/<int:number>")
def get_version(proposal_id: int, number: int):
    _, version = proposals.get_version(proposal_id, number)
    return jsonify(version_json(version))


@bp.get("/v1/proposals/<int:proposal_id>/comments")
def list_comments(proposal_id: int):
    proposals.get_proposal(proposal_id)
    clause = request.args.get("clause") or None
    return jsonify([thread_json(t) for t in discussion.threads(proposal_id, clause_key=clause)])


@bp.post("/v1/proposals/<int:proposal_id>/comments")
def post_comment(proposal_id: int):
    data = v.body()
    comment = discussion.post_comment(signed_in(), proposal_id, v.string(data, "body", max_length=5000),
                                      v.string(data, "clause", required=False, max_length=12) or None,
                                      v.integer(data, "parent", required=False))
    return jsonify(comment_json(comment)), 201


@bp.put("/v1/comments/<int:comment_id>")
def edit_comment(comment_id: int):
    data = v.body()
    comment = discussion.edit_comment(signed_in(), comment_id, v.string(data, "body", max_length=5000))
    return jsonify(comment_json(comment))


@bp.delete("/v1/comments/<int:comment_id>")
def delete_comment(comment_id: int):
    comment = discussion.delete_comment(signed_in(), comment_id)
    return jsonify(comment_json(comment))


@bp.get("/v1/proposals/<int:proposal_id>/clarifications")
def list_clarifications(proposal_id: int):
    proposals.get_proposal(proposal_id)
    rows = discussion.clarifications(proposal_id, clause_key=request.args.get("clause") or None,
                                     sort=request.args.get("sort", "score"))
    return jsonify([clarification_json(c) for c in rows])


@bp.post("/v1/proposals/<int:proposal_id>/clarifications")
def ask_clarification(proposal_id: int):
    data = v.body()
    clarification = discussion.ask_clarification(
        signed_in(), proposal_id, v.string(data, "question", max_length=2000),
        v.string(data, "clause", required=False, max_length=12) or None)
    return jsonify(clarification_json(clarification)), 201


@bp.post("/v1/clarifications/<int:clarification_id>/answer")
def answer_clarification(clarification_id: int):
    data = v.body()
    clarification = discussion.answer_clarification(signed_in(), clarification_id,
                                                    v.string(data, "answer", max_length=5000))
    return jsonify(clarification_json(clarification))


@bp.put("/v1/clarifications/<int:clarification_id>/vote")
def vote_clarification(clarification_id: int):
    data = v.body()
    score = discussion.vote_clarification(signed_in(), clarification_id, v.integer(data, "value", choices=(-1, 1)))
    return jsonify({**score.as_dict(), "mine": score.mine})


@bp.delete("/v1/clarifications/<int:clarification_id>/vote")
def withdraw_vote(clarification_id: int):
    score = discussion.vote_clarification(signed_in(), clarification_id, 0)
    return jsonify({**score.as_dict(), "mine": score.mine})


@bp.get("/v1/members")
def list_members():
    listing = directory.members_for(signed_in(), request.args.get("q", "")[:120],
                                    max(request.args.get("page", 1, type=int), 1))
    return jsonify({"total": listing.total, "page": listing.page, "pages": listing.pages,
                    "members": [user_json(u, private=True) for u in listing.members]})


@bp.put("/v1/members/<int:user_id>/roles")
def set_roles(user_id: int):
    data = v.body()
    roles = data.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DomainError("field_invalid", "The field 'roles' must be a list of role names.", field="roles")
    user = accounts.set_roles(signed_in(), user_id, set(roles) - {"member"})
    return jsonify(user_json(user, private=True))
