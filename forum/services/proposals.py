"""Proposals: submit, edit into a new version, read a version, search."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import func, select

from deliberation import texts
from deliberation.errors import Conflict, DomainError, NotFound
from deliberation.phases import Action
from forum.extensions import db, transaction
from forum.mail import send_later
from forum.models import Area, Clarification, Comment, Convention, Proposal, ProposalVersion, Topic, VersionClause
from forum.permissions import require
from forum.records import amendments as amendment_records
from forum.records import conventions
from forum.records import notifications as notes
from forum.records import texts as texts_records

MAX_SEARCH_WORDS = 8
STATE_LABELS = texts_records.STATE_LABELS  # kept for pages that still read it from here


def create_proposal(actor, convention_id: int, title: str, body: str, area_id: int,
                    topic_ids: Sequence[int] = (), on_behalf_of_group: bool = False,
                    origin: str = "submission", state: str = "submission", section: int | None = None,
                    sources: Sequence[str] = ()) -> Proposal:
    require(actor, "create_proposal")
    title = texts_records.clean_title(title)
    clauses = texts.number_clauses(texts.split_into_clauses(body or ""))
    if sources:
        clauses = [texts.Clause(c.key, c.body, frozenset(sources)) for c in clauses]
    with transaction():
        convention = db.session.get(Convention, convention_id)
        area = db.session.get(Area, area_id)
        if convention is None or area is None or area.convention_id != convention.id:
            raise NotFound("area_not_found", "Choose an area of this convention's framework.")
        if origin == "submission":
            conventions.require_phase(convention, Action.SUBMIT_PROPOSAL)
        group_id = None
        if on_behalf_of_group:
            require(actor, "submit_for_group")
            group_id = actor.local_group_id
        proposal = texts_records.new_text(convention.id, area, title, clauses, actor.id, "First version",
                                          origin=origin, state=state, section=section, local_group_id=group_id,
                                          topics=texts_records.topics_for(area, topic_ids))
    return proposal


def edit_proposal(actor, proposal_id: int, title: str, body: str, note: str, base_version: int) -> Proposal:
    """Save an edit as a new version; clause keys carry over so discussions stay attached."""
    title = texts_records.clean_title(title)
    bodies = texts.split_into_clauses(body or "")
    with transaction():
        proposal = texts_records.get_proposal(proposal_id)
        require(actor, "edit_proposal", proposal)
        if base_version != proposal.current_version:
            raise Conflict("proposal_changed",
                           f"Someone saved version {proposal.current_version} while you were editing "
                           f"version {base_version}. Your text is below; compare and save again.",
                           current_version=proposal.current_version)
        current = texts_records.version_row(proposal.id, proposal.current_version)
        old = [texts.Clause(c.key, c.body, frozenset(c.sources)) for c in current.clauses]
        new = texts.align_clauses(old, bodies, proposal.next_clause_number)
        if [c.body for c in new] == [c.body for c in old] and title == current.title:
            raise DomainError("no_change", "Nothing changed, so no new version was saved.")
        sources = {c.key: c.sources for c in old}
        new = [texts.Clause(c.key, c.body, sources.get(c.key, frozenset())) for c in new]
        number = texts_records.add_version(proposal, title, new, actor.id, (note or "").strip())
        carried = amendment_records.carry_after_edit(proposal, current, new, number)  # open amendments follow
        mail = notes.new_version(proposal, number, carried.flagged, actor.id)
    send_later(mail)
    return proposal


def get_proposal(proposal_id: int) -> Proposal:
    return texts_records.get_proposal(proposal_id)


def get_version(proposal_id: int, number: int | None = None) -> tuple[Proposal, ProposalVersion]:
    return texts_records.get_version(proposal_id, number)


def open_for_edit(actor, proposal_id: int) -> tuple[Proposal, ProposalVersion]:
    proposal, version = get_version(proposal_id)
    require(actor, "edit_proposal", proposal)
    return proposal, version


def versions(proposal_id: int) -> tuple[Proposal, list[ProposalVersion]]:
    proposal = texts_records.get_proposal(proposal_id)
    rows = list(db.session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.number.desc())))
    return proposal, rows


@dataclass
class ProposalPage:
    proposal: Proposal
    version: ProposalVersion
    comment_counts: dict[str | None, int] = field(default_factory=dict)
    clarification_counts: dict[str | None, int] = field(default_factory=dict)


def proposal_page(proposal_id: int, number: int | None = None) -> ProposalPage:
    proposal, version = get_version(proposal_id, number)
    comment_counts = dict(db.session.execute(
        select(Comment.clause_key, func.count()).where(Comment.proposal_id == proposal.id,
                                                       Comment.deleted_at.is_(None))
        .group_by(Comment.clause_key)).all())
    clarification_counts = dict(db.session.execute(
        select(Clarification.clause_key, func.count()).where(Clarification.proposal_id == proposal.id)
        .group_by(Clarification.clause_key)).all())
    return ProposalPage(proposal, version, comment_counts, clarification_counts)


def search(convention_id: int, query: str = "", area_id: int | None = None, topic_id: int | None = None,
           limit: int = 100) -> list[Proposal]:
    """Proposals whose title or current text contains every word of the query."""
    stmt = select(Proposal).where(Proposal.convention_id == convention_id)
    words = [w for w in (query or "").lower().split() if w][:MAX_SEARCH_WORDS]
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Proposal.search_text.like(f"%{escaped}%", escape="\\"))
    if area_id:
        stmt = stmt.where(Proposal.area_id == area_id)
    if topic_id:
        stmt = stmt.where(Proposal.topics.any(Topic.id == topic_id))
    stmt = stmt.order_by(Proposal.section.is_(None), Proposal.section, Proposal.created_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def convention_by_slug(slug: str | None = None) -> Convention:
    return conventions.current(slug)


def area_by_slug(convention_id: int, slug: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.convention_id == convention_id, Area.slug == slug))
    if area is None:
        raise NotFound("area_not_found", "There is no such area in the framework.")
    return area


def clause_of(version: ProposalVersion, key: str) -> VersionClause:
    for clause in version.clauses:
        if clause.key == key:
            return clause
    raise NotFound("clause_not_found", "This version of the text has no such clause.")


def proposal_counts(convention_id: int) -> dict[int, int]:
    """Proposals per area, for the framework page."""
    return dict(db.session.execute(
        select(Proposal.area_id, func.count()).where(Proposal.convention_id == convention_id)
        .group_by(Proposal.area_id)).all())


