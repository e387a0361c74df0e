"""Amendments to a text: propose (by choosing words, or by editing a clause), vote, dispose into new
versions (carrying the pending ones along), compare versions, and combine submissions into a draft.

The rules live in deliberation.texts (validate, apply, conflicts, carry, diffs, compose) and
deliberation.phases (who may act when); this module loads rows, builds core values, calls the
core, writes back, commits, and then emits to the text's room (`text:<id>`).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberation import phases, texts
from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from deliberation.phases import Action
from forum.extensions import db, socketio, transaction
from forum.models import (Amendment, AmendmentVote, Area, CompositeSource, Convention, Proposal, ProposalVersion,
                          VersionClause, utcnow)
from forum.permissions import can, require
from forum.records import conventions
from forum.services import votes
from forum.services.votes import Score
from forum.services.proposals import STATE_LABELS, _search_text, _store_version, get_proposal, get_version

MAX_REASON = 2_000
DECISIONS = ("accepted", "accepted_as_modified", "rejected")
DECISION_LABELS = {"pending": "Open", "accepted": "Accepted", "accepted_as_modified": "Accepted as modified",
                   "rejected": "Rejected", "withdrawn": "Withdrawn"}
ORIGIN_LABELS = {"member": "Member amendment", "drafting": "Drafting amendment", "leadership": "Leadership amendment"}
# What a member can ask for on a page, in words, mapped to the core's amendment kinds.
CHANGES = {
    "replace": "Replace the words",
    "insert_before": "Insert words before them",
    "insert_after": "Insert words after them",
    "delete": "Delete the words",
    "insert_clause": "Add a new clause after this one",
    "delete_clause": "Delete this whole clause",
}
STATUS_FILTERS = {"open": "open", "conflicting": "conflicting", "accepted": "accepted", "rejected": "rejected",
                  "all": "all"}
ORDERS = {"score": "highest score", "newest": "newest", "oldest": "oldest", "position": "place in the clause"}


@dataclass(frozen=True)
class Draft:
    """An amendment as a member asks for it, before it has an id."""

    kind: str  # replace_words | insert_clause | delete_clause | move_clause
    rationale: str
    base_version: int
    clause_key: Optional[str] = None
    start: Optional[int] = None
    end: Optional[int] = None
    text: str = ""
    after_key: Optional[str] = None

    @classmethod
    def from_change(cls, change: str, clause_key: str, first_word: int | None, last_word: int | None, text: str,
                    rationale: str, base_version: int) -> "Draft":
        """A page's change (word numbers counted from 1, both ends included) as a core amendment."""
        if change not in CHANGES:
            raise DomainError("change_invalid", "Choose what the amendment does.")
        if change == "insert_clause":
            return cls("insert_clause", rationale, base_version, after_key=clause_key, text=text)
        if change == "delete_clause":
            return cls("delete_clause", rationale, base_version, clause_key=clause_key)
        if first_word is None:
            raise DomainError("span_empty", "Choose at least one word to change, or type the words to insert.")
        last = first_word if last_word is None else last_word
        start, end = first_word - 1, last
        if change == "insert_before":
            end = start
        elif change == "insert_after":
            start = end
        elif change == "delete":
            text = ""
        return cls("replace_words", rationale, base_version, clause_key=clause_key, start=start, end=end, text=text)


# ----- rows and core values -----

def _version_value(version: ProposalVersion) -> texts.Version:
    return texts.Version(version.number, tuple(
        texts.Clause(c.key, c.body, frozenset(c.sources)) for c in version.clauses))


def _known_keys(proposal_id: int) -> set[str]:
    return set(db.session.scalars(
        select(VersionClause.key).join(ProposalVersion, VersionClause.version_id == ProposalVersion.id)
        .where(ProposalVersion.proposal_id == proposal_id).distinct()))


