"""The ballot in the JSON API: read it, cast a paper, check a receipt, turnout (administrators), results."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from deliberation.errors import DomainError, NotAllowed
from forum.api.blueprint import bp, signed_in
from forum.api import validate as v
from forum.services import ballots, declare
from forum.clock import now



def _ballot_json(page: ballots.BallotPage) -> dict:
    b = page.ballot
    return {
        "id": b.id, "title": b.title, "status": page.status, "opens_at": b.opens_at.isoformat(),
        "closes_at": b.closes_at.isoformat(), "eligible_joined_by": b.eligible_joined_by.isoformat(),
        "eligible": page.eligible, "voted": page.voted,
        "sections": [{"number": s.number, "title": s.title, "questions": [
            {"id": q.id, "number": q.number, "label": page.labels[q.id], "text": q.text, "majority": q.majority,
             "counter_to": q.counter_to_id, "proposal": q.proposal_id, "clause": q.clause_key}
            for q in s.questions]} for s in b.sections],
    }


@bp.get("/v1/ballots/<int:ballot_id>")
def ballot(ballot_id: int):
    return jsonify(_ballot_json(ballots.ballot_page(current_user, ballot_id, now())))


@bp.post("/v1/ballots/<int:ballot_id>/papers")
def cast_ballot(ballot_id: int):
    data = v.body()
    answers = data.get("answers")
    if not isinstance(answers, dict) or not all(isinstance(value, str) for value in answers.values()):
        raise DomainError("field_invalid", "Send 'answers' as an object from question id to \"for\", \"against\" "
                                           "or \"abstain\".", field="answers")
    if "voter" in data and data["voter"] != getattr(current_user, "id", None):
        raise NotAllowed("ballot_for_another_member", "You can only cast your own ballot; nobody can vote for someone else.")
    receipt = ballots.cast_ballot(signed_in(), ballot_id, answers, now())
    return jsonify({"receipt": receipt}), 201


@bp.post("/v1/ballots/<int:ballot_id>/receipts")
def check_receipt(ballot_id: int):
    code, counted = ballots.receipt_counted(ballot_id, v.string(v.body(), "receipt", max_length=60))
    return jsonify({"receipt": code, "counted": counted})


@bp.get("/v1/ballots/<int:ballot_id>/turnout")
def ballot_turnout(ballot_id: int):
    return jsonify(ballots.turnout(signed_in(), ballot_id, now()).as_dict())


@bp.get("/v1/ballots/<int:ballot_id>/results")
def ballot_results(ballot_id: int):
    page = ballots.results(ballot_id, now())
    return jsonify({"ballot": ballot_id, "title": page.ballot.title, "voters_total": page.results.voters_total,
                    "questions": ballots.result_rows(page)})


@bp.post("/v1/ballots/<int:ballot_id>/declare")
def declare_ballot_result(ballot_id: int):
    return jsonify(declare.declare_result(signed_in(), ballot_id).as_dict())
