"""API endpoints for amendments, their votes and dispositions, diffs between versions, and composite drafts."""
from __future__ import annotations

from flask import jsonify, request

from deliberation.errors import DomainError
from forum.api.blueprint import bp, signed_in
from forum.api import validate as v
from forum.api.shapes import amendment_json, proposal_json
from forum.services import amendment_pages, amendments, drafting, proposals





@bp.get("/v1/proposals/<int:proposal_id>/amendments")
def list_amendments(proposal_id: int):
    rows, conflicts = amendment_pages.list_amendments(
        proposal_id, request.args.get("status", "all"), request.args.get("order", "score"),
        request.args.get("clause") or None, request.args.get("origin") or None)
    return jsonify([amendment_json(a, conflicts) for a in rows])


@bp.post("/v1/proposals/<int:proposal_id>/amendments")
def propose_amendment(proposal_id: int):
    data = v.body()
    actor = signed_in()
    rationale = v.string(data, "rationale", max_length=20_000)
    base = v.integer(data, "base_version")
    if "body" in data:  # an edited clause: the server computes the word-level change
        row = amendments.propose_edit(actor, proposal_id, v.string(data, "clause", max_length=12),
                                      v.string(data, "body", max_length=20_000), rationale, base)
    else:
        kind = v.string(data, "kind", max_length=20)
        if kind not in ("replace_words", "insert_clause", "delete_clause", "move_clause"):
            raise DomainError("field_invalid", "The field 'kind' must be replace_words, insert_clause, "
                                               "delete_clause or move_clause.", field="kind")
        draft = amendments.Draft(kind, rationale, base,
                                 clause_key=v.string(data, "clause", required=False, max_length=12) or None,
                                 start=v.integer(data, "start", required=False),
                                 end=v.integer(data, "end", required=False),
                                 text=v.string(data, "text", required=False, max_length=20_000),
                                 after_key=v.string(data, "after", required=False, max_length=12) or None)
        row = amendments.propose_amendment(actor, proposal_id, draft)
    return jsonify(amendment_json(row)), 201


@bp.get("/v1/amendments/<int:amendment_id>")
def get_amendment(amendment_id: int):
    return jsonify(amendment_json(amendment_pages.get_amendment(amendment_id)))


@bp.put("/v1/amendments/<int:amendment_id>/vote")
def vote_amendment(amendment_id: int):
    data = v.body()
    score = amendments.vote_amendment(signed_in(), amendment_id, v.integer(data, "value", choices=(-1, 1)))
    return jsonify({**score.as_dict(), "mine": score.mine})


@bp.delete("/v1/amendments/<int:amendment_id>/vote")
def withdraw_amendment_vote(amendment_id: int):
    score = amendments.vote_amendment(signed_in(), amendment_id, 0)
    return jsonify({**score.as_dict(), "mine": score.mine})


@bp.post("/v1/amendments/<int:amendment_id>/disposition")
def dispose_amendment(amendment_id: int):
    data = v.body()
    result = drafting.dispose_amendment(signed_in(), amendment_id, v.string(data, "decision", max_length=30),
                                          v.string(data, "reason", max_length=20_000),
                                          v.string(data, "modified_text", required=False, max_length=20_000) or None)
    return jsonify({"amendment": amendment_json(result.amendment), "version": result.version,
                    "carried": result.carried, "flagged": result.flagged})


@bp.get("/v1/proposals/<int:proposal_id>/diff")
def diff(proposal_id: int):
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        raise DomainError("field_missing", "Give the two versions to compare: ?from=1&to=3.")
    c = amendment_pages.compare_versions(proposal_id, old, new)
    return jsonify({"proposal": c.proposal.id, "from": c.old.number, "to": c.new.number, "clauses": [
        {"key": d.key, "status": d.status.value, "old_number": d.old_number, "new_number": d.new_number,
         "ops": [list(op) for op in d.ops],
         "sources": [{"ref": ref, "label": c.sources[ref].label} for ref in sorted(d.sources) if ref in c.sources]}
        for d in c.clauses]})


@bp.post("/v1/composites")
def compose():
    data = v.body()
    picks = data.get("picks")
    if (not isinstance(picks, list) or not all(isinstance(p, dict) and isinstance(p.get("proposal"), int)
                                               and isinstance(p.get("clause"), str) for p in picks)):
        raise DomainError("field_invalid", "The field 'picks' must be a list of {\"proposal\": id, \"clause\": key}.",
                          field="picks")
    draft = drafting.compose_draft(signed_in(), v.integer(data, "area"), v.string(data, "title", max_length=200),
                                     [(p["proposal"], p["clause"]) for p in picks])
    proposal, version = proposals.get_version(draft.id)
    return jsonify(proposal_json(proposal, version)), 201