def _core(kind: str, ref: str, base_version: int, rationale: str, clause_key: str | None, after_key: str | None,
          start: int | None, end: int | None, text: str) -> texts.Amendment:
    common = dict(base_version=base_version, rationale=rationale, ref=ref)
    if kind == "replace_words":
        if clause_key is None or start is None or end is None:
            raise DomainError("span_empty", "Choose the clause and the words to change.")
        return texts.ReplaceWords(clause_key, start, end, text, **common)
    if kind == "insert_clause":
        return texts.InsertClause(after_key, text, **common)
    if kind == "delete_clause":
        return texts.DeleteClause(clause_key or "", **common)
    if kind == "move_clause":
        return texts.MoveClause(clause_key or "", after_key, **common)
    raise DomainError("kind_invalid", "An amendment replaces words, inserts, deletes or moves a clause.")


def core_of(row: Amendment, text: str | None = None) -> texts.Amendment:
    return _core(row.kind, row.ref, row.base_version, row.rationale, row.clause_key, row.after_key,
                 row.start, row.end, row.text if text is None else text)


def _ops(amendment: texts.Amendment, version: texts.Version) -> list[tuple[str, str]]:
    """The word diff an amendment makes to its clause, for showing it inline."""
    if isinstance(amendment, texts.InsertClause):
        return [(texts.INSERT, amendment.body)]
    clause = version.clause(amendment.clause_key)
    assert clause is not None
    if isinstance(amendment, texts.DeleteClause):
        return [(texts.DELETE, clause.body)]
    if isinstance(amendment, texts.MoveClause):
        return [(texts.EQUAL, clause.body)]
    alone = texts.Version(version.number, (texts.Clause(clause.key, clause.body),))
    changed = texts.apply(alone, [amendment], texts.key_number(clause.key) + 1)
    return texts.diff_words(clause.body, changed.clauses[0].body)


def _announce(proposal_id: int, event: str, payload: dict) -> None:
    socketio.emit(event, payload, to=f"text:{proposal_id}")
    if event == "amendment_proposed":
        # Open live sessions deliberating this text show it at its clause too.
        from forum import announce
        from forum.records import sessions as session_records
        announce.to_sessions("amendment_proposed", session_records.amendment_notices(payload["id"]))


def _amendment(amendment_id: int) -> Amendment:
    row = db.session.get(Amendment, amendment_id)
    if row is None:
        raise NotFound("amendment_not_found", "There is no such amendment.")
    return row


def _timeline(proposal: Proposal) -> phases.Timeline:
    convention = db.session.get(Convention, proposal.convention_id)
    return conventions.timeline(convention)


# ----- who may amend what, when -----

def _origin_for(actor, proposal: Proposal, timeline: phases.Timeline, at: datetime, drafter: bool) -> str:
    """Which kind of amendment this person may propose to this text now, or the refusal in their words."""
    state = proposal.state
    if state == "interim":
        phases.check(Action.PROPOSE_AMENDMENT, timeline, at)
        return "member"
    if state in ("draft", "consensus", "final"):
        leader = actor.has_role("leadership")
        if state == "final" and leader and phases.allowed(Action.LEADERSHIP_AMEND, timeline, at).allowed:
            return "leadership"
        if drafter and phases.allowed(Action.DRAFT_TEXT, timeline, at).allowed:
            return "drafting"
        if state == "final" and leader:
            phases.check(Action.LEADERSHIP_AMEND, timeline, at)
        if drafter:
            phases.check(Action.DRAFT_TEXT, timeline, at)
        who = "the assembly's drafters" + (" and, in the leadership round, the leadership" if state == "final" else "")
        raise NotAllowed("amendment_not_yours", f"Amendments to this {STATE_LABELS[state].lower()} come from {who}.")
    raise DomainError("amendments_not_open",
                      f"A text in the state “{STATE_LABELS.get(state, state)}” is not open to amendments: members "
                      "amend interim proposals, and the assembly amends its drafts.")


# ----- proposing -----

