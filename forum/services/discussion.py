"""Comments and clarifications on a proposal or one of its clauses, and votes on clarifications."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, select

from deliberation import phases, scores
from deliberation.errors import DomainError, NotFound
from forum import announce
from forum.extensions import db, transaction
from forum.mail import send_later
from forum.models import (Clarification, ClarificationVote, Comment, Proposal, ProposalVersion,
                          VersionClause, utcnow)
from forum.permissions import require
from forum.records import conventions, votes
from forum.records import notifications as notes
from forum.records.common import found
from forum.records.texts import get_proposal
from forum.records.votes import Score

MAX_COMMENT = 5_000
MAX_QUESTION = 2_000
MAX_ANSWER = 5_000


def _text(value: str, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{what}_empty", f"Write something in your {what} first.")
    if len(value) > limit:
        raise DomainError(f"{what}_too_long",
                          f"Your {what} is {len(value):,} characters long; the limit is {limit:,}.", limit=limit)
    return value


def _check_clause(proposal: Proposal, clause_key: str | None) -> str | None:
    """A clause key must belong to this text (in any of its versions)."""
    if not clause_key:
        return None
    exists = db.session.scalar(
        select(VersionClause.id).join(ProposalVersion, VersionClause.version_id == ProposalVersion.id)
        .where(ProposalVersion.proposal_id == proposal.id, VersionClause.key == clause_key).limit(1))
    if exists is None:
        raise NotFound("clause_not_found", "This text has no such clause.")
    return clause_key


def _require_phase_on_interim(proposal: Proposal, action) -> None:
    """Published texts (interim or later) follow the convention's phases; submissions do not."""
    if proposal.state in ("interim", "final", "on_ballot", "carried", "not_carried", "adopted", "not_adopted"):
        conventions.require_phase(conventions.of(proposal.convention_id), phases.Action(action))


def _announce(proposal_id: int, event: str, payload: dict, mail: list[int]) -> None:
    """After commit: the text's room hears, and the replies and answers are mailed off the request."""
    announce.to_text(proposal_id, event, payload)
    send_later(mail)


# ----- comments -----

@dataclass
class Thread:
    comment: Comment
    replies: list["Thread"] = field(default_factory=list)


def post_comment(actor, proposal_id: int, body: str, clause_key: str | None = None,
                 parent_id: int | None = None) -> Comment:
    body = _text(body, MAX_COMMENT, "comment")
    with transaction():
        proposal = get_proposal(proposal_id)
        require(actor, "comment", proposal)
        clause_key = _check_clause(proposal, clause_key)
        if parent_id is not None:
            parent = db.session.get(Comment, parent_id)
            if parent is None or parent.proposal_id != proposal.id:
                raise NotFound("comment_not_found", "The comment you are replying to does not exist.")
            clause_key = parent.clause_key  # a reply belongs to its parent's thread
        comment = Comment(proposal_id=proposal.id, clause_key=clause_key, parent_id=parent_id,
                          author_id=actor.id, body=body)
        db.session.add(comment)
        mail = notes.discussed("comment_posted", comment)
    _announce(proposal_id, "comment_posted", {"id": comment.id, "clause": clause_key}, mail)
    return comment


def _comment(comment_id: int) -> Comment:
    return found(Comment, comment_id, "comment_not_found", "There is no such comment.")


def edit_comment(actor, comment_id: int, body: str) -> Comment:
    body = _text(body, MAX_COMMENT, "comment")
    with transaction():
        comment = _comment(comment_id)
        require(actor, "edit_comment", comment)
        if comment.is_deleted:
            raise DomainError("comment_deleted", "A deleted comment cannot be edited.")
        if body != comment.body:
            comment.body = body
            comment.edited_at = utcnow()
    return comment


def delete_comment(actor, comment_id: int) -> Comment:
    """Leave a tombstone so replies keep their place in the thread."""
    with transaction():
        comment = _comment(comment_id)
        require(actor, "delete_comment", comment)
        if comment.is_deleted:
            raise DomainError("comment_deleted", "This comment was already deleted.")
        comment.deleted_at = utcnow()
        comment.deleted_by_id = actor.id
        comment.body = ""
    return comment


