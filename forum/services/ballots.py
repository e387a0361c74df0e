"""The all-member ballot: build it, cast secret papers, check receipts, watch turnout, publish results.

The rules (windows, eligibility, valid answers, majorities, counter-proposal pairs, receipts)
are deliberation.ballot's; this module loads rows into its values and stores what it decides.
Casting writes the voter mark, the paper and its answers in one transaction, so a vote is never
counted without its voter being marked, nor the reverse; the database's primary key on
(ballot, member) makes a second ballot from the same member impossible.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping, Sequence

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from deliberation import ballot as core
from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from deliberation.tracker import PlacedOnBallot, TextState
from forum import announce
from forum.extensions import db, transaction
from forum.models import (Ballot, BallotAnswer, BallotPaper, BallotQuestion, BallotSection, BallotVoter,
                          Convention, Proposal, ProposalVersion, User)
from forum.permissions import require
from forum.records import ballots as records
from forum.records import notifications as notes
from forum.records import tracker as tracker_records
from forum.records.ballots import ResultsPage

MAJORITY_LABELS = {"simple": "Simple majority", "two_thirds": "Two-thirds majority"}
PAPER_SALT = "ballot-paper"


# --- reading a ballot -------------------------------------------------------------------


def status(row: Ballot, now: datetime) -> str:
    if now < row.opens_at:
        return "upcoming"
    return "open" if core.is_open(core.BallotWindow(row.opens_at, row.closes_at), now) else "closed"


def is_eligible(row: Ballot, user) -> bool:
    """On the member register by the cut-off date (the core decides; its questions are not needed)."""
    frame = core.Ballot(row.title, (), core.BallotWindow(row.opens_at, row.closes_at),
                        records.cutoff(row.eligible_joined_by))
    return core.is_eligible(frame, records.cutoff(user.joined_on))


def _check_eligible(row: Ballot, user) -> None:
    if not is_eligible(row, user):
        raise NotAllowed(
            "ballot_not_eligible",
            f"Only members who joined on or before {row.eligible_joined_by:%-d %B %Y} can vote in this ballot; "
            f"the register says you joined on {user.joined_on:%-d %B %Y}.",
            cutoff=row.eligible_joined_by.isoformat())


def has_voted(ballot_id: int, user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(BallotVoter.ballot_id == ballot_id,
                                                        BallotVoter.user_id == user_id))))


def ballots(convention_id: int) -> list[Ballot]:
    return list(db.session.scalars(select(Ballot).where(Ballot.convention_id == convention_id)
                                   .order_by(Ballot.opens_at.desc(), Ballot.id.desc())))


def latest_convention() -> Convention:
    convention = db.session.scalar(select(Convention).order_by(Convention.id).limit(1))
    if convention is None:
        raise NotFound("convention_not_found", "There is no convention yet.")
    return convention


@dataclass(frozen=True)
class BallotPage:
    ballot: Ballot
    status: str  # upcoming | open | closed
    questions: dict[int, BallotQuestion]  # by id, to name the other half of a counter-proposal pair
    labels: dict[int, str]  # question id -> "2.6"
    eligible: bool | None  # None for someone not logged in
    voted: bool

    @property
    def question_count(self) -> int:
        return len(self.questions)

    @property
    def can_vote(self) -> bool:
        return self.status == "open" and bool(self.eligible) and not self.voted


def ballot_page(user, ballot_id: int, now: datetime) -> BallotPage:
    row = records.load(ballot_id)
    signed_in = bool(user is not None and user.is_authenticated)
    questions = {q.id: q for s in row.sections for q in s.questions}
    labels = {q.id: f"{s.number}.{q.number}" for s in row.sections for q in s.questions}
    return BallotPage(
        ballot=row, status=status(row, now), questions=questions, labels=labels,
        eligible=is_eligible(row, user) if signed_in else None,
        voted=has_voted(row.id, user.id) if signed_in else False)


# --- building a ballot ------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    proposal_id: int | None = None
    clause_key: str | None = None
    majority: str = "simple"


@dataclass(frozen=True)
class SectionSpec:
    title: str
    questions: tuple[QuestionSpec, ...]
    proposal_id: int | None = None


def create_ballot(actor, convention_id: int, title: str, opens_at: datetime, closes_at: datetime,
                  eligible_joined_by: date, proposal_ids: Sequence[int], place_in_tracker: bool = True) -> Ballot:
    """A ballot with one section per chosen text and one question per clause of its current version;
    each text goes on the ballot in the tracker (see create_ballot_from_sections)."""
    require(actor, "manage_ballots")
    if not proposal_ids:
        raise DomainError("ballot_needs_questions", "Choose at least one text to put on the ballot.")
    texts = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(list(proposal_ids)),
                                                           Proposal.convention_id == convention_id)))
    if len(texts) != len(set(proposal_ids)):
        raise NotFound("proposal_not_found", "One of the chosen texts is not in this convention.")
    texts.sort(key=lambda p: (p.section is None, p.section or 0, p.id))
    versions = {v.proposal_id: v for v in db.session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id.in_([p.id for p in texts]),
                                      ProposalVersion.number == Proposal.current_version,
                                      Proposal.id == ProposalVersion.proposal_id))}
    sections = [SectionSpec(p.title, tuple(QuestionSpec(c.body, p.id, c.key) for c in versions[p.id].clauses), p.id)
                for p in texts]
    return create_ballot_from_sections(actor, convention_id, title, opens_at, closes_at, eligible_joined_by, sections,
                                       place_in_tracker)


def create_ballot_from_sections(actor, convention_id: int, title: str, opens_at: datetime, closes_at: datetime,
                                eligible_joined_by: date, sections: Sequence[SectionSpec],
                                place_in_tracker: bool = True) -> Ballot:
    """Build the ballot and, in the same transaction, place every text it puts to the members on the
    ballot in the tracker, counter-proposals included: a final text moves to "on the ballot", one
    already there stays; any other refuses the whole ballot in the tracker's words. Only the demo
    builds ballots on texts that are not final (`place_in_tracker=False`)."""
    require(actor, "manage_ballots")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("ballot_title_missing", "Give the ballot a title.")
    core.BallotWindow(opens_at, closes_at)  # refuses a window that closes before it opens
    if not any(s.questions for s in sections):
        raise DomainError("ballot_needs_questions", "Choose at least one text to put on the ballot.")
    with transaction():
        row = Ballot(convention_id=convention_id, title=title[:200], opens_at=opens_at, closes_at=closes_at,
                     eligible_joined_by=eligible_joined_by, created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        for number, spec in enumerate((s for s in sections if s.questions), start=1):
            section = BallotSection(ballot_id=row.id, number=number, title=spec.title[:300],
                                    proposal_id=spec.proposal_id)
            section.questions = [
                BallotQuestion(ballot_id=row.id, number=i, text=q.text, majority=q.majority,
                               proposal_id=q.proposal_id, clause_key=q.clause_key)
                for i, q in enumerate(spec.questions, start=1)]
            db.session.add(section)
        db.session.flush()
        records.as_core(row)  # the core checks the whole ballot before it is stored
        placed = _place_in_tracker(actor.id, [q.proposal_id for s in sections for q in s.questions]
                                   if place_in_tracker else [])
    for ctx in placed:
        announce.to_text(ctx.proposal.id, "text_tracked", ctx.payload())
    return row


def _place_in_tracker(actor_id: int, proposal_ids: Sequence[int | None]) -> list[tracker_records.Context]:
    """Each text on the ballot goes on the ballot in the tracker, or the ballot is refused."""
    placed = []
    for proposal_id in sorted({p for p in proposal_ids if p is not None}):
        ctx = tracker_records.load(proposal_id)
        if ctx.status.state is TextState.ON_BALLOT:
            continue
        try:
            tracker_records.apply(ctx, PlacedOnBallot(), actor_id, "ballot")
        except DomainError as refusal:
            if refusal.code != "transition_not_allowed":
                raise
            raise DomainError("text_not_ready_for_ballot",
                              f"“{ctx.proposal.title}” cannot go on the ballot. {refusal.message}",
                              proposal=proposal_id) from None
        notes.text_moved(ctx.proposal, ctx.moved[-1], actor_id)
        placed.append(ctx)
    return placed


@dataclass(frozen=True)
class QuestionSetting:
    majority: str = "simple"
    counter_to: int | None = None
    keep: bool = True


def configure_questions(actor, ballot_id: int, settings: Mapping[int, QuestionSetting], now: datetime) -> Ballot:
    """Set each question's majority and counter-proposal pairing, or leave it off, before the ballot opens.

    A counter-proposal moves beside the proposal it answers (right after it, in its section) and
    the questions are numbered again, so members read the two together.
    """
    require(actor, "manage_ballots")
    with transaction():
        row = records.load(ballot_id)
        if now >= row.opens_at:
            raise DomainError("ballot_already_open",
                              "This ballot has opened; its questions can no longer change.")
        questions = {q.id: q for s in row.sections for q in s.questions}
        unknown = set(settings) - set(questions)
        if unknown:
            raise DomainError("unknown_question", f"There is no question {min(unknown)} on this ballot.")
        for qid, setting in settings.items():
            if setting.majority not in records.MAJORITY_RULES:
                raise DomainError("majority_unknown", "Choose a simple or a two-thirds majority.")
            q = questions[qid]
            q.majority = setting.majority
            q.counter_to_id = setting.counter_to
        kept = {qid for qid in questions if settings.get(qid, QuestionSetting()).keep}
        if not kept:
            raise DomainError("ballot_needs_questions", "A ballot needs at least one question.")
        if any(questions[qid].counter_to_id not in (None, *kept) for qid in kept):
            raise DomainError("counter_target_unknown",
                              "A counter-proposal answers a proposal you are leaving off the ballot.")
        core.check_questions(  # refuses pairings the core does not accept, before anything moves
            core.Question(q.id, q.number, q.text, records.MAJORITY_RULES[q.majority], q.counter_to_id)
            for q in questions.values() if q.id in kept)
        _lay_out(row, questions, kept)
    return row


def _lay_out(row: Ballot, questions: dict[int, BallotQuestion], kept: set[int]) -> None:
    """Put each counter-proposal right after its proposal, drop what is left off, number everything again."""
    counters = [q for s in row.sections for q in s.questions if q.id in kept and q.counter_to_id is not None]
    layout = {s.id: [q for q in s.questions if q.id in kept and q.counter_to_id is None] for s in row.sections}
    for counter in counters:
        target = questions[counter.counter_to_id]
        column = layout[target.section_id]
        column.insert(column.index(target) + 1, counter)
    for qid in set(questions) - kept:
        question = questions[qid]
        question.section.questions.remove(question)  # an orphan now: deleted with the flush
    sections = {s.id: s for s in row.sections}
    number = 0
    for section_id, column in layout.items():
        section = sections[section_id]
        for position, q in enumerate(column, start=1):
            q.section = section  # moves a counter-proposal into its proposal's section
            q.number = position
    for section in list(row.sections):
        if not layout[section.id]:
            row.sections.remove(section)
            continue
        number += 1
        section.number = number


# --- casting ------------------------------------------------------------------------------


def _for_casting(ballot_id: int, now: datetime) -> tuple[Ballot, core.Ballot]:
    """The ballot row and its core value. Questions cannot change once a ballot opens, so from
    then on the core value is built once per process (keyed by creation time, as ids can be reused)."""
    row = db.session.get(Ballot, ballot_id)
    if row is None:
        raise NotFound("ballot_not_found", "There is no such ballot.")
    if now < row.opens_at:
        return row, records.as_core(records.load(ballot_id))  # still open to changes: never cached
    cache = records.cache()
    key = (row.id, row.created_at)
    value = cache.get(key)
    if value is None:
        value = records.as_core(records.load(ballot_id))
        cache[key] = value
    return row, value


def cast_ballot(voter, ballot_id: int, answers: Mapping[int | str, str], now: datetime) -> str:
    """Record one member's secret ballot; return its receipt code.

    Blank answers are questions the member is not voting on. The voter mark, the paper and its
    answers are written in one transaction, the answers as one bulk insert.
    """
    require(voter, "cast_ballot")
    row, ballot = _for_casting(ballot_id, now)
    core.check_can_cast(ballot.window, now)
    _check_eligible(row, voter)
    chosen = core.validate_answers(ballot.questions, answers)
    paper_id = secrets.randbits(63) or 1  # random, so the key says nothing about when it was cast
    receipt = core.new_receipt(secrets.token_bytes(core.RECEIPT_BYTES))
    try:
        with transaction() as session:
            # Core inserts on the tables (not ORM objects): the answers go as one executemany.
            session.execute(insert(BallotVoter.__table__), {"ballot_id": row.id, "user_id": voter.id})
            session.execute(insert(BallotPaper.__table__), {"id": paper_id, "ballot_id": row.id, "receipt": receipt})
            session.execute(insert(BallotAnswer.__table__), [
                {"paper_id": paper_id, "question_id": qid, "choice": choice.value} for qid, choice in chosen.items()])
    except IntegrityError:
        if has_voted(row.id, voter.id):
            raise Conflict("already_voted",
                           "You have already voted in this ballot. Each member casts one ballot; "
                           "the first one you sent is the one counted.") from None
        raise
    return receipt


# A reviewed ballot comes back with a signed copy of what the review page showed: who it was
# prepared for, which ballot, and the answers. Nothing of it is stored.


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=PAPER_SALT)


def seal_review(voter, ballot_id: int, answers: Mapping[int, core.Choice]) -> str:
    return _serializer().dumps({"b": ballot_id, "u": voter.id, "a": {str(k): v.value for k, v in answers.items()}})


def review_ballot(voter, ballot_id: int, answers: Mapping[int | str, str], now: datetime) -> dict[int, core.Choice]:
    """Check a ballot before it is cast, as cast_ballot will: open, eligible, not yet voted, valid answers."""
    require(voter, "cast_ballot")
    row, ballot = _for_casting(ballot_id, now)
    core.check_can_cast(ballot.window, now)
    _check_eligible(row, voter)
    if has_voted(row.id, voter.id):
        raise Conflict("already_voted", "You have already voted in this ballot.")
    return core.validate_answers(ballot.questions, answers)


def cast_reviewed_ballot(voter, ballot_id: int, answers: Mapping[str, str], seal: str, now: datetime) -> str:
    """Cast the ballot the member reviewed, refusing a form that was changed, or prepared for someone else."""
    try:
        sealed = _serializer().loads(seal or "")
    except BadSignature:
        raise DomainError("ballot_form_tampered",
                          "This ballot form was changed after it was prepared, so it was not counted. "
                          "Open the ballot and fill it in again.") from None
    if not isinstance(sealed, dict) or sealed.get("b") != ballot_id:
        raise DomainError("ballot_form_other_ballot",
                          "This form was prepared for another ballot, so it was not counted.")
    if sealed.get("u") != getattr(voter, "id", None):
        raise NotAllowed("ballot_for_another_member",
                         "This ballot form was prepared for another member. Nobody can vote for someone else.")
    sent = {k: v for k, v in answers.items() if v}
    if sent != sealed.get("a"):
        raise DomainError("ballot_form_tampered",
                          "Your answers differ from the ones you reviewed, so nothing was counted. "
                          "Open the ballot and review your answers again.")
    return cast_ballot(voter, ballot_id, sent, now)


# --- receipts, turnout, results -------------------------------------------------------------


def receipt_counted(ballot_id: int, code: str) -> tuple[str, bool]:
    """Whether a ballot with this receipt is among those counted (anyone may ask)."""
    receipt = core.normalise_receipt(code)
    _exists_or_404(ballot_id)
    found = db.session.scalar(select(exists().where(BallotPaper.ballot_id == ballot_id,
                                                    BallotPaper.receipt == receipt)))
    return receipt, bool(found)


def _exists_or_404(ballot_id: int) -> Ballot:
    row = db.session.get(Ballot, ballot_id)
    if row is None:
        raise NotFound("ballot_not_found", "There is no such ballot.")
    return row


@dataclass(frozen=True)
class Turnout:
    ballot_id: int
    voted: int
    eligible: int
    status: str

    def as_dict(self) -> dict:
        return {"ballot": self.ballot_id, "voted": self.voted, "eligible": self.eligible, "status": self.status}


def turnout(actor, ballot_id: int, now: datetime) -> Turnout:
    """How many have voted: administrators watch this live. Never the running counts of choices."""
    require(actor, "manage_ballots")
    row = _exists_or_404(ballot_id)
    voted = db.session.scalar(select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == row.id))
    eligible = db.session.scalar(select(func.count(User.id)).where(User.joined_on <= row.eligible_joined_by))
    return Turnout(row.id, voted or 0, eligible or 0, status(row, now))


def results(ballot_id: int, now: datetime) -> ResultsPage:
    """The results, once the ballot has closed and only then."""
    row = records.load(ballot_id)
    if now < row.closes_at:
        raise NotAllowed("results_not_published",
                         "The results are published when the ballot closes; nobody, administrators included, "
                         "sees the counts before then.")
    return records.results(row, now)


RESULT_COLUMNS = ("section", "section_title", "question", "text", "for", "against", "abstained", "not_voting",
                  "majority", "carried", "adopted", "counter_to", "reason")


def result_rows(page: ResultsPage) -> list[dict]:
    """One row per question, for the CSV and JSON exports."""
    rows = []
    for section in page.results.sections:
        for r in section.questions:
            q = page.questions[r.question.id]
            rows.append({
                "section": section.number, "section_title": section.title, "question": r.question.number,
                "text": r.question.text, "for": r.count.votes_for, "against": r.count.against,
                "abstained": r.count.abstained, "not_voting": r.not_voting, "majority": q.majority,
                "carried": r.carried, "adopted": r.adopted,
                "counter_to": page.labels.get(q.counter_to_id) if q.counter_to_id else None,
                "reason": r.reason,
            })
    return rows
