"""Log in, log out, register."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from deliberation.errors import DomainError
from forum.extensions import db
from forum.models import LocalGroup
from forum import ratelimit
from forum.services import accounts
from forum.web.navigation import safe_next
from forum.web.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.is_submitted():
        ratelimit.count_login_attempt(form.email.data)
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except DomainError as err:
            form.password.errors.append(err.message)
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(safe_next(url_for("proposals.home")), code=303)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("proposals.home"), code=303)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    groups = db.session.scalars(select(LocalGroup).order_by(LocalGroup.name)).all()
    form.local_group.choices = [(0, "No local group")] + [(g.id, g.name) for g in groups]
    if form.validate_on_submit():
        try:
            user = accounts.register(form.name.data, form.email.data, form.password.data,
                                     form.local_group.data or None)
        except DomainError as err:
            field = form.email if err.code.startswith("email") else form.password if "password" in err.code else form.name
            field.errors = list(field.errors) + [err.message]
        else:
            login_user(user)
            flash("Your account is ready.", "success")
            return redirect(url_for("account.profile"), code=303)
    if current_user.is_authenticated and not form.is_submitted():
        return redirect(url_for("account.profile"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422
