"""Amendment pages and plain forms: propose (by words or by editing a clause), vote, dispose,
compare versions, compose a draft from submissions. The script upgrades these forms in place."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum.services import amendment_pages, amendments, drafting, proposals
from forum.web.navigation import safe_next
from forum.web.forms import flash_errors

bp = Blueprint("amendments", __name__)


class AmendmentForm(FlaskForm):
    change = SelectField("Change", choices=list(amendments.CHANGES.items()))
    clause = HiddenField(validators=[DataRequired()])
    first_word = IntegerField("From word", validators=[Optional()])
    last_word = IntegerField("To word", validators=[Optional()])
    text = TextAreaField("New words", validators=[Optional(), Length(max=10_000)])
    rationale = TextAreaField("Why", validators=[Optional(), Length(max=20_000)])
    base_version = IntegerField(validators=[DataRequired()])
    next = HiddenField()


class EditForm(FlaskForm):
    clause = HiddenField(validators=[DataRequired()])
    body = TextAreaField("Wording", validators=[Optional(), Length(max=20_000)])
    rationale = TextAreaField("Why", validators=[Optional(), Length(max=20_000)])
    base_version = IntegerField(validators=[DataRequired()])
    next = HiddenField()


class VoteForm(FlaskForm):
    value = SelectField("Vote", choices=[("1", "Up"), ("-1", "Down"), ("0", "Withdraw")])
    next = HiddenField()


class DispositionForm(FlaskForm):
    decision = SelectField("Decision", choices=[(d, drafting.DECISION_LABELS[d]) for d in drafting.DECISIONS])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=20_000)])
    modified_text = TextAreaField("Modified wording", validators=[Optional(), Length(max=20_000)])
    next = HiddenField()


class ComposeForm(FlaskForm):
    title = StringField("Title of the draft", validators=[DataRequired(), Length(max=200)])


def _back(proposal_id: int, anchor: str = "") -> str:
    return safe_next(url_for("proposals.show", proposal_id=proposal_id)) + anchor


def _refused(form, proposal_id: int):
    flash_errors(form)
    return redirect(_back(proposal_id), code=303)


@bp.post("/proposals/<int:proposal_id>/amendments")
@login_required
def propose(proposal_id: int):
    form = AmendmentForm()
    if not form.validate_on_submit():
        return _refused(form, proposal_id)
    draft = amendments.Draft.from_change(form.change.data, form.clause.data, form.first_word.data,
                                         form.last_word.data, form.text.data or "", form.rationale.data or "",
                                         form.base_version.data)
    row = amendments.propose_amendment(current_user, proposal_id, draft)
    flash(f"Your amendment (number {row.id}) is published for members to vote on.", "success")
    return redirect(_back(proposal_id, f"#amendment-{row.id}"), code=303)


@bp.post("/proposals/<int:proposal_id>/amendments/edit")
@login_required
def propose_edit(proposal_id: int):
    form = EditForm()
    if not form.validate_on_submit():
        return _refused(form, proposal_id)
    row = amendments.propose_edit(current_user, proposal_id, form.clause.data, form.body.data or "",
                                  form.rationale.data or "", form.base_version.data)
    flash(f"Your amendment (number {row.id}) is published for members to vote on.", "success")
    return redirect(_back(proposal_id, f"#amendment-{row.id}"), code=303)


@bp.post("/amendments/<int:amendment_id>/vote")
@login_required
def vote(amendment_id: int):
    form = VoteForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        flash("Choose up, down or withdraw.", "error")
        return redirect(safe_next(url_for("proposals.home")), code=303)
    score = amendments.vote_amendment(current_user, amendment_id, int(form.value.data))
    flash("Your vote is withdrawn." if score.mine == 0 else "Your vote is counted.", "success")
    return redirect(_back(score.proposal_id, f"#amendment-{amendment_id}"), code=303)


@bp.post("/amendments/<int:amendment_id>/disposition")
@login_required
def dispose(amendment_id: int):
    form = DispositionForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        flash("Choose a decision.", "error")
        return redirect(safe_next(url_for("proposals.home")), code=303)
    result = drafting.dispose_amendment(current_user, amendment_id, form.decision.data, form.reason.data or "",
                                          form.modified_text.data)
    row = result.amendment
    message = f"Amendment {row.id} is {drafting.DECISION_LABELS[row.status].lower()}."
    if row.applied_in_version:
        message += f" The text is now at version {result.version}."
    if result.flagged:
        message += (f" {len(result.flagged)} open amendment{'s' if len(result.flagged) != 1 else ''} conflicted "
                    "with it and {} flagged for you to look at again."
                    .format("are" if len(result.flagged) != 1 else "is"))
    flash(message, "success")
    return redirect(_back(row.proposal_id, f"#amendment-{row.id}"), code=303)


@bp.get("/proposals/<int:proposal_id>/compare")
def compare(proposal_id: int):
    proposal = proposals.get_proposal(proposal_id)
    new = request.args.get("to", type=int) or proposal.current_version
    old = request.args.get("from", type=int) or max(new - 1, 1)
    view = "side" if request.args.get("view") == "side" else "inline"
    comparison = amendment_pages.compare_versions(proposal_id, old, new)
    return render_template("amendments/compare.html", c=comparison, proposal=comparison.proposal,
                           version=comparison.new, view=view)


@bp.route("/areas/<slug>/compose", methods=["GET", "POST"])
@login_required
def compose(slug: str):
    convention = proposals.convention_by_slug()
    area = proposals.area_by_slug(convention.id, slug)
    page = drafting.compose_page(current_user, area.id)
    form = ComposeForm()
    if form.validate_on_submit():
        picks = []
        for value in request.form.getlist("pick"):
            pid, _, key = value.partition(":")
            if not pid.isdigit() or not key:
                abort(400)
            picks.append((int(pid), key))
        draft = drafting.compose_draft(current_user, area.id, form.title.data, picks)
        flash(f"The composite draft is saved with {len(picks)} clauses; each remembers its submission.", "success")
        return redirect(url_for("proposals.show", proposal_id=draft.id), code=303)
    return render_template("amendments/compose.html", page=page, area=area, form=form), 200 if not form.errors else 422
