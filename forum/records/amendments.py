"""Amendments as rows: build the core's amendment from a row, store the word diff it shows, carry
the pending ones onto a new version, find conflicts and name provenance. Inside the caller's
transaction."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import select

from deliberation import phases, texts
from deliberation.errors import DomainError, NotAllowed
from deliberation.phases import Action
from forum.extensions import db
from forum.models import Amendment, Proposal, ProposalVersion
from forum.records.common import found
from forum.records.texts import STATE_LABELS, version_value

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


def get(amendment_id: int) -> Amendment:
    return found(Amendment, amendment_id, "amendment_not_found", "There is no such amendment.")


def core(kind: str, ref: str, base_version: int, rationale: str, clause_key: str | None, after_key: str | None,
         start: int | None, end: int | None, text: str) -> texts.Amendment:
    if kind == "replace_words":
        if clause_key is None or start is None or end is None:
            raise DomainError("span_empty", "Choose the clause and the words to change.")
        return texts.ReplaceWords(clause_key, start, end, text, base_version=base_version, rationale=rationale, ref=ref)
    if kind == "insert_clause":
        return texts.InsertClause(after_key, text, base_version=base_version, rationale=rationale, ref=ref)
    if kind == "delete_clause":
        return texts.DeleteClause(clause_key or "", base_version=base_version, rationale=rationale, ref=ref)
    if kind == "move_clause":
        return texts.MoveClause(clause_key or "", after_key, base_version=base_version, rationale=rationale, ref=ref)
    raise DomainError("kind_invalid", "An amendment replaces words, inserts, deletes or moves a clause.")


def core_of(row: Amendment, text: str | None = None) -> texts.Amendment:
    return core(row.kind, row.ref, row.base_version, row.rationale, row.clause_key, row.after_key,
                row.start, row.end, row.text if text is None else text)


def ops(amendment: texts.Amendment, version: texts.Version) -> list[tuple[str, str]]:
    """The word diff an amendment makes to its clause, for showing it inline."""
    if isinstance(amendment, texts.InsertClause):
        return [(texts.INSERT, amendment.body)]
    assert isinstance(amendment, (texts.ReplaceWords, texts.DeleteClause, texts.MoveClause))
    clause = version.clause(amendment.clause_key)
    assert clause is not None
    if isinstance(amendment, texts.DeleteClause):
        return [(texts.DELETE, clause.body)]
    if isinstance(amendment, texts.MoveClause):
        return [(texts.EQUAL, clause.body)]
    alone = texts.Version(version.number, (texts.Clause(clause.key, clause.body),))
    changed = texts.apply(alone, [amendment], texts.key_number(clause.key) + 1)
    return texts.diff_words(clause.body, changed.clauses[0].body)


def origin_for(proposal: Proposal, timeline: phases.Timeline, at: datetime, drafter: bool, leader: bool) -> str:
    """Which kind of amendment this person may propose to this text now, or the refusal in their words.

    The text's state and the phases decide; `drafter` and `leader` are the caller's permission checks
    ("draft_text" and "amend_as_leadership")."""
    state = proposal.state
    if state == "interim":
        phases.check(Action.PROPOSE_AMENDMENT, timeline, at)
        return "member"
    if state in ("draft", "consensus", "final"):
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


# ----- carrying pending amendments onto a new version -----

@dataclass
class Carried:
    carried: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)


def carry(rows: Sequence[Amendment], base: texts.Version, newer: texts.Version,
          applied: Sequence[texts.Amendment]) -> Carried:
    """Move each pending amendment onto `newer`; those that touch what changed are flagged, never dropped."""
    result = Carried()
    by_ref = {r.ref: r for r in rows}
    moved_on = texts.carry_pending([core_of(r) for r in rows], base, newer, applied)
    for moved in moved_on.carried:
        r = by_ref[moved.ref]
        r.base_version = moved.base_version
        if isinstance(moved, texts.ReplaceWords):
            r.start, r.end = moved.start, moved.end
        if isinstance(moved, (texts.InsertClause, texts.MoveClause)):
            r.after_key = moved.after_key
        r.ops_json = json.dumps(ops(moved, newer))
        result.carried.append(r.id)
    for flag in moved_on.flagged:
        r = by_ref[flag.amendment.ref]
        r.flag_code, r.flag_reason, r.flagged_by = flag.code, flag.reason, flag.conflicting
        result.flagged.append(r.id)
    return result


def pending_on(proposal_id: int, version_number: int, exclude: int | None = None) -> list[Amendment]:
    """The open, unflagged amendments made to this version of the text."""
    stmt = select(Amendment).where(
        Amendment.proposal_id == proposal_id, Amendment.status == "pending",
        Amendment.base_version == version_number, Amendment.flag_code.is_(None))
    if exclude is not None:
        stmt = stmt.where(Amendment.id != exclude)
    return list(db.session.scalars(stmt))


def carry_pending(proposal_id: int, base: texts.Version, newer: texts.Version, applied: Sequence[texts.Amendment],
                  exclude: int | None = None) -> Carried:
    return carry(pending_on(proposal_id, base.number, exclude), base, newer, applied)


def carry_after_edit(proposal: Proposal, old: ProposalVersion, new_clauses: Sequence[texts.Clause],
                     new_number: int) -> Carried:
    """A drafter saved an edited version: carry the pending amendments onto it."""
    rows = pending_on(proposal.id, old.number)
    if not rows:
        return Carried()
    base = version_value(old)
    newer = texts.Version(new_number, tuple(new_clauses))
    applied = texts.amendments_between(base, newer, ref_prefix=f"version:{new_number}")
    return carry(rows, base, newer, applied)


# ----- reading -----

def sort_key(order: str):
    if order == "newest":
        return lambda a: (-a.created_at.timestamp(), -a.id)
    if order == "oldest":
        return lambda a: (a.created_at.timestamp(), a.id)
    if order == "position":
        return lambda a: (a.start if a.start is not None else -1, a.id)
    return lambda a: (-a.score, a.created_at.timestamp(), a.id)


def matches(row: Amendment, status: str, conflicting: set[int]) -> bool:
    if status == "open":
        return row.status == "pending"
    if status == "conflicting":
        return row.status == "pending" and (row.id in conflicting or row.flag_code is not None)
    if status == "accepted":
        return row.status in ("accepted", "accepted_as_modified")
    if status == "rejected":
        return row.status == "rejected"
    return True


def conflicts(rows: Iterable[Amendment], current: int) -> dict[int, list[tuple[int, str]]]:
    """Conflicting pairs among the open amendments to the current version, both ways round."""
    pending = [r for r in rows if r.status == "pending" and r.base_version == current and r.flag_code is None]
    pairs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for c in texts.explain_conflicts([core_of(r) for r in pending]):
        first, second = int(c.first.split(":")[1]), int(c.second.split(":")[1])
        pairs[first].append((second, c.reason))
        pairs[second].append((first, c.reason))
    return dict(pairs)


@dataclass(frozen=True)
class Source:
    ref: str
    kind: str  # submission | amendment | other
    id: Optional[int]
    label: str


def sources(refs: Iterable[str], amendments: Sequence[Amendment]) -> dict[str, Source]:
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