def propose_amendment(actor, proposal_id: int, draft: Draft) -> Amendment:
    with transaction():
        proposal = get_proposal(proposal_id)
        require(actor, "propose_amendment", proposal)
        origin = _origin_for(actor, proposal, _timeline(proposal), conventions.now(),
                             can(actor, "draft_text", proposal))
        row = _store_new(actor, proposal, draft, origin)
    _announce(proposal.id, "amendment_proposed", {"id": row.id, "clause": row.clause_key or row.after_key})
    return row


def propose_edit(actor, proposal_id: int, clause_key: str, new_body: str, rationale: str,
                 base_version: int) -> Amendment:
    """A member edited a clause's wording in place: the word-level change becomes the amendment.

    The core finds the changed stretches (amendments_from_edit); one proposal is one amendment, so
    several stretches become one replacement from the first to the last changed word.
    """
    with transaction():
        proposal = get_proposal(proposal_id)
        require(actor, "propose_amendment", proposal)
        origin = _origin_for(actor, proposal, _timeline(proposal), conventions.now(),
                             can(actor, "draft_text", proposal))
        _, current = get_version(proposal.id)
        version = _version_value(current)
        if base_version != version.number or version.clause(clause_key) is None:
            # A stale version or a clause not (or no longer) in the text: the core says which, in its words.
            probe = texts.DeleteClause(clause_key, base_version=base_version, rationale="-", ref="amendment:new")
            texts.validate(probe, version, known_keys=_known_keys(proposal.id))
        regions = texts.amendments_from_edit(version, clause_key, new_body, rationale, "amendment:new")
        if not regions:
            raise DomainError("amendment_changes_nothing", "The wording is unchanged, so there is nothing to propose.")
        draft = _merge_regions(version, clause_key, new_body, regions, rationale, base_version)
        row = _store_new(actor, proposal, draft, origin)
    _announce(proposal.id, "amendment_proposed", {"id": row.id, "clause": row.clause_key})
    return row


def _merge_regions(version: texts.Version, clause_key: str, new_body: str, regions: Sequence[texts.ReplaceWords],
                   rationale: str, base_version: int) -> Draft:
    if len(regions) == 1:
        r = regions[0]
        return Draft("replace_words", rationale, base_version, clause_key=clause_key, start=r.start, end=r.end,
                     text=r.text)
    old_count = len(texts.words(version.clause(clause_key).body))
    new_words = list(re.finditer(r"\S+", new_body))  # words as deliberation.texts counts them
    first, last = regions[0].start, regions[-1].end
    upto = len(new_words) - (old_count - last)  # the words after the last change are unchanged
    text = new_body[new_words[first].start():new_words[upto - 1].end()] if upto > first else ""
    return Draft("replace_words", rationale, base_version, clause_key=clause_key, start=first, end=last, text=text)


def _store_new(actor, proposal: Proposal, draft: Draft, origin: str) -> Amendment:
    _, current = get_version(proposal.id)
    version = _version_value(current)
    rationale = (draft.rationale or "").strip()
    text = (draft.text or "").strip()
    core = _core(draft.kind, "amendment:new", draft.base_version, rationale, draft.clause_key, draft.after_key,
                 draft.start, draft.end, text)
    texts.validate(core, version, known_keys=_known_keys(proposal.id))
    row = Amendment(proposal_id=proposal.id, base_version=draft.base_version, kind=draft.kind, origin=origin,
                    clause_key=draft.clause_key, after_key=draft.after_key, start=draft.start, end=draft.end,
                    text=text, rationale=rationale, author_id=actor.id, status="pending",
                    ops_json=json.dumps(_ops(core, version)))
    db.session.add(row)
    db.session.flush()
    return row


# ----- voting -----

def vote_amendment(actor, amendment_id: int, value: int) -> Score:
    """Vote up (1) or down (-1), change the vote, or withdraw it (0). One vote per member."""
    votes.check_value(value)
    with transaction():
        row = _amendment(amendment_id)
        require(actor, "vote_amendment", row)
        conventions.require_phase(db.session.get(Convention, row.proposal.convention_id), Action.VOTE_AMENDMENT)
        if row.status != "pending":
            raise Conflict("amendment_disposed",
                           f"This amendment was {DECISION_LABELS[row.status].lower()}, so its votes are closed.")
        score = votes.cast(db.session, row, AmendmentVote, "amendment_id", actor.id, value)
    _announce(score.proposal_id, "amendment_scored", score.as_dict())
    return score


