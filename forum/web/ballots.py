"""The all-member ballot for members: read it, answer, review, cast, keep a receipt, check it, see results."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from deliberation import ballot as core
from deliberation.errors import DomainError
from forum import spreadsheet
from forum.clock import now
from forum.services import ballots
from forum.web.ballot_forms import ReceiptForm
from forum.web.downloads import attachment

bp = Blueprint("ballots", __name__)

RECEIPTS = "ballot_receipts"  # kept in the member's own signed cookie, shown once, never stored


def _answers() -> dict[str, str]:
    """The answers a ballot form sent: fields named q-<question id>."""
    return {key[2:]: value for key, value in request.form.items() if key.startswith("q-")}


@bp.get("/ballots")
def index():
    convention = ballots.latest_convention()
    return render_template("ballots/index.html", convention=convention, ballots=ballots.ballots(convention.id),
                           status=lambda b: ballots.status(b, now()))


def _show(page, answers: dict[str, str], error: str | None = None, code: int = 200):
    return render_template("ballots/show.html", page=page, ballot=page.ballot, answers=answers, error=error,
                           majority_labels=ballots.MAJORITY_LABELS), code


@bp.get("/ballots/<int:ballot_id>")
def show(ballot_id: int):
    return _show(ballots.ballot_page(current_user, ballot_id, now()), {})


@bp.post("/ballots/<int:ballot_id>")
@login_required
def change(ballot_id: int):
    """Back from the review page to the form, with the answers as the member left them."""
    return _show(ballots.ballot_page(current_user, ballot_id, now()), _answers())


@bp.post("/ballots/<int:ballot_id>/review")
@login_required
def review(ballot_id: int):
    answers = _answers()
    try:
        chosen = ballots.review_ballot(current_user, ballot_id, answers, now())
    except DomainError as err:
        if err.status != 422:
            raise
        page = ballots.ballot_page(current_user, ballot_id, now())
        return _show(page, answers, err.message, 422)
    page = ballots.ballot_page(current_user, ballot_id, now())
    return render_template("ballots/review.html", page=page, ballot=page.ballot, chosen=chosen,
                           answers={str(k): v.value for k, v in chosen.items()},
                           seal=ballots.seal_review(current_user, ballot_id, chosen))


@bp.post("/ballots/<int:ballot_id>/cast")
@login_required
def cast(ballot_id: int):
    receipt = ballots.cast_reviewed_ballot(current_user, ballot_id, _answers(), request.form.get("seal", ""), now())
    kept = dict(session.get(RECEIPTS, {}))
    kept[str(ballot_id)] = receipt
    session[RECEIPTS] = kept
    flash("Your ballot is cast and counted.", "success")
    return redirect(url_for("ballots.receipt", ballot_id=ballot_id), code=303)


@bp.get("/ballots/<int:ballot_id>/receipt")
@login_required
def receipt(ballot_id: int):
    kept = dict(session.get(RECEIPTS, {}))
    code = kept.pop(str(ballot_id), None)
    session[RECEIPTS] = kept  # shown once: after this page, only the member has it
    page = ballots.ballot_page(current_user, ballot_id, now())
    return render_template("ballots/receipt.html", page=page, ballot=page.ballot, receipt=code, form=ReceiptForm())


@bp.route("/ballots/<int:ballot_id>/check", methods=["GET", "POST"])
def check(ballot_id: int):
    page = ballots.ballot_page(current_user, ballot_id, now())
    form = ReceiptForm()
    found = None
    if form.validate_on_submit():
        try:
            code, counted = ballots.receipt_counted(ballot_id, form.receipt.data)
        except DomainError as err:
            if err.status != 422:
                raise
            form.receipt.errors = [err.message]
        else:
            found = {"code": code, "counted": counted}
    return render_template("ballots/check.html", page=page, ballot=page.ballot, form=form, found=found), \
        200 if not form.errors else 422


@bp.get("/ballots/<int:ballot_id>/results")
def results(ballot_id: int):
    page = ballots.results(ballot_id, now())
    return render_template("ballots/results.html", page=page, ballot=page.ballot, results=page.results,
                           count_line=core.format_count_line, majority_labels=ballots.MAJORITY_LABELS)


@bp.get("/ballots/<int:ballot_id>/results.csv")
def results_csv(ballot_id: int):
    page = ballots.results(ballot_id, now())
    body = spreadsheet.csv_text(ballots.result_rows(page), ballots.RESULT_COLUMNS)
    return attachment(body, "text/csv", f"ballot-{ballot_id}-results.csv")


@bp.get("/ballots/<int:ballot_id>/results.txt")
def results_text(ballot_id: int):
    page = ballots.results(ballot_id, now())
    return attachment(core.format_results_text(page.results, with_reasons=True), "text/plain",
                     f"ballot-{ballot_id}-results.txt")
