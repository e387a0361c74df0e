"""The mailer now lives in forum.mail (mail leaves the request); these names stay for `flask` commands."""
from forum.mail import Mailer, SmtpMailer, mailer  # noqa: F401
