"""A ballot's rows as the core's values: the ballot with its questions, and its counted results.

The ballot service and the declaration of results both read ballots through here, so neither
imports the other. The counts of a ballot closed long enough to be settled are kept per process.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from deliberation import ballot as core
from forum.extensions import db
from forum.models import Ballot, BallotAnswer, BallotPaper, BallotQuestion, BallotSection
from forum.records.common import found

MAJORITY_RULES = {"simple": core.SIMPLE_MAJORITY, "two_thirds": core.TWO_THIRDS_MAJORITY}
# A ballot accepted a moment before the close commits within milliseconds; once this long has
# passed, the counts are final and each process keeps them instead of counting again.
SETTLED_AFTER_CLOSE = timedelta(minutes=1)


def load(ballot_id: int) -> Ballot:
    """The ballot with its sections and their questions, or a 404 in the member's words."""
    return found(Ballot, ballot_id, "ballot_not_found", "There is no such ballot.",
                 options=[selectinload(Ballot.sections).selectinload(BallotSection.questions)])


def cutoff(day: date) -> datetime:
    return datetime.combine(day, time(0), timezone.utc)


def as_core(row: Ballot) -> core.Ballot:
    """The ballot as the core sees it, from its rows."""
    return core.Ballot(
        title=row.title,
        sections=tuple(
            core.Section(s.number, s.title, tuple(
                core.Question(q.id, q.number, q.text, MAJORITY_RULES[q.majority], q.counter_to_id)
                for q in s.questions))
            for s in row.sections),
        window=core.BallotWindow(row.opens_at, row.closes_at),
        eligible_if_joined_by=cutoff(row.eligible_joined_by),
    )


def cache() -> dict:
    """What this process keeps of ballots that can no longer change (core values, settled counts)."""
    return current_app.extensions.setdefault("convene_ballots", {})


@dataclass(frozen=True)
class ResultsPage:
    ballot: Ballot
    results: core.Results
    labels: dict[int, str]
    questions: dict[int, BallotQuestion]


def results(row: Ballot, now: datetime) -> ResultsPage:
    """The ballot's counted results; whether they may be shown yet is the caller's rule."""
    ballot = as_core(row)
    key = ("results", row.id, row.created_at)
    counts, voters_total = cache().get(key) or count(row)
    if now >= row.closes_at + SETTLED_AFTER_CLOSE:
        cache()[key] = (counts, voters_total)  # nothing can change any more
    questions = {q.id: q for s in row.sections for q in s.questions}
    labels = {q.id: f"{s.number}.{q.number}" for s in row.sections for q in s.questions}
    return ResultsPage(row, core.tally(ballot.sections, counts, voters_total), labels, questions)


def count(row: Ballot) -> tuple[dict[tuple[int, core.Choice], int], int]:
    """How many papers chose what on each question (one GROUP BY on the (question, choice) index)."""
    question_ids = select(BallotQuestion.id).where(BallotQuestion.ballot_id == row.id).scalar_subquery()
    counts = {
        (qid, core.Choice(choice)): n
        for qid, choice, n in db.session.execute(
            select(BallotAnswer.question_id, BallotAnswer.choice, func.count())
            .where(BallotAnswer.question_id.in_(question_ids))
            .group_by(BallotAnswer.question_id, BallotAnswer.choice))
    }
    voters_total = db.session.scalar(
        select(func.count()).select_from(BallotPaper).where(BallotPaper.ballot_id == row.id)) or 0
    return counts, voters_total
