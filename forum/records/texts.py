"""Texts as rows: a proposal, its numbered versions and their clauses, and the words for its states.

`new_text` makes a text (its row, its first version, the first line of its history) and
`add_version` saves the next version; both run inside the caller's transaction, so submitting,
composing a draft and tabling a counter-proposal each stay one use case.
"""
from __future__ import annotations

import json
from typing import Sequence

from sqlalchemy import select

from deliberation import texts, tracker
from deliberation.errors import DomainError, NotFound
from forum.extensions import db
from forum.models import Area, Proposal, ProposalVersion, Topic, Transition, VersionClause, utcnow
from forum.records import conventions
from forum.records.common import found

MAX_TITLE = 200

# The tracker's states in a member's words (deliberation.tracker.TextState values as keys).
STATE_LABELS = tracker.STATE_LABELS  # the labels live beside the states, in the core


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("title_missing", "Give the proposal a title.")
    if len(title) > MAX_TITLE:
        raise DomainError("title_too_long", f"Titles are limited to {MAX_TITLE} characters.")
    return title


def search_text(title: str, clauses: Sequence[texts.Clause]) -> str:
    return " ".join([title, *(c.body for c in clauses)]).lower()


def store_version(proposal: Proposal, number: int, title: str, clauses: Sequence[texts.Clause],
                  author_id: int | None, note: str) -> ProposalVersion:
    version = ProposalVersion(proposal_id=proposal.id, number=number, title=title, note=note[:500],
                              author_id=author_id)
    version.clauses = [
        VersionClause(position=i, key=c.key, body=c.body, sources_json=json.dumps(sorted(c.sources)))
        for i, c in enumerate(clauses)
    ]
    db.session.add(version)
    return version


def topics_for(area: Area, topic_ids: Sequence[int]) -> list[Topic]:
    if not topic_ids:
        return []
    topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(list(topic_ids)))))
    if len(topics) != len(set(topic_ids)) or any(t.area_id != area.id for t in topics):
        raise DomainError("topic_not_in_area", f"Choose topics from the area {area.name}.")
    return topics


def new_text(convention_id: int, area: Area, title: str, clauses: Sequence[texts.Clause], author_id: int | None,
             note: str, origin: str = "submission", state: str = "submission", section: int | None = None,
             local_group_id: int | None = None, counter_to_id: int | None = None,
             topics: Sequence[Topic] = ()) -> Proposal:
    """A new text with its first version and the first line of its history."""
    proposal = Proposal(convention_id=convention_id, area_id=area.id, title=title, origin=origin, state=state,
                        section=section, author_id=author_id, local_group_id=local_group_id,
                        counter_to_id=counter_to_id, current_version=1, next_clause_number=len(clauses) + 1,
                        search_text=search_text(title, clauses))
    proposal.topics = list(topics)
    db.session.add(proposal)
    db.session.flush()
    store_version(proposal, 1, title, clauses, author_id, note)
    record_start(proposal, author_id)
    return proposal


def add_version(proposal: Proposal, title: str, clauses: Sequence[texts.Clause], author_id: int | None,
                note: str, number: int | None = None) -> int:
    """Save the text's next version and make it the current one; returns its number."""
    number = number or proposal.current_version + 1
    store_version(proposal, number, title, clauses, author_id, note)
    proposal.title = title
    proposal.current_version = number
    proposal.next_clause_number = max(proposal.next_clause_number, texts.next_key_number(c.key for c in clauses))
    proposal.search_text = search_text(title, clauses)
    proposal.updated_at = utcnow()
    return number


def record_start(proposal: Proposal, actor_id: int | None) -> Transition:
    """The first line of a text's history, written in the transaction that creates it."""
    convention = conventions.of(proposal.convention_id)
    if proposal.origin == "counter_proposal":
        event, reason = "counter_proposal_tabled", "Tabled by the leadership as a counter-proposal."
    elif proposal.origin == "convention":
        event, reason = "drafted", "Drafted by the assembly as a text of the convention."
    elif proposal.local_group_id:
        event, reason = "submitted", "Submitted on behalf of a local group; it is eligible as it stands."
    else:
        event = "submitted"
        reason = (f"Submitted by a member; it needs {convention.support_threshold} supporting members before the "
                  "submissions window closes.")
    row = Transition(proposal_id=proposal.id, from_state=None, to_state=proposal.state, event=event,
                     at=conventions.now(), actor_id=actor_id, evidence_json=json.dumps({"origin": proposal.origin}),
                     reason=reason, source="")
    db.session.add(row)
    return row


def get_proposal(proposal_id: int) -> Proposal:
    return found(Proposal, proposal_id, "proposal_not_found", "There is no such proposal.")


def version_row(proposal_id: int, number: int) -> ProposalVersion:
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal_id, ProposalVersion.number == number))
    if version is None:
        raise NotFound("version_not_found", f"This proposal has no version {number}.")
    return version


def get_version(proposal_id: int, number: int | None = None) -> tuple[Proposal, ProposalVersion]:
    proposal = get_proposal(proposal_id)
    return proposal, version_row(proposal.id, number or proposal.current_version)


def version_value(version: ProposalVersion) -> texts.Version:
    return texts.Version(version.number, tuple(
        texts.Clause(c.key, c.body, frozenset(c.sources)) for c in version.clauses))


def known_keys(proposal_id: int) -> set[str]:
    """Every clause key the text has had, in any version."""
    return set(db.session.scalars(
        select(VersionClause.key).join(ProposalVersion, VersionClause.version_id == ProposalVersion.id)
        .where(ProposalVersion.proposal_id == proposal_id).distinct()))
