"""Sending email, outside the request: SMTP from the standard library when MAIL_SERVER is set, a
test's fake otherwise (any object with `send(to, subject, body)` in app.config["MAILER"]).

Use cases record notification rows in their own transaction and, after it has committed, hand
the ids of those to mail at once to `send_later`: a background task sends them and marks them
emailed, so a slow or absent mail server never holds up (or undoes) what a member did. With
MAIL_IN_BACKGROUND off (the default under TESTING) the send runs in place after the commit, so
tests can assert on it deterministically.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Protocol, Sequence

from flask import current_app
from flask.ctx import AppContext
from sqlalchemy import select, update

from forum.extensions import db, socketio, transaction
from forum.models import User
from forum.models.lifecycle import Notification
from forum.records.conventions import now

log = logging.getLogger(__name__)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class SmtpMailer:
    def __init__(self, config) -> None:
        self.config = config

    def send(self, to: str, subject: str, body: str) -> None:
        c = self.config
        message = EmailMessage()
        message["From"] = c["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        smtp_class = smtplib.SMTP_SSL if c.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=20) as smtp:
            if c.get("MAIL_USE_TLS") and not c.get("MAIL_USE_SSL"):
                smtp.starttls()
            if c.get("MAIL_USERNAME"):
                smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)


def mailer() -> Mailer | None:
    """The configured mailer, or None when this instance sends no email."""
    config = current_app.config
    if config.get("MAILER") is not None:
        return config["MAILER"]
    if config.get("MAIL_SERVER"):
        return SmtpMailer(config)
    return None


def send_later(notification_ids: Sequence[int]) -> Any:
    """After the commit: mail these notifications now, off the request. Returns the background
    task (a thread in the default async mode, so a caller may join it), or None when nothing runs
    in the background."""
    ids = list(notification_ids)
    if not ids or mailer() is None:
        return None
    if not current_app.config.get("MAIL_IN_BACKGROUND", not current_app.testing):
        send_now(ids)
        return None
    return socketio.start_background_task(_send_in_own_context, current_app.app_context(), ids)


def _send_in_own_context(context: AppContext, ids: list[int]) -> None:
    """The task's own app context (a fresh one for the same app) and so its own database session."""
    with context:
        try:
            send_now(ids)
        finally:
            db.session.remove()


def send_now(ids: Sequence[int]) -> list[int]:
    """Mail each notification that is not mailed yet, and mark the ones that went out."""
    sender = mailer()
    if sender is None:
        return []
    rows = list(db.session.scalars(select(Notification).where(
        Notification.id.in_(list(ids)), Notification.emailed_at.is_(None)).order_by(Notification.id)))
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
            db.session.execute(update(Notification).where(Notification.id.in_(sent)).values(emailed_at=now()))
    return sent
