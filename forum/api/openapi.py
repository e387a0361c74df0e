"""The OpenAPI 3.1 description of /api/v1, built from one table of operations."""
from __future__ import annotations

from functools import lru_cache


def _obj(required: list[str], **props: dict) -> dict:
    return {"type": "object", "required": required, "properties": props, "additionalProperties": True}


STR = {"type": "string"}
INT = {"type": "integer"}

SCHEMAS = {
    "Error": _obj(["error", "message"], error={**STR, "description": "stable code, e.g. vote_unchanged"},
                  message={**STR, "description": "safe to show to a member"}, params={"type": "object"}),
    "Clause": _obj(["key", "number", "body"], key={**STR, "description": "stable across versions, e.g. c4"},
                   number=INT, body={**STR, "description": "Markdown"},
                   sources={"type": "array", "items": STR}),
    "Version": _obj(["number", "clauses"], number=INT, title=STR, note=STR, created_at=STR,
                    clauses={"type": "array", "items": {"$ref": "#/components/schemas/Clause"}}),
    "Proposal": _obj(["id", "title", "state"], id=INT, title=STR, state=STR, origin=STR, area=STR,
                     topics={"type": "array", "items": STR}, current_version=INT,
                     version={"$ref": "#/components/schemas/Version"}),
    "Comment": _obj(["id", "deleted"], id=INT, clause={"type": ["string", "null"]},
                    parent={"type": ["integer", "null"]}, body={"type": ["string", "null"]},
                    deleted={"type": "boolean"}, edited_at={"type": ["string", "null"]},
                    replies={"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}),
    "Clarification": _obj(["id", "question", "score"], id=INT, clause={"type": ["string", "null"]},
                          question=STR, answer={"type": ["string", "null"]}, score=INT, ups=INT, downs=INT),
    "Score": _obj(["id", "score", "ups", "downs", "mine"], id=INT, score=INT, ups=INT, downs=INT, mine=INT),
    "Amendment": _obj(["id", "kind", "status", "score"], id=INT, kind=STR, origin=STR, status=STR,
                      base_version=INT, clause={"type": ["string", "null"]}, start={"type": ["integer", "null"]},
                      end={"type": ["integer", "null"]}, text=STR, rationale=STR, score=INT, ups=INT, downs=INT,
                      conflicts={"type": "array"}, flag={"type": ["object", "null"]},
                      disposition={"type": ["object", "null"]}),
    "Transition": _obj(["from", "to", "event", "at", "reason"], id=INT, to=STR, event=STR, at=STR,
                       reason={**STR, "description": "why, in a member's words"}, evidence={"type": "object"}),
    "Tracked": _obj(["id", "state", "explanation"], id=INT, state=STR, explanation=STR, supports=INT,
                    amendments=INT, amendments_undisposed=INT, leadership_undecided=INT,
                    history={"type": "array", "items": {"$ref": "#/components/schemas/Transition"}}),
    "Member": _obj(["id", "name"], id=INT, name=STR, email=STR, roles={"type": "array", "items": STR}),
}

# (method, path, summary, request body schema or None, success status, response schema ref or inline)
OPERATIONS = [
    ("get", "/api/v1/me", "The member this request is authenticated as", None, 200, "Member"),
    ("get", "/api/v1/areas", "Framework areas with their topics", None, 200, {"type": "array"}),
    ("get", "/api/v1/proposals", "Search proposals (q, area, topic query parameters)", None, 200,
     {"type": "array", "items": {"$ref": "#/components/schemas/Proposal"}}),
    ("post", "/api/v1/proposals", "Submit a proposal",
     _obj(["title", "body", "area"], title=STR, body=STR, area=INT, topics={"type": "array", "items": INT},
          on_behalf_of_group={"type": "boolean"}), 201, "Proposal"),
    ("get", "/api/v1/proposals/{proposal_id}", "A proposal with its current version", None, 200, "Proposal"),
    ("put", "/api/v1/proposals/{proposal_id}", "Edit a proposal, saving a new version",
     _obj(["title", "body", "base_version"], title=STR, body=STR, note=STR,
          base_version={**INT, "description": "the version you edited; a stale one is refused with 409"}),
     200, "Proposal"),
    ("get", "/api/v1/proposals/{proposal_id}/versions", "The history of versions", None, 200, {"type": "array"}),
    ("get", "/api/v1/proposals/{proposal_id}/versions/{number}", "One version", None, 200, "Version"),
    ("get", "/api/v1/proposals/{proposal_id}/comments", "Comment threads (clause query parameter)", None, 200,
     {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}),
    ("post", "/api/v1/proposals/{proposal_id}/comments", "Comment on the text, a clause, or reply",
     _obj(["body"], body=STR, clause=STR, parent=INT), 201, "Comment"),
    ("put", "/api/v1/comments/{comment_id}", "Edit your comment", _obj(["body"], body=STR), 200, "Comment"),
    ("delete", "/api/v1/comments/{comment_id}", "Delete a comment, leaving a tombstone", None, 200, "Comment"),
    ("get", "/api/v1/proposals/{proposal_id}/clarifications", "Clarifications, best first (clause, sort)", None, 200,
     {"type": "array", "items": {"$ref": "#/components/schemas/Clarification"}}),
    ("post", "/api/v1/proposals/{proposal_id}/clarifications", "Ask a clarification",
     _obj(["question"], question=STR, clause=STR), 201, "Clarification"),
    ("post", "/api/v1/clarifications/{clarification_id}/answer", "Answer a clarification (the proposer)",
     _obj(["answer"], answer=STR), 200, "Clarification"),
    ("put", "/api/v1/clarifications/{clarification_id}/vote", "Vote a clarification up (1) or down (-1)",
     _obj(["value"], value={"type": "integer", "enum": [-1, 1]}), 200, "Score"),
    ("delete", "/api/v1/clarifications/{clarification_id}/vote", "Withdraw your vote", None, 200, "Score"),
    ("get", "/api/v1/proposals/{proposal_id}/amendments",
     "Amendments with their conflicts (status=open|conflicting|accepted|rejected|all, order, clause, origin)",
     None, 200, {"type": "array", "items": {"$ref": "#/components/schemas/Amendment"}}),
    ("post", "/api/v1/proposals/{proposal_id}/amendments",
     "Propose an amendment: a word span (kind replace_words with start/end counted in words from 0, end excluded), "
     "a new clause, a deletion or a move; or send `body`, the clause's edited wording, "
     "and the server computes the change",
     _obj(["rationale", "base_version"], kind={"type": "string", "enum": ["replace_words", "insert_clause",
                                                                          "delete_clause", "move_clause"]},
          clause=STR, start=INT, end=INT, text=STR, after=STR, body=STR, rationale=STR,
          base_version={**INT, "description": "the version you amend; a stale one is refused"}), 201, "Amendment"),
    ("get", "/api/v1/amendments/{amendment_id}", "One amendment", None, 200, "Amendment"),
    ("put", "/api/v1/amendments/{amendment_id}/vote", "Vote an amendment up (1) or down (-1)",
     _obj(["value"], value={"type": "integer", "enum": [-1, 1]}), 200, "Score"),
    ("delete", "/api/v1/amendments/{amendment_id}/vote", "Withdraw your vote on an amendment", None, 200, "Score"),
    ("post", "/api/v1/amendments/{amendment_id}/disposition",
     "Accept, accept as modified, or reject an amendment with a reason (drafters); acceptance saves a new version",
     _obj(["decision", "reason"], decision={"type": "string", "enum": ["accepted", "accepted_as_modified", "rejected"]},
          reason=STR, modified_text=STR), 200, {"type": "object"}),
    ("get", "/api/v1/proposals/{proposal_id}/diff", "Compare two versions clause by clause (from, to), with provenance",
     None, 200, {"type": "object"}),
    ("post", "/api/v1/composites", "Combine clauses of submissions into a composite draft (drafters)",
     _obj(["area", "title", "picks"], area=INT, title=STR,
          picks={"type": "array", "items": _obj(["proposal", "clause"], proposal=INT, clause=STR)}), 201, "Proposal"),
    ("get", "/api/v1/members", "The member register (administrators)", None, 200, {"type": "object"}),
    ("put", "/api/v1/members/{user_id}/roles", "Set a member's roles (administrators)",
     _obj(["roles"], roles={"type": "array",
                            "items": {"type": "string",
                                      "enum": ["representative", "facilitator", "leadership", "admin"]}}),
     200, "Member"),
    # The lifecycle: timeline, supports, the consensus tracker, following and notifications.
    ("get", "/api/v1/timeline", "Every phase, where the convention stands and what members can do now", None, 200,
     {"type": "object"}),
    ("get", "/api/v1/progress", "Texts per assembly with their states and explanations", None, 200, {"type": "array"}),
    ("get", "/api/v1/proposals/{proposal_id}/tracker", "Where a text stands, why, and its recorded history", None, 200,
     "Tracked"),
    ("post", "/api/v1/proposals/{proposal_id}/supports", "Support an individual member's submission (once)", None, 201,
     {"type": "object"}),
    ("post", "/api/v1/proposals/{proposal_id}/consensus-checks", "Record an assembly's consensus check (facilitators)",
     _obj(["responses", "seated", "present"],
          responses=_obj([], agree=INT, reservations=INT, stand_aside=INT, block=INT), seated=INT, present=INT,
          reasons={"type": "array", "items": STR, "description": "one reason per block"}), 201, "Transition"),
    ("post", "/api/v1/proposals/{proposal_id}/take-into-drafting", "Take an eligible submission into drafting", None,
     201, "Transition"),
    ("post", "/api/v1/proposals/{proposal_id}/merge", "Merge a submission or draft into a composite",
     _obj(["composite"], composite=INT), 201, "Transition"),
    ("post", "/api/v1/proposals/{proposal_id}/publish-interim", "Publish a text with consensus as an interim proposal",
     None, 201, "Transition"),
    ("post", "/api/v1/proposals/{proposal_id}/place-on-ballot", "Place a final proposal on the ballot", None, 201,
     "Transition"),
    ("post", "/api/v1/proposals/{proposal_id}/counter-proposals", "Table a counter-proposal (the leadership)",
     _obj(["title", "body"], title=STR, body=STR), 201, "Proposal"),
    ("post", "/api/v1/lifecycle/close-phases", "Record closed phases on the texts they affect (administrators)", None,
     200, {"type": "object"}),
    ("put", "/api/v1/proposals/{proposal_id}/follow", "Follow a text", None, 200, {"type": "object"}),
    ("delete", "/api/v1/proposals/{proposal_id}/follow", "Stop following a text", None, 200, {"type": "object"}),
    ("get", "/api/v1/notifications", "Your notifications, newest first", None, 200, {"type": "object"}),
    ("get", "/api/v1/ballots/{ballot_id}", "A ballot: its window, sections and questions, and whether you may vote",
     None, 200, {"type": "object"}),
    ("post", "/api/v1/ballots/{ballot_id}/papers", "Cast your secret ballot once; blank questions are not votes",
     _obj(["answers"], answers={"type": "object", "description": "question id -> for | against | abstain",
                                "additionalProperties": {"type": "string", "enum": ["for", "against", "abstain", ""]}}),
     201, _obj(["receipt"], receipt={**STR, "description": "shown once; check it with /receipts"})),
    ("post", "/api/v1/ballots/{ballot_id}/receipts", "Check that a ballot with this receipt is among those counted",
     _obj(["receipt"], receipt=STR), 200, _obj(["receipt", "counted"], receipt=STR, counted={"type": "boolean"})),
    ("get", "/api/v1/ballots/{ballot_id}/turnout", "How many have voted (administrators); never the choices",
     None, 200, _obj(["voted", "eligible"], voted=INT, eligible=INT, status=STR)),
    ("get", "/api/v1/ballots/{ballot_id}/results", "The results, once the ballot has closed", None, 200,
     _obj(["voters_total", "questions"], voters_total=INT, questions={"type": "array"})),
    ("post", "/api/v1/ballots/{ballot_id}/declare",
     "Declare a closed ballot's result on its texts (administrators); declaring again changes nothing", None, 200,
     _obj(["changed", "message", "texts"], ballot=INT, changed={"type": "boolean"}, message=STR,
          texts={"type": "array", "items": _obj(["proposal", "outcome", "message"], proposal=INT, title=STR,
                                                outcome={**STR, "enum": ["carried", "not_carried", "adopted", "not_adopted",
                                                                         "already_declared", "refused"]},
                                                message=STR, adopted_version={"type": ["integer", "null"]})})),
]

ERRORS = {
    "400": "Malformed request or missing CSRF token",
    "401": "Not logged in, or the token is not valid",
    "403": "Not allowed for this member",
    "404": "No such thing",
    "409": "Conflicts with the current state (e.g. a stale version)",
    "422": "The request was understood but refused; the message says why",
}


def _ref(schema):
    return {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema


@lru_cache(maxsize=1)
def spec() -> dict:
    paths: dict = {}
    for method, path, summary, request_body, status, response in OPERATIONS:
        op: dict = {"summary": summary, "responses": {
            str(status): {"description": "OK", "content": {"application/json": {"schema": _ref(response)}}},
            **{code: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
               for code, text in ERRORS.items()}}}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
                                for p in params]
        if request_body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_body}}}
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene API", "version": "1",
                 "description": "Proposals, versions, comments and clarifications of a convention. Authenticate with "
                                "`Authorization: Bearer <token>` (make one on your profile page) or with the browser "
                                "session plus an `X-CSRFToken` header on changes. Errors are "
                                "`{\"error\": code, \"message\": text}`."},
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"token": []}, {"session": []}],
        "paths": paths,
    }
