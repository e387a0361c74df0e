"""Drafting: dispose of amendments into new versions (carrying the pending ones along), and combine
submissions into a composite draft. Each use case is one transaction, then the text's room hears."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import select

from deliberation import phases, texts
from deliberation.errors import Conflict, DomainError, NotFound
from deliberation.phases import Action
from forum import announce
from forum.extensions import db, transaction
from forum.mail import send_later
from forum.models import Amendment, Area, CompositeSource, Proposal, ProposalVersion
from forum.permissions import require
from forum.records import amendments as records
from forum.records import audit, conventions, tracker
from forum.records import notifications as notes
from forum.records import texts as text_records
from forum.records.amendments import DECISION_LABELS, DECISIONS
from forum.records.common import found

MAX_REASON = 2_000


@dataclass
class Disposition:
    amendment: Amendment
    version: int  # the proposal's current version after the disposition
    carried: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)


def _disposal_action(origin: str) -> Action:
    """Leadership amendments are decided in the leadership round or after it, until the text goes
    on the ballot (which waits for each decision); the others in final drafting or the round."""
    return Action.DECIDE_LEADERSHIP_AMENDMENT if origin == "leadership" else Action.DISPOSE_AMENDMENT


def dispose_amendment(actor, amendment_id: int, decision: str, reason: str, modified_text: str | None = None,
                      at: datetime | None = None) -> Disposition:
    """Accept, accept as modified, or reject an amendment, with a reason.

    Acceptance applies it to the current version and saves the next one; every other pending
    amendment is carried onto it, and those that cannot be (they touch what was just changed)
    are flagged for the drafter, never dropped.
    """
    if decision not in DECISIONS:
        raise DomainError("decision_invalid", "Accept, accept as modified, or reject the amendment.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_missing", "Give the reason for this disposition; members will read it.")
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", f"The reason is {len(reason):,} characters long; "
                                             f"the limit is {MAX_REASON:,}.", limit=MAX_REASON)
    at = at or conventions.now()
    with transaction():
        row = records.get(amendment_id)
        proposal = row.proposal
        require(actor, "draft_text", proposal)
        phases.check(_disposal_action(row.origin), conventions.timeline(tracker.convention_of(proposal)), at)
        if row.status != "pending":
            raise Conflict("amendment_already_disposed",
                           f"This amendment was already {DECISION_LABELS[row.status].lower()}.")
        result = Disposition(row, proposal.current_version)
        if decision != "rejected":
            if row.flag_code:
                raise Conflict("amendment_flagged", f"{row.flag_reason} Reject it with a reason, or propose the "
                                                    f"change afresh against version {proposal.current_version}.")
            text = None
            if decision == "accepted_as_modified":
                text = (modified_text or "").strip()
                if row.kind not in ("replace_words", "insert_clause"):
                    raise DomainError("modification_invalid", "Only new wording can be modified; accept or reject "
                                                              "a deletion or a move as it stands.")
                if not text and row.kind == "insert_clause":
                    raise DomainError("clause_empty", "A new clause needs some words in it.")
                if text == row.text:
                    raise DomainError("modification_unchanged", "The modified wording is the same as the amendment's; "
                                                                "accept it as it stands instead.")
                row.modified_text = text
            result = _accept(actor, proposal, row, records.core_of(row, text), reason)
        row.status = decision
        row.disposition_reason = reason
        row.disposed_by_id = actor.id
        row.disposed_at = at
        audit.record(actor, "amendment_disposed", f"amendment {row.id}",
                     f"{DECISION_LABELS[decision]}: amendment {row.ref} to “{proposal.title}”. {reason}".strip(),
                     after={"status": decision, "version": result.version}, proposal_id=proposal.id, public=True)
        mail = notes.amendment_disposed(proposal, row, DECISION_LABELS[decision], result.version, result.flagged,
                                        actor.id)
    send_later(mail)
    announce.to_text(proposal.id, "amendment_disposed",
                     {"id": row.id, "status": row.status, "version": result.version, "flagged": result.flagged})
    return result


def _accept(actor, proposal: Proposal, row: Amendment, core: texts.Amendment, reason: str) -> Disposition:
    current = text_records.version_row(proposal.id, proposal.current_version)
    base = text_records.version_value(current)
    newer = texts.apply(base, [core], proposal.next_clause_number, known_keys=text_records.known_keys(proposal.id))
    how = "accepted as modified" if row.modified_text is not None else "accepted"
    note = f"Amendment {row.id} by {row.author.name} {how}: {reason}"
    text_records.add_version(proposal, current.title, newer.clauses, actor.id, note, number=newer.number)
    row.applied_in_version = newer.number
    moved = records.carry_pending(proposal.id, base, newer, [core], exclude=row.id)
    return Disposition(row, newer.number, moved.carried, moved.flagged)


# ----- composite drafts -----

@dataclass
class ComposePage:
    area: Area
    submissions: list[tuple[Proposal, ProposalVersion]]


def _area(area_id: int) -> Area:
    return found(Area, area_id, "area_not_found", "There is no such area in the framework.")


def compose_page(actor, area_id: int) -> ComposePage:
    area = _area(area_id)
    require(actor, "draft_text", area)
    rows = db.session.execute(
        select(Proposal, ProposalVersion).join(ProposalVersion, (ProposalVersion.proposal_id == Proposal.id)
                                               & (ProposalVersion.number == Proposal.current_version))
        .where(Proposal.area_id == area.id, Proposal.origin == "submission", Proposal.state == "submission")
        .order_by(Proposal.created_at, Proposal.id)).all()
    return ComposePage(area, [(p, v) for p, v in rows])


def compose_draft(actor, area_id: int, title: str, picks: Sequence[tuple[int, str]]) -> Proposal:
    """Combine clauses picked from submissions into a new draft of the convention, keeping provenance."""
    title = text_records.clean_title(title)
    if not picks:
        raise DomainError("composite_empty", "Pick at least one clause from the submissions.")
    with transaction():
        area = _area(area_id)
        require(actor, "draft_text", area)
        convention = conventions.of(area.convention_id)
        conventions.require_phase(convention, Action.DRAFT_TEXT)
        ids = {pid for pid, _ in picks}
        sources = {p.id: (p, v) for p, v in db.session.execute(
            select(Proposal, ProposalVersion).join(ProposalVersion, (ProposalVersion.proposal_id == Proposal.id)
                                                   & (ProposalVersion.number == Proposal.current_version))
            .where(Proposal.id.in_(ids))).all()}
        parts: list[tuple[str, texts.Clause]] = []
        taken: dict[int, int] = defaultdict(int)
        for pid, key in picks:
            if pid not in sources:
                raise NotFound("proposal_not_found", f"There is no submission {pid}.")
            source, version = sources[pid]
            if source.area_id != area.id or source.origin != "submission":
                raise DomainError("composite_source_invalid",
                                  f"“{source.title}” is not a submission of the {area.name} area.")
            clause = next((c for c in version.clauses if c.key == key), None)
            if clause is None:
                raise NotFound("clause_not_found", f"“{source.title}” has no clause {key}.")
            parts.append((f"submission:{pid}", texts.Clause(clause.key, clause.body, frozenset(clause.sources))))
            taken[pid] += 1
        clauses = texts.compose(parts, 1)
        proposal = text_records.new_text(
            convention.id, area, title, clauses, actor.id,
            f"Composite of {len(taken)} submission{'s' if len(taken) != 1 else ''}", origin="convention", state="draft")
        for pid, count in taken.items():
            db.session.add(CompositeSource(composite_id=proposal.id, source_id=pid, clauses_taken=count))
        tracker.merge_sources(actor.id, taken, proposal.id, source="composite")
    return proposal
