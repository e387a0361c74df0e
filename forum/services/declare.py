"""Declare a closed ballot's result on the texts it was built from.

A ballot is built from texts: each text a section, each of its clauses one question. Once the
ballot has closed and its results are public, an administrator records the result on the texts.

The rule
    A text is carried when at least one of its clauses carried, and not carried when none did; a
    leadership counter-proposal is adopted or not adopted the same way.
    A clause carried when its question was *adopted*: it reached its majority and, if the
    leadership's counter-proposal stood beside it, the core's pair decision
    (deliberation.ballot.decide_pair) chose it. A clause that reached its majority but lost to
    the counter-proposal counts as not carried.

What is recorded
    Each text gets the tracker's ballot-declared event (tracker.BallotDeclared.from_clauses):
    on_ballot -> carried | not_carried, with, per clause, carried or not and its counts as
    evidence, and a reason in words ("Carried: 17 of 19 clauses carried; clauses 12 and 13 were
    not carried."), which for a clause that stood beside a counter-proposal names the other text
    and gives the pair rule's reason, on both texts. A carried text also gets a new version, the
    adopted text, holding only the clauses that carried, keeping their keys, with "ballot:<id>"
    added to each clause's sources.

    The tracker decides: a text that is not on the ballot in the tracker (still interim, say, or
    already decided by another ballot) is refused with the tracker's own words and listed; the
    other texts are still declared. Declaring again changes nothing and says so.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from deliberation import phases, texts, tracker
from deliberation.errors import DomainError
from forum import announce
from forum.extensions import db, transaction
from forum.models import Convention, Proposal, ProposalVersion, Transition
from forum.permissions import require
from forum.records import audit, ballots, conventions
from forum.records import notifications as notes
from forum.records import texts as text_records
from forum.records import tracker as tracker_records

ADOPTED_NOTE = "Adopted by the all-member ballot"
DECLARED = frozenset({"carried", "not_carried", "adopted", "not_adopted"})  # outcomes that moved a text


@dataclass(frozen=True)
class TextOutcome:
    proposal_id: int
    title: str
    outcome: str  # carried | not_carried | adopted | not_adopted (a counter-proposal) | already_declared | refused
    message: str
    adopted_version: int | None = None

    def as_dict(self) -> dict:
        return {"proposal": self.proposal_id, "title": self.title, "outcome": self.outcome,
                "message": self.message, "adopted_version": self.adopted_version}


@dataclass(frozen=True)
class Declaration:
    ballot_id: int
    texts: tuple[TextOutcome, ...]

    @property
    def changed(self) -> bool:
        return any(t.outcome in DECLARED for t in self.texts)

    @property
    def message(self) -> str:
        declared = sum(t.outcome in DECLARED for t in self.texts)
        refused = sum(t.outcome == "refused" for t in self.texts)
        if not self.changed:
            head = "Nothing changed: the result was already declared on every text it could be."
            if not any(t.outcome == "already_declared" for t in self.texts):
                head = "Nothing changed: no text could take this result."
        else:
            head = f"The result is declared on {declared:,} {'text' if declared == 1 else 'texts'}."
        if refused:
            head += f" {refused:,} {'text was' if refused == 1 else 'texts were'} refused by the tracker."
        return head

    def as_dict(self) -> dict:
        return {"ballot": self.ballot_id, "changed": self.changed, "message": self.message,
                "texts": [t.as_dict() for t in self.texts]}


def _other_half(page: ballots.ResultsPage, question_id: int, pair) -> str:
    """The other question of a counter-proposal pair, in words: 'the counter-proposal “…” (question 1.2)'."""
    other_id = pair.counter_id if question_id == pair.proposal_id else pair.proposal_id
    other = page.questions[other_id]
    text = db.session.get(Proposal, other.proposal_id) if other.proposal_id is not None else None
    kind = "the counter-proposal" if other_id == pair.counter_id else "the proposal"
    named = f"{kind} “{text.title}”" if text is not None else kind
    return f"{named} (question {page.labels[other_id]})"


def _clause_results(page: ballots.ResultsPage, questions: list, numbers: dict[str, int]) -> list[tracker.ClauseResult]:
    results = []
    for order, q in enumerate(questions, start=1):
        r = page.results.question(q.id)
        reason = r.reason
        pair = page.results.pair_for(q.id)
        paired_with, pair_reason = "", ""
        if pair is not None:
            reason = f"{reason}. {pair.reason}"
            paired_with, pair_reason = _other_half(page, q.id, pair), pair.reason
        results.append(tracker.ClauseResult(
            number=numbers.get(q.clause_key or "", order), key=q.clause_key, carried=r.adopted,
            votes_for=r.count.votes_for, votes_against=r.count.against, abstentions=r.count.abstained,
            reason=reason, paired_with=paired_with, pair_reason=pair_reason))
    return results


def _adopt(proposal: Proposal, version: ProposalVersion, carried: set[str], ballot_id: int, actor_id: int) -> int:
    """Save the adopted text: the clauses that carried, keys kept, the ballot added to their sources."""
    source = f"ballot:{ballot_id}"
    kept = [texts.Clause(c.key, c.body, frozenset(c.sources) | {source}) for c in version.clauses if c.key in carried]
    return text_records.add_version(proposal, version.title, kept, actor_id, ADOPTED_NOTE)


def declare_result(actor, ballot_id: int) -> Declaration:
    """Record a closed ballot's result on each text that has questions on it (see the module's rule)."""
    require(actor, "manage_ballots")
    now = conventions.now()
    row = ballots.load(ballot_id)
    if now < row.closes_at:
        raise DomainError(
            "ballot_not_closed",
            f"The ballot closes {phases.format_moment(row.closes_at, _tz(row))}; its result can be declared on "
            "the texts only once it has closed and the results are published.")
    page = ballots.results(row, now)
    by_text: dict[int, list] = defaultdict(list)
    for section in row.sections:
        for q in section.questions:
            if q.proposal_id is not None:
                by_text[q.proposal_id].append(q)
    source = f"ballot:{row.id}"
    outcomes: list[TextOutcome] = []
    contexts = []
    with transaction():
        for proposal_id in sorted(by_text):
            ctx = tracker_records.load(proposal_id)
            proposal = ctx.proposal
            done = db.session.scalar(select(Transition.id).where(
                Transition.proposal_id == proposal.id, Transition.event == "ballot_declared",
                Transition.source == source))
            if done is not None:
                outcomes.append(TextOutcome(proposal.id, proposal.title, "already_declared",
                                            f"Already declared: this text is {tracker.STATE_WORDS[ctx.status.state]}."))
                continue
            version = db.session.scalar(select(ProposalVersion).where(
                ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == proposal.current_version))
            numbers = {c.key: c.number for c in version.clauses}
            clauses = _clause_results(page, by_text[proposal_id], numbers)
            event = tracker.BallotDeclared.from_clauses(clauses)
            try:
                record = tracker_records.apply(ctx, event, actor.id, source)
            except DomainError as refusal:
                if refusal.code != "transition_not_allowed":
                    raise
                outcomes.append(TextOutcome(proposal.id, proposal.title, "refused", refusal.message))
                continue
            adopted = None
            if event.carried:
                adopted = _adopt(proposal, version, {c.key for c in clauses if c.carried}, row.id, actor.id)
            outcomes.append(TextOutcome(proposal.id, proposal.title, ctx.status.state.value, record.reason, adopted))
            if ctx.moved:
                notes.text_moved(proposal, ctx.moved[-1], actor.id)
            contexts.append(ctx)
        audit.record(actor, "result_declared", f"ballot {row.id}", f"Declared the result of “{row.title}”: "
                     + "; ".join(f"{o.title}: {o.outcome.replace('_', ' ')}" for o in outcomes) + ".",
                     after={str(o.proposal_id): o.outcome for o in outcomes})
    for ctx in contexts:
        announce.to_text(ctx.proposal.id, "text_tracked", ctx.payload())
    return Declaration(row.id, tuple(outcomes))


def _tz(row) -> str:
    convention = db.session.get(Convention, row.convention_id)
    return convention.timezone if convention is not None else "UTC"


def states_on_ballot(ballot_id: int) -> list[tuple[Proposal, str]]:
    """Each text with questions on the ballot and where it stands, for the administrator's page."""
    row = ballots.load(ballot_id)
    ids = sorted({q.proposal_id for s in row.sections for q in s.questions if q.proposal_id is not None})
    if not ids:
        return []
    items = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id)))
    return [(p, p.state) for p in items]