# ----- dispositions -----

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
        raise DomainError("reason_too_long", f"The reason is {len(reason):,} characters long; the limit is {MAX_REASON:,}.",
                          limit=MAX_REASON)
    at = at or conventions.now()
    with transaction():
        row = _amendment(amendment_id)
        proposal = row.proposal
        require(actor, "draft_text", proposal)
        phases.check(_disposal_action(row.origin), _timeline(proposal), at)
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
            result = _accept(actor, proposal, row, core_of(row, text), reason)
        row.status = decision
        row.disposition_reason = reason
        row.disposed_by_id = actor.id
        row.disposed_at = at
    _announce(proposal.id, "amendment_disposed",
              {"id": row.id, "status": row.status, "version": result.version, "flagged": result.flagged})
    return result


def _accept(actor, proposal: Proposal, row: Amendment, core: texts.Amendment, reason: str) -> Disposition:
    _, current = get_version(proposal.id)
    base = _version_value(current)
    newer = texts.apply(base, [core], proposal.next_clause_number, known_keys=_known_keys(proposal.id))
    how = "accepted as modified" if row.modified_text is not None else "accepted"
    note = f"Amendment {row.id} by {row.author.name} {how}: {reason}"
    _store_version(proposal, newer.number, current.title, newer.clauses, actor.id, note)
    proposal.current_version = newer.number
    proposal.next_clause_number = max(proposal.next_clause_number, texts.next_key_number(newer.keys))
    proposal.search_text = _search_text(current.title, newer.clauses)
    proposal.updated_at = utcnow()
    row.applied_in_version = newer.number
    result = Disposition(row, newer.number)
    others = list(db.session.scalars(select(Amendment).where(
        Amendment.proposal_id == proposal.id, Amendment.status == "pending", Amendment.id != row.id,
        Amendment.base_version == base.number, Amendment.flag_code.is_(None))))
    _carry(others, base, newer, [core], result)
    return result


def _carry(rows: Sequence[Amendment], base: texts.Version, newer: texts.Version, applied: Sequence[texts.Amendment],
           result: Disposition) -> None:
    by_ref = {r.ref: r for r in rows}
    carried = texts.carry_pending([core_of(r) for r in rows], base, newer, applied)
    for moved in carried.carried:
        r = by_ref[moved.ref]
        r.base_version = moved.base_version
        if isinstance(moved, texts.ReplaceWords):
            r.start, r.end = moved.start, moved.end
        if isinstance(moved, (texts.InsertClause, texts.MoveClause)):
            r.after_key = moved.after_key
        r.ops_json = json.dumps(_ops(moved, newer))
        result.carried.append(r.id)
    for flag in carried.flagged:
        r = by_ref[flag.amendment.ref]
        r.flag_code, r.flag_reason, r.flagged_by = flag.code, flag.reason, flag.conflicting
        result.flagged.append(r.id)


def carry_after_edit(proposal: Proposal, old: ProposalVersion, new_clauses: Sequence[texts.Clause],
                     new_number: int) -> None:
    """A drafter saved an edited version: carry the pending amendments onto it (inside the caller's transaction)."""
    rows = list(db.session.scalars(select(Amendment).where(
        Amendment.proposal_id == proposal.id, Amendment.status == "pending",
        Amendment.base_version == old.number, Amendment.flag_code.is_(None))))
    if not rows:
        return
    base = _version_value(old)
    newer = texts.Version(new_number, tuple(new_clauses))
    applied = texts.amendments_between(base, newer, ref_prefix=f"version:{new_number}")
    _carry(rows, base, newer, applied, Disposition(rows[0], new_number))


