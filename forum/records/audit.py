"""Writing and reading the audit trail, inside the use case's own transaction.

`record` appends one entry chained to the one before (deliberation.audit). Every audited
transaction first bumps the one `audit_head` row, which holds it until commit: the chain is
written one entry at a time on SQLite and PostgreSQL alike, and an action that rolls back leaves
no entry. After the commit each entry is also written as one JSON log line (logger
`convene.audit`); json.dumps escapes every control character a member typed.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator, Mapping

from flask import has_request_context, request
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from deliberation import audit as chain
from forum.clock import now
from forum.extensions import db
from forum.models import AuditEntry, AuditHead, User
from forum.records.common import rows_changed

log = logging.getLogger("convene.audit")
HEAD_ID = 1
_PENDING = "audit_lines"


def _fields(row: AuditEntry) -> dict[str, Any]:
    """What the hash covers: every column but the two hashes themselves."""
    return {"seq": row.seq, "at": row.at.isoformat(), "actor_id": row.actor_id, "actor_name": row.actor_name,
            "action": row.action, "target": row.target, "summary": row.summary, "before": row.before_json,
            "after": row.after_json, "address": row.address, "proposal_id": row.proposal_id, "public": row.public}


def _take_head() -> AuditHead:
    """Bump the chain's head (the write lock every audited transaction queues on) and load it."""
    bump = update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1)
    if rows_changed(bump) == 0:
        try:
            with db.session.begin_nested():
                last = db.session.scalar(select(func.max(AuditEntry.seq))) or 0
                latest = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == last))
                db.session.add(AuditHead(id=HEAD_ID, seq=last, hash=latest or chain.GENESIS))
        except IntegrityError:
            pass  # another transaction made the head first; queue on it like everyone else
        rows_changed(bump)
    head = db.session.get(AuditHead, HEAD_ID, populate_existing=True)
    assert head is not None
    return head


def _as_json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def record(actor: Any, action: str, target: str, summary: str, *, before: Mapping[str, Any] | None = None,
           after: Mapping[str, Any] | None = None, proposal_id: int | None = None, public: bool = False) -> None:
    """Append one entry to the trail (actor None: the system, e.g. a scheduled command)."""
    if isinstance(actor, int):  # a recorded actor id, as the tracker keeps them
        actor = db.session.get(User, actor)
    head = _take_head()
    actor_id = getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    row = AuditEntry(seq=head.seq, at=now(), actor_id=actor_id,
                     actor_name=getattr(actor, "name", None) or ("the system" if actor is None else "anonymous"),
                     action=action, target=target, summary=summary, before_json=_as_json(before),
                     after_json=_as_json(after), address=request.remote_addr if has_request_context() else None,
                     proposal_id=proposal_id, public=public, previous_hash=head.hash)
    row.hash = chain.entry_hash(head.hash, _fields(row))
    head.hash = row.hash
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append({**_fields(row), "hash": row.hash})


@event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for line in session.info.pop(_PENDING, []):
        log.info(json.dumps({"event": "audit", **line}, sort_keys=True, default=str))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None


def entries(filters: Filters, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and how many match."""
    stmt = select(AuditEntry)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.actor:
        stmt = stmt.where(func.lower(AuditEntry.actor_name).contains(filters.actor.lower(), autoescape=True))
    if filters.since:
        stmt = stmt.where(AuditEntry.at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEntry.at < filters.until)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit))
    return list(rows), total


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def public_about(proposal_id: int) -> list[AuditEntry]:
    """The decisions on record about one text, oldest first, for its history page."""
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.proposal_id == proposal_id, AuditEntry.public.is_(True)).order_by(AuditEntry.seq)))


def _stored(batch: int = 1000) -> Iterator[chain.Stored]:
    after = 0
    while True:
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.seq > after)
                                       .order_by(AuditEntry.seq).limit(batch)))
        for row in rows:
            yield chain.Stored(row.seq, _fields(row), row.previous_hash, row.hash)
        if len(rows) < batch:
            return
        after = rows[-1].seq
        db.session.expunge_all()


def check() -> chain.ChainCheck:
    return chain.check_chain(_stored())
