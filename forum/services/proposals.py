"""Proposals: submit, edit into a new version, read a version, search."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import func, select

from deliberation import texts
from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db, transaction
from forum.models import (Area, Clarification, Comment, Convention, Proposal, ProposalVersion, Topic,
                          VersionClause, utcnow)
from forum.permissions import require

MAX_TITLE = 200
MAX_SEARCH_WORDS = 8

STATE_LABELS = {
    "submission": "Submission", "draft": "Draft", "consensus": "Consensus reached",
    "interim": "Interim proposal", "final": "Final proposal", "on_ballot": "On the ballot",
    "carried": "Carried", "not_carried": "Not carried", "withdrawn": "Withdrawn",
    "merged_into": "Merged into a composite", "superseded": "Superseded",
}


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("title_missing", "Give the proposal a title.")
    if len(title) > MAX_TITLE:
        raise DomainError("title_too_long", f"Titles are limited to {MAX_TITLE} characters.")
    return title


def _search_text(title: str, clauses: Sequence[texts.Clause]) -> str:
    return " ".join([title, *(c.body for c in clauses)]).lower()


def _store_version(proposal: Proposal, number: int, title: str, clauses: Sequence[texts.Clause],
                   author_id: int | None, note: str) -> ProposalVersion:
    version = ProposalVersion(proposal_id=proposal.id, number=number, title=title, note=note[:500],
                              author_id=author_id)
    version.clauses = [
        VersionClause(position=i, key=c.key, body=c.body, sources_json=json.dumps(sorted(c.sources)))
        for i, c in enumerate(clauses)
    ]
    db.session.add(version)
    return version


def _topics_for(area: Area, topic_ids: Sequence[int]) -> list[Topic]:
    if not topic_ids:
        return []
    topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(list(topic_ids)))))
    if len(topics) != len(set(topic_ids)) or any(t.area_id != area.id for t in topics):
        raise DomainError("topic_not_in_area", f"Choose topics from the area {area.name}.")
    return topics


def create_proposal(actor, convention_id: int, title: str, body: str, area_id: int,
                    topic_ids: Sequence[int] = (), on_behalf_of_group: bool = False,
                    origin: str = "submission", state: str = "submission", section: int | None = None,
                    sources: Sequence[str] = ()) -> Proposal:
    require(actor, "create_proposal")
    from deliberation.phases import Action
    from forum.records.conventions import require_phase
    title = _clean_title(title)
    clauses = texts.number_clauses(texts.split_into_clauses(body or ""))
    if sources:
        clauses = [texts.Clause(c.key, c.body, frozenset(sources)) for c in clauses]
    with transaction():
        convention = db.session.get(Convention, convention_id)
        area = db.session.get(Area, area_id)
        if convention is None or area is None or area.convention_id != convention.id:
            raise NotFound("area_not_found", "Choose an area of this convention's framework.")
        if origin == "submission":
            require_phase(convention, Action.SUBMIT_PROPOSAL)
        group_id = None
        if on_behalf_of_group:
            if actor.local_group_id is None or not actor.has_role("representative"):
                raise DomainError("not_a_representative",
                                  "Only a local-group representative can submit on behalf of a group.")
            group_id = actor.local_group_id
        proposal = Proposal(convention_id=convention.id, area_id=area.id, title=title, origin=origin,
                            state=state, section=section, author_id=actor.id, local_group_id=group_id,
                            current_version=1, next_clause_number=len(clauses) + 1,
                            search_text=_search_text(title, clauses))
        proposal.topics = _topics_for(area, topic_ids)
        db.session.add(proposal)
        db.session.flush()
        _store_version(proposal, 1, title, clauses, actor.id, "First version")
        from forum.services.tracking import record_start
        record_start(proposal, actor.id)
    return proposal


def edit_proposal(actor, proposal_id: int, title: str, body: str, note: str, base_version: int) -> Proposal:
    """Save an edit as a new version; clause keys carry over so discussions stay attached."""
    title = _clean_title(title)
    bodies = texts.split_into_clauses(body or "")
    with transaction():
        proposal = _get(proposal_id)
        require(actor, "edit_proposal", proposal)
        if base_version != proposal.current_version:
            raise Conflict("proposal_changed",
                           f"Someone saved version {proposal.current_version} while you were editing "
                           f"version {base_version}. Your text is below; compare and save again.",
                           current_version=proposal.current_version)
        current = _version(proposal.id, proposal.current_version)
        old = [texts.Clause(c.key, c.body, frozenset(c.sources)) for c in current.clauses]
        new = texts.align_clauses(old, bodies, proposal.next_clause_number)
        if [c.body for c in new] == [c.body for c in old] and title == current.title:
            raise DomainError("no_change", "Nothing changed, so no new version was saved.")
        sources = {c.key: c.sources for c in old}
        new = [texts.Clause(c.key, c.body, sources.get(c.key, frozenset())) for c in new]
        number = proposal.current_version + 1
        _store_version(proposal, number, title, new, actor.id, (note or "").strip())
        from forum.services.amendments import carry_after_edit  # open amendments follow the text
        carry_after_edit(proposal, current, new, number)
        proposal.title = title
        proposal.current_version = number
        proposal.next_clause_number = max(proposal.next_clause_number, texts.next_key_number(c.key for c in new))
        proposal.search_text = _search_text(title, new)
        proposal.updated_at = utcnow()
    return proposal


def _get(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("proposal_not_found", "There is no such proposal.")
    return proposal


def _version(proposal_id: int, number: int) -> ProposalVersion:
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal_id, ProposalVersion.number == number))
    if version is None:
        raise NotFound("version_not_found", f"This proposal has no version {number}.")
    return version


def get_proposal(proposal_id: int) -> Proposal:
    return _get(proposal_id)


def get_version(proposal_id: int, number: int | None = None) -> tuple[Proposal, ProposalVersion]:
    proposal = _get(proposal_id)
    return proposal, _version(proposal.id, number or proposal.current_version)


def open_for_edit(actor, proposal_id: int) -> tuple[Proposal, ProposalVersion]:
    proposal, version = get_version(proposal_id)
    require(actor, "edit_proposal", proposal)
    return proposal, version


def versions(proposal_id: int) -> tuple[Proposal, list[ProposalVersion]]:
    proposal = _get(proposal_id)
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
    stmt = select(Convention).order_by(Convention.id)
    if slug:
        stmt = stmt.where(Convention.slug == slug)
    convention = db.session.scalar(stmt)
    if convention is None:
        raise NotFound("convention_not_found", "There is no convention here yet.")
    return convention


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