# ----- reading -----

@dataclass
class ProposalAmendments:
    """Everything the proposal page shows about amendments, loaded in a fixed number of queries."""

    by_clause: dict[str, list[Amendment]]
    elsewhere: list[Amendment]  # amendments whose clause is not in this version (deleted, or an older version)
    conflicts: dict[int, list[tuple[int, str]]]
    open_counts: dict[str, int]
    total: int
    shown: int
    mine: dict[int, int]
    ops: dict[int, list]
    origin: Optional[str]  # the kind of amendment this person may propose now, if any
    refusal: Optional[str]  # else why not, in the core's words
    can_vote: bool
    vote_refusal: Optional[str]
    can_dispose: bool
    dispose_refusal: Optional[str]
    sources: dict[str, "Source"]
    status: str
    order: str
    clause: Optional[str]
    version_number: int
    changes: dict[str, str] = field(default_factory=lambda: CHANGES)


@dataclass(frozen=True)
class Source:
    ref: str
    kind: str  # submission | amendment | other
    id: Optional[int]
    label: str


def _sort_key(order: str):
    if order == "newest":
        return lambda a: (-a.created_at.timestamp(), -a.id)
    if order == "oldest":
        return lambda a: (a.created_at.timestamp(), a.id)
    if order == "position":
        return lambda a: (a.start if a.start is not None else -1, a.id)
    return lambda a: (-a.score, a.created_at.timestamp(), a.id)


def _matches(row: Amendment, status: str, conflicting: set[int]) -> bool:
    if status == "open":
        return row.status == "pending"
    if status == "conflicting":
        return row.status == "pending" and (row.id in conflicting or row.flag_code is not None)
    if status == "accepted":
        return row.status in ("accepted", "accepted_as_modified")
    if status == "rejected":
        return row.status == "rejected"
    return True


def amendment_page(actor, proposal: Proposal, version: ProposalVersion, status: str = "open", order: str = "score",
                   clause: str | None = None) -> ProposalAmendments:
    status = status if status in STATUS_FILTERS else "open"
    order = order if order in ORDERS else "score"
    rows = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)
                                   .options(joinedload(Amendment.disposed_by))).unique())
    conflicts = _conflicts(rows, proposal.current_version)
    conflicting = set(conflicts)
    keys = {c.key for c in version.clauses}
    by_clause: dict[str, list[Amendment]] = defaultdict(list)
    open_counts: dict[str, int] = defaultdict(int)
    elsewhere: list[Amendment] = []
    shown = 0
    for row in sorted(rows, key=_sort_key(order)):
        target = row.clause_key if row.kind != "insert_clause" else (row.after_key or version.clauses[0].key)
        here = target in keys and (row.status != "pending" or row.base_version == version.number
                                   or row.flag_code is not None)
        if row.status == "pending" and here:
            open_counts[target] += 1
        if not _matches(row, status, conflicting) or (clause and target != clause):
            continue
        shown += 1
        (by_clause[target] if here else elsewhere).append(row)
    mine = _my_votes(actor, proposal.id)
    timeline = _timeline(proposal)
    at = conventions.now()
    signed_in = bool(getattr(actor, "is_authenticated", False))
    drafter = signed_in and can(actor, "draft_text", proposal)
    origin = refusal = None
    if version.number != proposal.current_version:
        refusal = f"You are reading version {version.number}; amendments are made to the current version."
    elif signed_in:
        try:
            origin = _origin_for(actor, proposal, timeline, at, drafter)
        except DomainError as err:
            refusal = err.message
    vote = phases.allowed(Action.VOTE_AMENDMENT, timeline, at)
    dispose = phases.allowed(Action.DISPOSE_AMENDMENT, timeline, at)
    if not dispose.allowed and proposal.state == "final":
        dispose = phases.allowed(Action.DECIDE_LEADERSHIP_AMENDMENT, timeline, at)
    return ProposalAmendments(
        by_clause=dict(by_clause), elsewhere=elsewhere, conflicts=conflicts, open_counts=dict(open_counts),
        total=len(rows), shown=shown, mine=mine, ops={r.id: json.loads(r.ops_json) for r in rows},
        origin=origin, refusal=refusal, can_vote=signed_in and vote.allowed,
        vote_refusal=None if vote.allowed else vote.reason,
        can_dispose=drafter and dispose.allowed, dispose_refusal=None if dispose.allowed else dispose.reason,
        sources=_sources([s for c in version.clauses for s in c.sources], rows),
        status=status, order=order, clause=clause, version_number=version.number)


