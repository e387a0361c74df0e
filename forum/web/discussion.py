"""Comments, clarifications and votes from plain forms (the script upgrades votes to fetch)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum.services import discussion
from forum.web.navigation import safe_next
from forum.web.forms import AnswerForm, ClarificationForm, CommentForm, EditCommentForm, VoteForm, flash_errors

bp = Blueprint("discussion", __name__)


def _back(proposal_id: int, anchor: str = "") -> str:
    return safe_next(url_for("proposals.show", proposal_id=proposal_id)) + anchor



@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def post_comment(proposal_id: int):
    form = CommentForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    parent = int(form.parent.data) if (form.parent.data or "").isdigit() else None
    comment = discussion.post_comment(current_user, proposal_id, form.body.data, form.clause.data or None, parent)
    flash("Your comment is posted.", "success")
    return redirect(_back(proposal_id, f"#comment-{comment.id}"), code=303)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = discussion.comment_for_edit(current_user, comment_id)
    form = EditCommentForm(obj=comment)
    if form.validate_on_submit():
        discussion.edit_comment(current_user, comment_id, form.body.data)
        flash("Your comment is updated.", "success")
        return redirect(_back(comment.proposal_id, f"#comment-{comment.id}"), code=303)
    return render_template("discussion/edit_comment.html", form=form, comment=comment), 200 if not form.errors else 422


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    form = VoteForm()  # only for its CSRF token
    if not form.validate_on_submit() and form.errors.get("csrf_token"):
        abort(400)
    comment = discussion.delete_comment(current_user, comment_id)
    flash("The comment is deleted; replies to it stay in the thread.", "success")
    return redirect(_back(comment.proposal_id, f"#comment-{comment.id}"), code=303)


@bp.post("/proposals/<int:proposal_id>/clarifications")
@login_required
def ask(proposal_id: int):
    form = ClarificationForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    clarification = discussion.ask_clarification(current_user, proposal_id, form.question.data,
                                                 form.clause.data or None)
    flash("Your question is posted. The proposer will be asked to answer it.", "success")
    return redirect(_back(proposal_id, f"#clarification-{clarification.id}"), code=303)


@bp.post("/clarifications/<int:clarification_id>/answer")
@login_required
def answer(clarification_id: int):
    form = AnswerForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(safe_next(url_for("proposals.home")), code=303)
    clarification = discussion.answer_clarification(current_user, clarification_id, form.answer.data)
    flash("Your answer is published.", "success")
    return redirect(_back(clarification.proposal_id, f"#clarification-{clarification.id}"), code=303)


@bp.post("/clarifications/<int:clarification_id>/vote")
@login_required
def vote(clarification_id: int):
    form = VoteForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(safe_next(url_for("proposals.home")), code=303)
    score = discussion.vote_clarification(current_user, clarification_id, int(form.value.data))
    flash("Your vote is withdrawn." if score.mine == 0 else "Your vote is counted.", "success")
    return redirect(_back(score.proposal_id, f"#clarification-{clarification_id}"), code=303)
