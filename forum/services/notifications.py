"""Following texts and hearing about them: in the app at once, by email at once for replies to
you, and otherwise in a daily or weekly digest grouped by text, so a busy amendment window
does not flood anyone.

The notifications themselves are written by each use case in its own transaction
(forum.records.notifications); this module holds following, reading and the digest command."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from deliberation.errors import DomainError, NotFound
from forum.extensions import db, transaction
from forum.mail import compose, mailer, unsubscribed_user
from forum.models import User
from forum.models.lifecycle import DIGEST_CHOICES, Follow, Notification, NotificationPreference
from forum.records import conventions, texts
from forum.records.common import rows_changed

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


# ----- following -----

def follow(actor, proposal_id: int, on: bool = True) -> bool:
    with transaction():
        proposal = texts.get_proposal(proposal_id)
        existing = db.session.scalar(select(Follow).where(Follow.user_id == actor.id,
                                                          Follow.proposal_id == proposal.id))
        if on and existing is None:
            db.session.add(Follow(user_id=actor.id, proposal_id=proposal.id))
        elif not on and existing is not None:
            db.session.delete(existing)
    return on


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
        changed = rows_changed(update(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=conventions.now()))
    return changed


def digest_choice(user) -> str:
    pref = db.session.get(NotificationPreference, user.id)
    return pref.digest if pref else "daily"


def set_digest(user, choice: str) -> str:
    if choice not in DIGEST_CHOICES:
        raise DomainError("digest_invalid", "Choose a daily or weekly digest, none, or no e-mail at all.")
    with transaction():
        pref = db.session.get(NotificationPreference, user.id)
        if pref is None:
            pref = NotificationPreference(user_id=user.id)
            db.session.add(pref)
        pref.digest = choice
    return choice


def unsubscribe(token: str) -> User:
    """The one-click link of a notification e-mail: that member gets no more e-mail (the
    notifications stay in the app). The signed link is the authority; no login is needed."""
    user_id = unsubscribed_user(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotFound("unsubscribe_link_invalid", "This unsubscribe link is not valid. You can choose what "
                                                   "e-mail you get on your profile page.")
    set_digest(user, "off")
    return user


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
        if choice in ("never", "off"):
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
        sender.send(compose(users[user_id].email,
                            f"Convene {choice} digest: {len(items)} updates on {len(by_text)} texts",
                            "\n".join(lines), unsubscribe_for=user_id))
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
