"""The framework and its proposals: browse, search, read, submit, edit, history."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from deliberation import texts
from deliberation.errors import DomainError
from forum.services import amendment_pages, discussion, proposals
from forum.web.forms import ClarificationForm, CommentForm, EditProposalForm, ProposalForm, SearchForm

bp = Blueprint("proposals", __name__)


@bp.get("/")
def home():
    convention = proposals.convention_by_slug()
    counts = proposals.proposal_counts(convention.id)
    recent = proposals.search(convention.id, limit=8)
    return render_template("proposals/home.html", convention=convention, counts=counts, recent=recent)


@bp.get("/areas/<slug>")
def area(slug: str):
    convention = proposals.convention_by_slug()
    area = proposals.area_by_slug(convention.id, slug)
    topic_id = request.args.get("topic", type=int)
    items = proposals.search(convention.id, area_id=area.id, topic_id=topic_id, limit=500)
    return render_template("proposals/area.html", convention=convention, area=area, items=items, topic_id=topic_id)


@bp.get("/proposals")
def index():
    convention = proposals.convention_by_slug()
    form = SearchForm(request.args)
    form.area.choices = [(0, "All areas")] + [(a.id, a.name) for a in convention.areas]
    query = (form.q.data or "")[:200]
    items = proposals.search(convention.id, query, area_id=form.area.data or None, limit=200)
    return render_template("proposals/index.html", convention=convention, form=form, items=items, query=query)


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    convention = proposals.convention_by_slug()
    form = ProposalForm()
    form.area.choices = [(a.id, a.name) for a in convention.areas]
    form.topics.choices = [(t.id, f"{t.name}") for a in convention.areas for t in a.topics]
    if form.validate_on_submit():
        try:
            proposal = proposals.create_proposal(current_user, convention.id, form.title.data, form.body.data,
                                                 form.area.data, form.topics.data or [], form.on_behalf_of_group.data)
        except DomainError as err:
            form.body.errors = list(form.body.errors) + [err.message]
        else:
            flash("Your proposal is published.", "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return render_template("proposals/new.html", form=form, convention=convention), 200 if not form.errors else 422


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int):
    page = proposals.proposal_page(proposal_id)
    sort = request.args.get("sort", "score")
    return render_template(
        "proposals/show.html", page=page, proposal=page.proposal, version=page.version,
        threads=discussion.threads(proposal_id, whole_text=True),
        clarifications=discussion.clarifications(proposal_id, sort=sort), sort=sort,
        votes=discussion.my_votes(current_user, proposal_id),
        comment_form=CommentForm(), clarification_form=ClarificationForm(),
        amendments=amendment_pages.amendment_page(current_user, page.proposal, page.version,
                                                  request.args.get("status", "open"),
                                                  request.args.get("order", "score"),
                                                  request.args.get("clause") or None))


@bp.get("/proposals/<int:proposal_id>/clauses/<key>")
def clause(proposal_id: int, key: str):
    proposal, version = proposals.get_version(proposal_id)
    clause = proposals.clause_of(version, key)
    sort = request.args.get("sort", "score")
    return render_template(
        "proposals/clause.html", proposal=proposal, version=version, clause=clause, sort=sort,
        threads=discussion.threads(proposal_id, clause_key=key),
        clarifications=discussion.clarifications(proposal_id, clause_key=key, sort=sort),
        votes=discussion.my_votes(current_user, proposal_id),
        comment_form=CommentForm(clause=key), clarification_form=ClarificationForm(clause=key))


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal, version = proposals.open_for_edit(current_user, proposal_id)
    form = EditProposalForm()
    if not form.is_submitted():
        form.title.data = proposal.title
        form.body.data = texts.as_markdown([texts.Clause(c.key, c.body) for c in version.clauses])
        form.base_version.data = str(proposal.current_version)
    if form.validate_on_submit():
        try:
            base = int(form.base_version.data or 0)
            proposals.edit_proposal(current_user, proposal.id, form.title.data, form.body.data, form.note.data, base)
        except ValueError:
            abort(400)
        except DomainError as err:
            if err.status == 403:
                raise
            form.body.errors = list(form.body.errors) + [err.message]
        else:
            flash(f"Saved as version {proposal.current_version}.", "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return render_template("proposals/edit.html", form=form, proposal=proposal), 200 if not form.errors else 422


@bp.get("/proposals/<int:proposal_id>/history")
def history(proposal_id: int):
    proposal, rows = proposals.versions(proposal_id)
    return render_template("proposals/history.html", proposal=proposal, versions=rows)


@bp.get("/proposals/<int:proposal_id>/versions/<int:number>")
def version(proposal_id: int, number: int):
    page = proposals.proposal_page(proposal_id, number)
    return render_template("proposals/version.html", proposal=page.proposal, version=page.version)
