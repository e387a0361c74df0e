"""Everything a convention recorded, as CSV or JSON for administrators."""
from __future__ import annotations

import json
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from deliberation.errors import NotFound
from forum import spreadsheet
from forum.extensions import db
from forum.models import Amendment, Clarification, Comment, Proposal, ProposalVersion, Support, Transition
from forum.extensions import transaction
from forum.permissions import require
from forum.records import audit


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _texts(convention_id: int) -> Iterator[dict]:
    versions = db.session.scalars(
        select(ProposalVersion).join(Proposal).where(Proposal.convention_id == convention_id)
        .options(selectinload(ProposalVersion.clauses)).order_by(ProposalVersion.proposal_id, ProposalVersion.number))
    texts = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.convention_id == convention_id))}
    for v in versions:
        p = texts[v.proposal_id]
        yield {"text_id": p.id, "title": p.title, "state": p.state, "origin": p.origin, "area": p.area.name,
               "section": p.section, "author": p.author.name if p.author else None,
               "local_group": p.local_group.name if p.local_group else None, "counter_to": p.counter_to_id,
               "current_version": p.current_version, "version": v.number, "version_title": v.title,
               "version_note": v.note, "version_created_at": _iso(v.created_at),
               "text": "\n\n".join(f"{c.number}. {c.body}" for c in v.clauses)}


def _amendments(convention_id: int) -> Iterator[dict]:
    rows = db.session.scalars(select(Amendment).join(Proposal, Amendment.proposal_id == Proposal.id)
                              .where(Proposal.convention_id == convention_id).order_by(Amendment.id))
    for a in rows:
        yield {"id": a.id, "text_id": a.proposal_id, "base_version": a.base_version, "origin": a.origin, "kind": a.kind,
               "clause": a.clause_key, "text": a.text, "rationale": a.rationale, "author": a.author.name,
               "status": a.status, "disposition_reason": a.disposition_reason, "disposed_at": _iso(a.disposed_at),
               "score": a.score, "ups": a.ups, "downs": a.downs, "created_at": _iso(a.created_at)}


def _clarifications(convention_id: int) -> Iterator[dict]:
    rows = db.session.scalars(select(Clarification).join(Proposal).where(Proposal.convention_id == convention_id)
                              .order_by(Clarification.id))
    for c in rows:
        yield {"id": c.id, "text_id": c.proposal_id, "clause": c.clause_key, "author": c.author.name,
               "question": c.question, "answer": c.answer, "answered_by": c.answered_by.name if c.answered_by else None,
               "answered_at": _iso(c.answered_at), "score": c.score, "ups": c.ups, "downs": c.downs,
               "created_at": _iso(c.created_at)}


def _comments(convention_id: int) -> Iterator[dict]:
    rows = db.session.scalars(select(Comment).join(Proposal).where(Proposal.convention_id == convention_id)
                              .order_by(Comment.id))
    for c in rows:
        yield {"id": c.id, "text_id": c.proposal_id, "clause": c.clause_key, "parent": c.parent_id,
               "author": None if c.is_deleted else c.author.name, "body": c.body, "deleted": c.is_deleted,
               "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at)}


def _supports(convention_id: int) -> Iterator[dict]:
    rows = db.session.scalars(select(Support).join(Proposal).where(Proposal.convention_id == convention_id)
                              .order_by(Support.id))
    for s in rows:
        yield {"id": s.id, "text_id": s.proposal_id, "member": s.user.name, "created_at": _iso(s.created_at)}


def _transitions(convention_id: int) -> Iterator[dict]:
    rows = db.session.scalars(select(Transition).join(Proposal).where(Proposal.convention_id == convention_id)
                              .order_by(Transition.proposal_id, Transition.at, Transition.id))
    for t in rows:
        yield {"id": t.id, "text_id": t.proposal_id, "from": t.from_state, "to": t.to_state, "event": t.event,
               "at": _iso(t.at), "actor": t.actor.name if t.actor else None, "source": t.source,
               "reason": t.reason, "evidence": t.evidence_json}


DATASETS: dict[str, tuple[str, Callable[[int], Iterator[dict]]]] = {
    "texts": ("Texts with every version", _texts),
    "amendments": ("Amendments with dispositions and scores", _amendments),
    "clarifications": ("Clarifications and answers", _clarifications),
    "comments": ("Comments", _comments),
    "supports": ("Supports of submissions", _supports),
    "transitions": ("The tracker's transitions", _transitions),
}


def export(actor, convention_id: int, name: str, fmt: str) -> tuple[str, str]:
    """(body, mimetype) of one dataset."""
    require(actor, "export")
    if name not in DATASETS or fmt not in ("csv", "json"):
        raise NotFound("export_not_found", "There is no such export.")
    rows = list(DATASETS[name][1](convention_id))
    with transaction():
        audit.record(actor, "records_exported", f"convention {convention_id}",
                     f"Exported {DATASETS[name][0].lower()} as {fmt.upper()} ({len(rows)} rows).")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1), "application/json"
    return (spreadsheet.csv_text(rows, list(rows[0])) if rows else ""), "text/csv"