def _conflicts(rows: Iterable[Amendment], current: int) -> dict[int, list[tuple[int, str]]]:
    """Conflicting pairs among the open amendments to the current version, both ways round."""
    pending = [r for r in rows if r.status == "pending" and r.base_version == current and r.flag_code is None]
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for c in texts.explain_conflicts([core_of(r) for r in pending]):
        first, second = int(c.first.split(":")[1]), int(c.second.split(":")[1])
        found[first].append((second, c.reason))
        found[second].append((first, c.reason))
    return dict(found)


def _my_votes(actor, proposal_id: int) -> dict[int, int]:
    if not getattr(actor, "is_authenticated", False):
        return {}
    return dict(db.session.execute(
        select(AmendmentVote.amendment_id, AmendmentVote.value)
        .join(Amendment, Amendment.id == AmendmentVote.amendment_id)
        .where(Amendment.proposal_id == proposal_id, AmendmentVote.user_id == actor.id)).all())


def _sources(refs: Iterable[str], amendments: Sequence[Amendment]) -> dict[str, Source]:
    """Name every provenance ref: submissions by title, amendments by number and author (one query)."""
    refs = set(refs)
    ids = {int(r.split(":")[1]) for r in refs if r.startswith("submission:") and r.split(":")[1].isdigit()}
    titles = dict(db.session.execute(select(Proposal.id, Proposal.title).where(Proposal.id.in_(ids))).all())
    known = {a.id: a for a in amendments}
    result = {}
    for ref in refs:
        kind, _, rest = ref.partition(":")
        if kind == "submission" and rest.isdigit() and int(rest) in titles:
            result[ref] = Source(ref, "submission", int(rest), f"Submission “{titles[int(rest)]}”")
        elif kind == "amendment" and rest.isdigit() and int(rest) in known:
            a = known[int(rest)]
            result[ref] = Source(ref, "amendment", a.id, f"Amendment {a.id} by {a.author.name}")
        elif kind == "seed":
            result[ref] = Source(ref, "other", None, "The published interim proposals")
        elif kind == "version":
            result[ref] = Source(ref, "other", None, f"The drafters' edit in version {rest}")
        else:
            result[ref] = Source(ref, "other", None, ref)
    return result


def list_amendments(proposal_id: int, status: str = "all", order: str = "score", clause: str | None = None,
                    origin: str | None = None) -> tuple[list[Amendment], dict[int, list[tuple[int, str]]]]:
    proposal = get_proposal(proposal_id)
    rows = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)))
    conflicts = _conflicts(rows, proposal.current_version)
    picked = [r for r in rows if _matches(r, status if status in STATUS_FILTERS else "all", set(conflicts))
              and (not clause or clause in (r.clause_key, r.after_key)) and (not origin or r.origin == origin)]
    return sorted(picked, key=_sort_key(order)), conflicts


def get_amendment(amendment_id: int) -> Amendment:
    return _amendment(amendment_id)


# ----- comparing versions -----

@dataclass
class Comparison:
    proposal: Proposal
    old: ProposalVersion
    new: ProposalVersion
    clauses: list[texts.ClauseDiff]
    sources: dict[str, Source]
    numbers: list[int]


