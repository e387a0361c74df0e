"""One mapping from DomainError (and HTTP errors) to what each kind of client sees."""
from __future__ import annotations

import logging
import secrets

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from deliberation.errors import DomainError
from forum.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        if wants_json():
            return jsonify(err.as_dict()), err.status
        if err.code == "login_required":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303)
        if err.status in (403, 404):
            return render_template("errors/error.html", status=err.status, message=err.message), err.status
        # A form the domain refused: tell the member and send them back where they were.
        flash(err.message, "error")
        target = request.form.get("next") or request.referrer or "/"
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        return redirect(target, code=303)

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        message = "This form has expired or was not sent from Convene. Reload the page and try again."
        if wants_json():
            return jsonify(error="csrf_failed", message=message), 400
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        messages = {
            400: "The request could not be understood.",
            401: "Please log in first.",
            403: "You are not allowed to do that.",
            404: "There is nothing here.",
            405: "That action is not available here.",
            413: "That upload is too large.",
            429: "Too many attempts. Please wait a minute and try again.",
        }
        message = messages.get(err.code or 500, err.description or "Something went wrong.")
        if wants_json():
            code = {401: "login_required", 403: "not_allowed", 404: "not_found", 429: "rate_limited"}.get(
                err.code or 0, f"http_{err.code}")
            return jsonify(error=code, message=message), err.code
        return render_template("errors/error.html", status=err.code, message=message), err.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(err: Exception):
        # The database refused a connection (down, restarting, out of connection slots, locked):
        # a wait-and-retry answer, not a crash. Nothing was written, since nothing could be.
        error_id = secrets.token_hex(6)
        log.error("database unavailable %s on %s %s: %s", error_id, request.method, request.path,
                  str(err).splitlines()[0][:300])
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            pass
        message = "The database is not answering just now. Nothing you sent was saved; please try again in a moment."
        headers = {"Retry-After": "5"}
        if wants_json():
            return jsonify(error="database_unavailable", message=message, error_id=error_id), 503, headers
        try:
            page = render_template("errors/error.html", status=503, message=message, error_id=error_id)
        except Exception:  # noqa: BLE001  (the layout itself may need the database, e.g. for the user)
            page = f"<!doctype html><title>503</title><h1>Service unavailable</h1><p>{message}</p>"
        return page, 503, headers

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        # The reference the member can quote is the one in the log line, so the two can be matched.
        error_id = secrets.token_hex(6)
        log.exception("unexpected error %s on %s %s", error_id, request.method, request.path)
        try:  # a failed statement leaves PostgreSQL's transaction aborted; the page needs a fresh one
            db.session.rollback()
        except Exception:  # noqa: BLE001  (the database itself may be what failed)
            log.warning("rollback after error %s failed too", error_id)
        message = "Something went wrong on our side. Nothing you sent was half-saved; please try again."
        if wants_json():
            return jsonify(error="server_error", message=message, error_id=error_id), 500
        return render_template("errors/error.html", status=500, message=message, error_id=error_id), 500
