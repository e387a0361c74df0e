"""How rows look in JSON: plain dicts, never ORM objects."""
from __future__ import annotations

from typing import TYPE_CHECKING

from forum.services.discussion import Thread

if TYPE_CHECKING:  # annotations only: the API shapes what services return and never loads rows itself
    from forum.models import Amendment, Clarification, Comment, Proposal, ProposalVersion, Transition, User


def user_json(user: User, private: bool = False) -> dict:
    data = {"id": user.id, "name": user.name}
    if private:
        data.update(email=user.email, roles=sorted(user.roles), region=user.region,
                    local_group=user.local_group.name if user.local_group else None)
    return data


def version_json(version: ProposalVersion) -> dict:
    return {"number": version.number, "title": version.title, "note": version.note,
            "created_at": version.created_at.isoformat(),
            "clauses": [{"key": c.key, "number": c.number, "body": c.body, "sources": c.sources}
                        for c in version.clauses]}


def proposal_json(proposal: Proposal, version: ProposalVersion | None = None) -> dict:
    data = {"id": proposal.id, "title": proposal.title, "state": proposal.state, "origin": proposal.origin,
            "area": proposal.area.slug, "topics": [t.slug for t in proposal.topics],
            "author": user_json(proposal.author) if proposal.author else None,
            "local_group": proposal.local_group.name if proposal.local_group else None,
            "current_version": proposal.current_version, "updated_at": proposal.updated_at.isoformat()}
    if version is not None:
        data["version"] = version_json(version)
    return data


def comment_json(comment: Comment) -> dict:
    return {"id": comment.id, "clause": comment.clause_key, "parent": comment.parent_id,
            "author": None if comment.is_deleted else user_json(comment.author),
            "body": None if comment.is_deleted else comment.body, "deleted": comment.is_deleted,
            "created_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None}


def thread_json(thread: Thread) -> dict:
    return {**comment_json(thread.comment), "replies": [thread_json(t) for t in thread.replies]}


def clarification_json(c: Clarification) -> dict:
    return {"id": c.id, "clause": c.clause_key, "question": c.question, "author": user_json(c.author),
            "answer": c.answer, "answered_at": c.answered_at.isoformat() if c.answered_at else None,
            "score": c.score, "ups": c.ups, "downs": c.downs, "created_at": c.created_at.isoformat()}

def amendment_json(a: Amendment, conflicts: dict[int, list[tuple[int, str]]] | None = None) -> dict:
    return {"id": a.id, "proposal": a.proposal_id, "kind": a.kind, "origin": a.origin, "status": a.status,
            "base_version": a.base_version, "clause": a.clause_key, "after": a.after_key, "start": a.start,
            "end": a.end, "text": a.text, "rationale": a.rationale, "author": user_json(a.author),
            "score": a.score, "ups": a.ups, "downs": a.downs, "created_at": a.created_at.isoformat(),
            "conflicts": [{"id": other, "reason": reason} for other, reason in (conflicts or {}).get(a.id, [])],
            "flag": {"code": a.flag_code, "reason": a.flag_reason, "by": a.flagged_by} if a.flag_code else None,
            "disposition": None if not a.is_disposed else {
                "reason": a.disposition_reason, "modified_text": a.modified_text,
                "by": user_json(a.disposed_by) if a.disposed_by else None,
                "at": a.disposed_at.isoformat() if a.disposed_at else None,
                "applied_in_version": a.applied_in_version}}


def transition_json(t: Transition) -> dict:
    return {"id": t.id, "from": t.from_state, "to": t.to_state, "event": t.event, "at": t.at.isoformat(),
            "actor": t.actor.name if t.actor else None, "reason": t.reason, "evidence": t.evidence,
            "source": t.source}
