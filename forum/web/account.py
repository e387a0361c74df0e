"""A member's own profile: groups, roles, personal API token."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from forum.services import accounts
from forum.web.forms import TokenForm

bp = Blueprint("account", __name__)


@bp.get("/profile")
@login_required
def profile():
    return render_template("account/profile.html", user=current_user, form=TokenForm(), token=None)


@bp.post("/profile/token")
@login_required
def token():
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("account/profile.html", user=current_user, form=form, token=None), 400
    token = accounts.issue_api_token(current_user.id)
    return render_template("account/profile.html", user=current_user, form=TokenForm(), token=token)
