"""The all-member ballot: its sections and questions, who has voted, and the secret papers.

Who voted (`ballot_voters`) and what was voted (`ballot_papers`, `ballot_answers`) are kept
apart and share nothing: no foreign key, no timestamp, no ordered id. A paper's id is random
and its receipt is random, so neither tells when it was cast. On SQLite the voter and answer
tables are stored WITHOUT ROWID, so not even the hidden row number keeps the order of arrival;
docs/BALLOT_SECRECY.md says what this guarantees and what it does not.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

MAJORITIES = ("simple", "two_thirds")
CHOICES = ("for", "against", "abstain")


class Ballot(db.Model):
    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The member register on this date decides who may vote (User.joined_on on or before it).
    eligible_joined_by: Mapped[date] = mapped_column()
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list["BallotSection"]] = relationship(
        order_by="BallotSection.number", back_populates="ballot", cascade="all, delete-orphan")


class BallotSection(db.Model):
    __tablename__ = "ballot_sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id"))

    ballot: Mapped[Ballot] = relationship(back_populates="sections")
    questions: Mapped[list["BallotQuestion"]] = relationship(
        order_by="BallotQuestion.number", back_populates="section", cascade="all, delete-orphan")


class BallotQuestion(db.Model):
    """One clause of a final proposal (or a counter-proposal) put to the members."""

    __tablename__ = "ballot_questions"
    __table_args__ = (CheckConstraint("majority IN ('simple', 'two_thirds')", name="majority_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("ballot_sections.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    majority: Mapped[str] = mapped_column(String(12), default="simple")
    counter_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ballot_questions.id"))
    # Where the words come from, for the link to the clause's history and discussion.
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id"))
    clause_key: Mapped[Optional[str]] = mapped_column(String(12))

    section: Mapped[BallotSection] = relationship(back_populates="questions")


class BallotVoter(db.Model):
    """That a member has voted in a ballot: nothing else, not even when."""

    __tablename__ = "ballot_voters"
    __table_args__ = {"sqlite_with_rowid": False}
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class BallotPaper(db.Model):
    """One cast ballot, without its voter. The id is random, not a counter."""

    __tablename__ = "ballot_papers"
    __table_args__ = {"sqlite_with_rowid": False}  # a BIGINT key is not the rowid, so drop the rowid
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    receipt: Mapped[str] = mapped_column(String(40), unique=True)


class BallotAnswer(db.Model):
    __tablename__ = "ballot_answers"
    __table_args__ = (
        Index("ix_ballot_answers_question_choice", "question_id", "choice"),
        CheckConstraint("choice IN ('for', 'against', 'abstain')", name="choice_known"),
        {"sqlite_with_rowid": False},
    )
    paper_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ballot_papers.id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("ballot_questions.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(8))
