"""Administrators: build a ballot from the final texts, set majorities and counter-proposals, watch turnout."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.permissions import require
from forum.services import ballots, declare, proposals
from forum.clock import now
from forum.web.ballot_forms import NewBallotForm

bp = Blueprint("ballot_admin", __name__, url_prefix="/admin/ballots")


@bp.before_request
@login_required
def only_administrators():
    require(current_user, "manage_ballots")


@bp.route("", methods=["GET", "POST"])
def index():
    convention = ballots.latest_convention()
    form = NewBallotForm()
    texts = proposals.search(convention.id, limit=500)
    form.texts.choices = [(p.id, p.title) for p in sorted(texts, key=lambda p: (p.section is None, p.section or 0, p.id))]
    if form.validate_on_submit():
        zone = ZoneInfo(convention.timezone)
        row = ballots.create_ballot(
            current_user, convention.id, form.title.data,
            form.opens_at.data.replace(tzinfo=zone), form.closes_at.data.replace(tzinfo=zone),
            form.eligible_joined_by.data, form.texts.data)
        flash("The ballot is built. Set each question's majority and any counter-proposals below.", "success")
        return redirect(url_for("ballot_admin.show", ballot_id=row.id), code=303)
    return render_template("ballots/admin_index.html", form=form, ballots=ballots.ballots(convention.id),
                           status=lambda b: ballots.status(b, now())), 200 if not form.errors else 422


@bp.route("/<int:ballot_id>", methods=["GET", "POST"])
def show(ballot_id: int):
    if request.method == "POST":
        settings = {}
        for key, value in request.form.items():
            if key.startswith("majority-") and key[9:].isdigit():
                qid = int(key[9:])
                counter = request.form.get(f"counter-{qid}", "")
                settings[qid] = ballots.QuestionSetting(
                    majority=value, counter_to=int(counter) if counter.isdigit() else None,
                    keep=request.form.get(f"keep-{qid}") == "1")
        ballots.configure_questions(current_user, ballot_id, settings, now())
        flash("Saved the questions.", "success")
        return redirect(url_for("ballot_admin.show", ballot_id=ballot_id), code=303)
    page = ballots.ballot_page(current_user, ballot_id, now())
    return render_template("ballots/admin_show.html", page=page, ballot=page.ballot,
                           turnout=ballots.turnout(current_user, ballot_id, now()),
                           majority_labels=ballots.MAJORITY_LABELS, texts=declare.states_on_ballot(ballot_id),
                           state_labels=proposals.STATE_LABELS)


@bp.post("/<int:ballot_id>/declare")
def declare_result(ballot_id: int):
    result = declare.declare_result(current_user, ballot_id)
    flash(result.message, "success" if result.changed else "info")
    for text in result.texts:
        flash(f"{text.title}: {text.message}", "error" if text.outcome == "refused" else "info")
    return redirect(url_for("ballot_admin.show", ballot_id=ballot_id), code=303)