def threads(proposal_id: int, clause_key: str | None = None, whole_text: bool = False) -> list[Thread]:
    """Comment threads in one query: on one clause, on the whole text only, or everything."""
    stmt = select(Comment).where(Comment.proposal_id == proposal_id).order_by(Comment.created_at, Comment.id)
    if clause_key is not None:
        stmt = stmt.where(Comment.clause_key == clause_key)
    elif whole_text:
        stmt = stmt.where(Comment.clause_key.is_(None))
    nodes = {c.id: Thread(c) for c in db.session.scalars(stmt)}
    roots: list[Thread] = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        (parent.replies if parent else roots).append(node)
    return roots


# ----- clarifications -----

def ask_clarification(actor, proposal_id: int, question: str, clause_key: str | None = None) -> Clarification:
    question = _text(question, MAX_QUESTION, "question")
    with transaction():
        proposal = get_proposal(proposal_id)
        require(actor, "ask_clarification", proposal)
        _require_phase_on_interim(proposal, "ask_clarification")
        clause_key = _check_clause(proposal, clause_key)
        clarification = Clarification(proposal_id=proposal.id, clause_key=clause_key, author_id=actor.id,
                                      question=question)
        db.session.add(clarification)
        mail = notes.discussed("clarification_asked", clarification)
    _announce(proposal_id, "clarification_asked", {"id": clarification.id, "clause": clause_key}, mail)
    return clarification


def _clarification(clarification_id: int) -> Clarification:
    return found(Clarification, clarification_id, "clarification_not_found", "There is no such clarification.")


def answer_clarification(actor, clarification_id: int, answer: str) -> Clarification:
    answer = _text(answer, MAX_ANSWER, "answer")
    with transaction():
        clarification = _clarification(clarification_id)
        require(actor, "answer_clarification", clarification)
        _require_phase_on_interim(clarification.proposal, "answer_clarification")
        clarification.answer = answer
        clarification.answered_by_id = actor.id
        clarification.answered_at = utcnow()
        mail = notes.discussed("clarification_answered", clarification)
    _announce(clarification.proposal_id, "clarification_answered", {"id": clarification.id}, mail)
    return clarification


def vote_clarification(actor, clarification_id: int, value: int) -> Score:
    """Vote up (1) or down (-1), change the vote, or withdraw it (0). One vote per member."""
    scores.check(value)
    with transaction():
        clarification = _clarification(clarification_id)
        require(actor, "vote_clarification", clarification)
        _require_phase_on_interim(clarification.proposal, "vote_clarification")
        score = votes.cast(clarification, ClarificationVote, "clarification_id", actor.id, value)
    announce.to_text(clarification.proposal_id, "clarification_scored", score.as_dict())
    return score


def clarifications(proposal_id: int, clause_key: str | None = None, whole_text: bool = False,
                   sort: str = "score") -> list[Clarification]:
    stmt = select(Clarification).where(Clarification.proposal_id == proposal_id)
    if clause_key is not None:
        stmt = stmt.where(Clarification.clause_key == clause_key)
    elif whole_text:
        stmt = stmt.where(Clarification.clause_key.is_(None))
    order = {"score": (Clarification.score.desc(), Clarification.created_at),
             "newest": (Clarification.created_at.desc(),),
             "unanswered": (case((Clarification.answer.is_(None), 0), else_=1), Clarification.score.desc())}
    stmt = stmt.order_by(*order.get(sort, order["score"]), Clarification.id)
    return list(db.session.scalars(stmt))


def my_votes(actor, proposal_id: int) -> dict[int, int]:
    return votes.mine(ClarificationVote, Clarification, "clarification_id", proposal_id, actor)


def comment_for_edit(actor, comment_id: int) -> Comment:
    comment = _comment(comment_id)
    require(actor, "edit_comment", comment)
    if comment.is_deleted:
        raise DomainError("comment_deleted", "A deleted comment cannot be edited.")
    return comment
