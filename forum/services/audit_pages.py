"""Reading the audit trail: the administrators' page with its filters and the chain's check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from deliberation.audit import ChainCheck
from forum.models import AuditEntry
from forum.permissions import require
from forum.records import audit

PAGE_SIZE = 50


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
    actions: list[str]
    chain: ChainCheck


def decisions_on(proposal_id: int) -> list[AuditEntry]:
    """What any reader may see of the trail: the public decisions about one text."""
    return audit.public_about(proposal_id)


def _day(value: date | None, days: int = 0) -> datetime | None:
    return None if value is None else datetime.combine(value + timedelta(days=days), time(0), timezone.utc)


def audit_page(actor, action: str = "", who: str = "", since: date | None = None, until: date | None = None,
               page: int = 1) -> AuditPage:
    """One page of the trail, newest first; `until` includes the whole of that day (UTC)."""
    require(actor, "read_audit")
    filters = audit.Filters(action=action, actor=who, since=_day(since), until=_day(until, days=1))
    total = audit.entries(filters, 0, 0)[1]
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    rows, _ = audit.entries(filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return AuditPage(rows, total, page, pages, audit.actions(), audit.check())