def compare_versions(proposal_id: int, old_number: int, new_number: int) -> Comparison:
    proposal = get_proposal(proposal_id)
    rows = {v.number: v for v in db.session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id))}
    for n in (old_number, new_number):
        if n not in rows:
            raise NotFound("version_not_found", f"This proposal has no version {n}.")
    a, b = _version_value(rows[old_number]), _version_value(rows[new_number])
    diffs = texts.diff_versions(a, b)
    amendments = list(db.session.scalars(select(Amendment).where(Amendment.proposal_id == proposal.id)))
    sources = _sources([s for d in diffs for s in d.sources], amendments)
    return Comparison(proposal, rows[old_number], rows[new_number], diffs, sources, sorted(rows))


# ----- composite drafts -----

@dataclass
class ComposePage:
    area: Area
    submissions: list[tuple[Proposal, ProposalVersion]]


def compose_page(actor, area_id: int) -> ComposePage:
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound("area_not_found", "There is no such area in the framework.")
    require(actor, "draft_text", area)
    rows = db.session.execute(
        select(Proposal, ProposalVersion).join(ProposalVersion, (ProposalVersion.proposal_id == Proposal.id)
                                               & (ProposalVersion.number == Proposal.current_version))
        .where(Proposal.area_id == area.id, Proposal.origin == "submission", Proposal.state == "submission")
        .order_by(Proposal.created_at, Proposal.id)).all()
    return ComposePage(area, [(p, v) for p, v in rows])


def compose_draft(actor, area_id: int, title: str, picks: Sequence[tuple[int, str]]) -> Proposal:
    """Combine clauses picked from submissions into a new draft of the convention, keeping provenance."""
    from forum.services.proposals import _clean_title
    title = _clean_title(title)
    if not picks:
        raise DomainError("composite_empty", "Pick at least one clause from the submissions.")
    with transaction():
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound("area_not_found", "There is no such area in the framework.")
        require(actor, "draft_text", area)
        convention = db.session.get(Convention, area.convention_id)
        conventions.require_phase(convention, Action.DRAFT_TEXT)
        ids = {pid for pid, _ in picks}
        found = {p.id: (p, v) for p, v in db.session.execute(
            select(Proposal, ProposalVersion).join(ProposalVersion, (ProposalVersion.proposal_id == Proposal.id)
                                                   & (ProposalVersion.number == Proposal.current_version))
            .where(Proposal.id.in_(ids))).all()}
        parts: list[tuple[str, texts.Clause]] = []
        taken: dict[int, int] = defaultdict(int)
        for pid, key in picks:
            if pid not in found:
                raise NotFound("proposal_not_found", f"There is no submission {pid}.")
            source, version = found[pid]
            if source.area_id != area.id or source.origin != "submission":
                raise DomainError("composite_source_invalid",
                                  f"“{source.title}” is not a submission of the {area.name} area.")
            clause = next((c for c in version.clauses if c.key == key), None)
            if clause is None:
                raise NotFound("clause_not_found", f"“{source.title}” has no clause {key}.")
            parts.append((f"submission:{pid}", texts.Clause(clause.key, clause.body, frozenset(clause.sources))))
            taken[pid] += 1
        clauses = texts.compose(parts, 1)
        proposal = Proposal(convention_id=convention.id, area_id=area.id, title=title, origin="convention",
                            state="draft", author_id=actor.id, current_version=1,
                            next_clause_number=len(clauses) + 1, search_text=_search_text(title, clauses))
        db.session.add(proposal)
        db.session.flush()
        _store_version(proposal, 1, title, clauses, actor.id,
                       f"Composite of {len(taken)} submission{'s' if len(taken) != 1 else ''}")
        for pid, count in taken.items():
            db.session.add(CompositeSource(composite_id=proposal.id, source_id=pid, clauses_taken=count))
        from forum.services import tracking
        tracking.record_start(proposal, actor.id)
        tracking.merge_sources(actor.id, taken, proposal.id, source="composite")
    return proposal


def composite_sources(proposal_id: int) -> list[CompositeSource]:
    return list(db.session.scalars(select(CompositeSource).where(CompositeSource.composite_id == proposal_id)))
