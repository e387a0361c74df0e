"""Following texts and hearing about them: in the app at once, by email at once for replies to
you, and otherwise in a daily or weekly digest grouped by text, so a busy amendment window
does not flood anyone."""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from deliberation.errors import DomainError
from forum.extensions import db, transaction
from forum.models import Comment, Proposal, User
from forum.models.lifecycle import DIGEST_CHOICES, Follow, Notification, NotificationPreference, Transition
from forum.records import conventions
from forum.services.mail import mailer
from forum.services.proposals import STATE_LABELS, get_proposal

log = logging.getLogger(__name__)
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


# ----- following -----

def follow(actor, proposal_id: int, on: bool = True) -> bool:
    with transaction():
        proposal = get_proposal(proposal_id)
        existing = db.session.scalar(select(Follow).where(Follow.user_id == actor.id, Follow.proposal_id == proposal.id))
        if on and existing is None:
            db.session.add(Follow(user_id=actor.id, proposal_id=proposal.id))
        elif not on and existing is not None:
            db.session.delete(existing)
    return on


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


# ----- creating notifications (each call runs after the use case committed) -----

def _text_url(proposal_id: int, anchor: str = "") -> str:
    # A plain path: notifications are also made from commands, where there is no request to build URLs from.
    return f"/proposals/{proposal_id}{anchor}"


def _create(items: list[tuple[int, Proposal, str, str, str, bool]]) -> None:
    if not items:
        return
    now = conventions.now()
    rows = []
    with transaction():
        for user_id, proposal, kind, message, url, at_once in items:
            row = Notification(user_id=user_id, proposal_id=proposal.id, kind=kind, message=message,
                               url=url, immediate=at_once, created_at=now)
            db.session.add(row)
            rows.append(row)
    _mail_now([r for r in rows if r.immediate])


def _mail_now(rows: list[Notification]) -> None:
    sender = mailer()
    if sender is None or not rows:
        return
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))}
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    sent = []
    for row in rows:
        try:
            sender.send(users[row.user_id].email, f"Convene: {row.message}", f"{row.message}\n\n{base}{row.url}\n")
        except Exception:  # a mail server being down must not undo what the member did
            log.exception("could not send a notification email to user %s", row.user_id)
            continue
        sent.append(row.id)
    if sent:
        with transaction():
            db.session.execute(update(Notification).where(Notification.id.in_(sent)).values(emailed_at=conventions.now()))


def discussed(kind: str, row) -> None:
    """A comment, question or answer: replies to you at once, everyone following in the digest."""
    proposal = db.session.get(Proposal, row.proposal_id)
    title = f"“{proposal.title}”"
    items = []
    told: set[int] = set()
    if kind == "comment_posted":
        actor, anchor = row.author_id, f"#comment-{row.id}"
        if row.parent_id:
            parent = db.session.get(Comment, row.parent_id)
            if parent is not None and parent.author_id != actor:
                items.append((parent.author_id, proposal, "reply", f"{row.author.name} replied to your comment on {title}",
                              _text_url(proposal.id, anchor), True))
                told.add(parent.author_id)
        digest = f"{row.author.name} commented on {title}"
    elif kind == "clarification_asked":
        actor, anchor = row.author_id, f"#clarification-{row.id}"
        digest = f"{row.author.name} asked a clarification on {title}"
    else:  # clarification_answered
        actor, anchor = row.answered_by_id, f"#clarification-{row.id}"
        if row.author_id != actor:
            items.append((row.author_id, proposal, "answer", f"Your clarification on {title} was answered",
                          _text_url(proposal.id, anchor), True))
            told.add(row.author_id)
        digest = f"A clarification on {title} was answered"
    for user_id in followers(proposal) - told - {actor}:
        items.append((user_id, proposal, kind, digest, _text_url(proposal.id, anchor), False))
    _create(items)


def text_moved(proposal: Proposal, row: Transition, actor_id: int | None) -> None:
    label = STATE_LABELS.get(row.to_state, row.to_state)
    message = f"“{proposal.title}” is now: {label}. {row.reason}"
    _create([(u, proposal, "text_moved", message[:1000], _text_url(proposal.id), False)
             for u in followers(proposal) - {actor_id}])


# ----- reading them -----

def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def listing(user, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(user) -> int:
    with transaction():
        result = db.session.execute(update(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=conventions.now()))
    return result.rowcount


def digest_choice(user) -> str:
    pref = db.session.get(NotificationPreference, user.id)
    return pref.digest if pref else "daily"


def set_digest(user, choice: str) -> str:
    if choice not in DIGEST_CHOICES:
        raise DomainError("digest_invalid", "Choose a daily or weekly digest, or none.")
    with transaction():
        pref = db.session.get(NotificationPreference, user.id)
        if pref is None:
            pref = NotificationPreference(user_id=user.id)
            db.session.add(pref)
        pref.digest = choice
    return choice


# ----- digests -----

@dataclass
class DigestReport:
    sent: int
    notifications: int


def send_digests() -> DigestReport:
    """One email per member who is due one, grouping what happened by text."""
    sender = mailer()
    now = conventions.now()
    sent = counted = 0
    if sender is None:
        return DigestReport(0, 0)
    pending = list(db.session.scalars(select(Notification).where(
        Notification.emailed_at.is_(None), Notification.immediate.is_(False))
        .order_by(Notification.user_id, Notification.created_at)))
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.user_id].append(n)
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(list(by_user))))}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user))))}
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    for user_id, items in by_user.items():
        pref = prefs.get(user_id)
        choice = pref.digest if pref else "daily"
        if choice == "never":
            continue
        last = pref.last_digest_at if pref else None
        if last is not None and now - last < PERIODS[choice] - timedelta(minutes=30):
            continue
        by_text: dict[str, list[Notification]] = defaultdict(list)
        for n in items:
            by_text[n.proposal.title if n.proposal else "The convention"].append(n)
        lines = [f"What happened on the texts you follow ({len(items)} updates):", ""]
        for title, notes in by_text.items():
            lines.append(f"{title}")
            lines += [f"  - {n.message} {base}{n.url}" for n in notes]
            lines.append("")
        sender.send(users[user_id].email, f"Convene {choice} digest: {len(items)} updates on {len(by_text)} texts",
                    "\n".join(lines))
        with transaction():
            db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in items]))
                               .values(emailed_at=now))
            if pref is None:
                pref = NotificationPreference(user_id=user_id, digest="daily")
                db.session.add(pref)
            pref.last_digest_at = now
        sent += 1
        counted += len(items)
    return DigestReport(sent, counted)
