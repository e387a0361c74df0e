"""Sending email: SMTP from the standard library when MAIL_SERVER is set, a test's fake otherwise.

Tests put any object with `send(to, subject, body)` in app.config["MAILER"].
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from flask import current_app


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
