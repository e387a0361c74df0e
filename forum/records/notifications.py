"""Notifications as rows: who follows a text, and what to tell them, written in the use case's own
transaction. The immediate ones are mailed after the commit (forum.mail.send_later); the rest wait
for the digest."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forum.extensions import db
from forum.models import Amendment, AmendmentVote, Comment, Proposal
from forum.models.lifecycle import Follow, Notification, Transition
from forum.records import conventions
from forum.records.common import referenced
from forum.records.texts import state_label


@dataclass(frozen=True)
class Note:
    user_id: int
    kind: str
    message: str
    url: str
    immediate: bool


def is_following(actor, proposal: Proposal) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return proposal.author_id == actor.id or db.session.scalar(select(Follow.id).where(
        Follow.user_id == actor.id, Follow.proposal_id == proposal.id)) is not None


def followers(proposal: Proposal) -> set[int]:
    ids = set(db.session.scalars(select(Follow.user_id).where(Follow.proposal_id == proposal.id)))
    if proposal.author_id:
        ids.add(proposal.author_id)
    return ids


def text_url(proposal_id: int, anchor: str = "") -> str:
    # A plain path: notifications are also made from commands, where there is no request to build URLs from.
    return f"/proposals/{proposal_id}{anchor}"


def add(proposal: Proposal, notes: list[Note]) -> list[int]:
    """Write the notifications; returns the ids of those to mail at once (after the commit)."""
    if not notes:
        return []
    now = conventions.now()
    rows = [Notification(user_id=n.user_id, proposal_id=proposal.id, kind=n.kind, message=n.message, url=n.url,
                         immediate=n.immediate, created_at=now) for n in notes]
    db.session.add_all(rows)
    db.session.flush()
    return [r.id for r in rows if r.immediate]


def discussed(kind: str, row) -> list[int]:
    """A comment, question or answer: replies to you at once, everyone following in the digest."""
    db.session.flush()
    proposal = referenced(Proposal, row.proposal_id)
    title = f"“{proposal.title}”"
    notes = []
    told: set[int] = set()
    if kind == "comment_posted":
        actor, anchor = row.author_id, f"#comment-{row.id}"
        if row.parent_id:
            parent = db.session.get(Comment, row.parent_id)
            if parent is not None and parent.author_id != actor:
                notes.append(Note(parent.author_id, "reply", f"{row.author.name} replied to your comment on {title}",
                                  text_url(proposal.id, anchor), True))
                told.add(parent.author_id)
        digest = f"{row.author.name} commented on {title}"
    elif kind == "clarification_asked":
        actor, anchor = row.author_id, f"#clarification-{row.id}"
        digest = f"{row.author.name} asked a clarification on {title}"
    else:  # clarification_answered
        actor, anchor = row.answered_by_id, f"#clarification-{row.id}"
        if row.author_id != actor:
            notes.append(Note(row.author_id, "answer", f"Your clarification on {title} was answered",
                              text_url(proposal.id, anchor), True))
            told.add(row.author_id)
        digest = f"A clarification on {title} was answered"
    for user_id in followers(proposal) - told - {actor}:
        notes.append(Note(user_id, kind, digest, text_url(proposal.id, anchor), False))
    return add(proposal, notes)


def text_moved(proposal: Proposal, row: Transition, actor_id: int | None) -> list[int]:
    message = f"“{proposal.title}” is now: {state_label(row.to_state)}. {row.reason}"
    return add(proposal, [Note(u, "text_moved", message[:1000], text_url(proposal.id), False)
                          for u in followers(proposal) - {actor_id}])


def _voters_of(amendment_id: int) -> set[int]:
    return set(db.session.scalars(select(AmendmentVote.user_id).where(AmendmentVote.amendment_id == amendment_id)))


def _flagged_notes(proposal: Proposal, flagged_ids: list[int], version: int) -> list[Note]:
    """Authors of amendments that a new version left behind: they must act, so they hear at once."""
    title = f"“{proposal.title}”"
    notes = []
    for row in db.session.scalars(select(Amendment).where(Amendment.id.in_(flagged_ids))):
        if row.author_id:
            notes.append(Note(row.author_id, "amendment_flagged",
                              f"Your amendment to {title} needs your attention after version {version}: "
                              f"{row.flag_reason}"[:1000], text_url(proposal.id, f"#amendment-{row.id}"), True))
    return notes


def amendment_disposed(proposal: Proposal, row: Amendment, label: str, version: int, flagged: list[int],
                       actor_id: int) -> list[int]:
    """An amendment was accepted, accepted as modified or rejected: its author hears at once (with the
    reason), its voters and the text's followers in the digest; authors of amendments the new
    version flagged hear at once."""
    title = f"“{proposal.title}”"
    anchor = f"#amendment-{row.id}"
    notes: list[Note] = []
    told = {actor_id}
    if row.author_id and row.author_id not in told:
        notes.append(Note(row.author_id, "amendment_disposed",
                          f"Your amendment to {title} was {label.lower()}: {row.disposition_reason}"[:1000],
                          text_url(proposal.id, anchor), True))
        told.add(row.author_id)
    flagged_notes = [n for n in _flagged_notes(proposal, flagged, version) if n.user_id != actor_id]
    told |= {n.user_id for n in flagged_notes}
    digest = f"An amendment to {title} was {label.lower()}" + (f"; the text is now at version {version}"
                                                             if label != "Rejected" else "")
    for user_id in (_voters_of(row.id) | followers(proposal)) - told:
        notes.append(Note(user_id, "amendment_disposed", digest[:1000], text_url(proposal.id, anchor), False))
    return add(proposal, notes + flagged_notes)


def new_version(proposal: Proposal, version: int, flagged: list[int], actor_id: int) -> list[int]:
    """A drafter saved a new version: followers hear in the digest, flagged amendments' authors at once."""
    flagged_notes = [n for n in _flagged_notes(proposal, flagged, version) if n.user_id != actor_id]
    told = {actor_id} | {n.user_id for n in flagged_notes}
    message = f"“{proposal.title}” has a new version ({version})"
    return add(proposal, flagged_notes + [Note(u, "new_version", message[:1000], text_url(proposal.id), False)
                                          for u in followers(proposal) - told])
