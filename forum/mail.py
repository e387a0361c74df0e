"""Sending email, outside the request: SMTP from the standard library when MAIL_SERVER is set, a
test's fake otherwise (any object with `send(message)` in app.config["MAILER"]).

Every message is composed in one place (`compose`): a plain-text part and an HTML alternative, a
Date and a Message-ID (receiving servers score mail without them as spam), `Auto-Submitted`, and
for notifications a one-click `List-Unsubscribe` (RFC 8058) that turns this member's e-mail off.

Use cases record notification rows in their own transaction and, after it has committed, hand
the ids of those to mail at once to `send_later`: a background task sends them and marks them
emailed, so a slow or absent mail server never holds up (or undoes) what a member did. With
MAIL_IN_BACKGROUND off (the default under TESTING) the send runs in place after the commit, so
tests can assert on it deterministically.
"""
from __future__ import annotations

import html
import logging
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol, Sequence

from flask import current_app
from flask.ctx import AppContext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from forum.extensions import db, socketio, transaction
from forum.models import User
from forum.models.lifecycle import Notification, NotificationPreference
from forum.records.conventions import now

log = logging.getLogger(__name__)

_LINK = re.compile(r"https?://[^\s<>\"]+")


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, config) -> None:
        self.config = config

    def send(self, message: EmailMessage) -> None:
        c = self.config
        smtp_class = smtplib.SMTP_SSL if c.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=20) as smtp:
            if c.get("MAIL_USE_TLS") and not c.get("MAIL_USE_SSL"):
                smtp.starttls()
            if c.get("MAIL_USERNAME"):
                smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)


def _unsubscriber() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="convene-unsubscribe")


def unsubscribe_token(user_id: int) -> str:
    return _unsubscriber().dumps(user_id)


def unsubscribed_user(token: str) -> int | None:
    """The member an unsubscribe link was made for, or None for a link that is not ours."""
    try:
        value = _unsubscriber().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def _as_html(text: str) -> str:
    paragraphs = []
    for block in text.split("\n\n"):
        escaped = html.escape(block)
        linked = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return ('<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:40em">'
            + "".join(paragraphs) + "</body></html>")


def compose(to: str, subject: str, text: str, unsubscribe_for: int | None = None) -> EmailMessage:
    """One well-formed message: plain text with an HTML alternative, Date, Message-ID, and (for
    notifications to member `unsubscribe_for`) a one-click List-Unsubscribe."""
    config = current_app.config
    base = config.get("BASE_URL", "").rstrip("/")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("convene", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_for is not None:
        link = f"{base}/notifications/unsubscribe/{unsubscribe_token(unsubscribe_for)}"
        message["List-Unsubscribe"] = f"<{link}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = f"{text.rstrip()}\n\nTo stop these e-mails: {link}\n"
    message.set_content(text)
    message.add_alternative(_as_html(text), subtype="html")
    return message


def deliver(to: str, subject: str, text: str, unsubscribe_for: int | None = None) -> bool:
    """Compose and send one message now; False when this instance sends no e-mail."""
    sender = mailer()
    if sender is None:
        return False
    sender.send(compose(to, subject, text, unsubscribe_for))
    return True


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
    silent = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(list(users)), NotificationPreference.digest == "off")))
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    sent = []
    for row in rows:
        if row.user_id in silent:  # this member turned e-mail off: the notification stays in the app
            continue
        try:
            sender.send(compose(users[row.user_id].email, f"Convene: {row.message}",
                                f"{row.message}\n\n{base}{row.url}\n", unsubscribe_for=row.user_id))
        except Exception:  # a mail server being down must not undo what the member did
            log.exception("could not send a notification email to user %s", row.user_id)
            continue
        sent.append(row.id)
    if sent:
        with transaction():
            db.session.execute(update(Notification).where(Notification.id.in_(sent)).values(emailed_at=now()))
    return sent
