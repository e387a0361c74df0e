"""The draw by lot in pages: assemblies and their history, each draw's evidence, members' pool
entries, and the administrators' seats, quotas, seeds and replacements."""
from __future__ import annotations

import json

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import DRAWN_CATEGORIES
from forum.services import draw_pages, draws, proposals, seats
from forum.services import pools as pool_service  # `pools` is the name of the pools page below
from forum.web.downloads import attachment
from forum.web.draws_forms import (AppointForm, ButtonForm, CharacteristicsForm, NominateForm, SeatPlanForm, SeedForm,
                                   StartForm, VolunteerForm)
from forum.web.forms import flash_errors

bp = Blueprint("draws", __name__)


@bp.app_context_processor
def draw_helpers():
    return {"category_label": seats.category_label, "seat_categories": SEAT_CATEGORIES,
            "drawn_categories": DRAWN_CATEGORIES}



def _features(characteristics) -> dict[str, str]:
    return {c.name: request.form.get(f"char-{i}", "") for i, c in enumerate(characteristics)}


# ----- public pages -----

@bp.get("/assemblies")
def assemblies():
    convention = proposals.convention_by_slug()
    return render_template("draws/assemblies.html", convention=convention,
                           assemblies=draw_pages.assembly_pages(convention.id))


@bp.get("/assemblies/<int:assembly_id>")
def assembly(assembly_id: int):
    return render_template("draws/assembly.html", page=draw_pages.assembly_page(assembly_id))


@bp.get("/draws/<int:draw_id>")
def draw(draw_id: int):
    page = draw_pages.draw_page(draw_id, current_user)
    return render_template("draws/draw.html", page=page, d=page.draw, start_form=StartForm(),
                           status=draw_pages.status(draw_id))


@bp.get("/draws/<int:draw_id>/status.json")
def draw_status(draw_id: int):
    return jsonify(draw_pages.status(draw_id))


@bp.get("/draws/<int:draw_id>/inputs.json")
def draw_inputs(draw_id: int):
    body = json.dumps(draws.published_inputs(draw_id), indent=2, sort_keys=True)
    return attachment(body, "application/json", f"draw-{draw_id}-inputs.json")


# ----- members: the pools -----

@bp.get("/pools")
@login_required
def pools():
    convention = proposals.convention_by_slug()
    page = draw_pages.pool_page(current_user, convention.id)
    volunteer_form, nominate_form = VolunteerForm(), NominateForm()
    choices = [(a.id, a.name) for a in page["assemblies"]]
    volunteer_form.assembly.choices = nominate_form.assembly.choices = choices
    return render_template("draws/pools.html", page=page, convention=convention, volunteer_form=volunteer_form,
                           nominate_form=nominate_form, form=ButtonForm())


def _to_pools():
    return redirect(url_for("draws.pools"), code=303)


@bp.post("/pools/volunteer")
@login_required
def volunteer():
    form = VolunteerForm()
    convention = proposals.convention_by_slug()
    form.assembly.choices = [(a.id, a.name) for a in pool_service.assemblies(convention.id)]
    if not form.validate_on_submit():
        flash_errors(form)
        return _to_pools()
    features = _features(pool_service.characteristics(convention.id))
    entry = pool_service.volunteer(current_user, form.assembly.data, features)
    flash(f"You are in the pool of individual members for the {entry.assembly.name}.", "success")
    return _to_pools()


@bp.post("/pools/nominate")
@login_required
def nominate():
    form = NominateForm()
    convention = proposals.convention_by_slug()
    form.assembly.choices = [(a.id, a.name) for a in pool_service.assemblies(convention.id)]
    if not form.validate_on_submit():
        flash_errors(form)
        return _to_pools()
    entry = pool_service.nominate(current_user, form.assembly.data, form.email.data)
    flash(f"{entry.user.name} is nominated to the pool of local-group representatives for the {entry.assembly.name}.",
          "success")
    return _to_pools()


@bp.post("/pools/declare")
@login_required
def declare():
    form = ButtonForm()
    convention = proposals.convention_by_slug()
    if not form.validate_on_submit():
        flash_errors(form)
        return _to_pools()
    pool_service.declare(current_user, convention.id, _features(pool_service.characteristics(convention.id)))
    flash("Your characteristics are saved.", "success")
    return _to_pools()


@bp.post("/pools/withdraw")
@login_required
def withdraw():
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _to_pools()
    pool_service.withdraw_entry(current_user, proposals.convention_by_slug().id)
    flash("You have left the pool.", "success")
    return _to_pools()


# ----- administrators -----

@bp.get("/admin/assemblies")
@login_required
def admin_assemblies():
    convention = proposals.convention_by_slug()
    pages, chars = draw_pages.admin_overview(current_user, convention.id)
    text = "\n".join(f"{c.name}: {', '.join(v for v in c.values if v != 'prefer not to say')}" for c in chars)
    form = CharacteristicsForm(text=text)
    return render_template("draws/admin_assemblies.html", pages=pages, form=form, convention=convention)


@bp.post("/admin/assemblies/characteristics")
@login_required
def admin_characteristics():
    form = CharacteristicsForm()
    if form.validate_on_submit():
        chars = pool_service.save_characteristics(current_user, proposals.convention_by_slug().id, form.text.data)
        flash(f"Saved {len(chars)} characteristics.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("draws.admin_assemblies"), code=303)


@bp.get("/admin/assemblies/<int:assembly_id>")
@login_required
def admin_assembly(assembly_id: int):
    page = draw_pages.admin_assembly(current_user, assembly_id)
    return render_template("draws/admin_assembly.html", page=page, plan_form=SeatPlanForm(data=page.plan),
                           appoint_form=AppointForm(), form=ButtonForm(), seed_form=SeedForm())


@bp.post("/admin/assemblies/<int:assembly_id>/plan")
@login_required
def admin_plan(assembly_id: int):
    form = SeatPlanForm()
    if form.validate_on_submit():
        seats.save_seat_plan(current_user, assembly_id, {c: getattr(form, c).data for c in SEAT_CATEGORIES})
        flash("Saved the seats of each category.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("draws.admin_assembly", assembly_id=assembly_id), code=303)


@bp.post("/admin/assemblies/<int:assembly_id>/appoint")
@login_required
def admin_appoint(assembly_id: int):
    form = AppointForm()
    if form.validate_on_submit():
        seat = seats.appoint(current_user, assembly_id, form.category.data, form.email.data)
        flash(f"{seat.user.name} is appointed: {seats.category_label(seat.category).lower()}.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("draws.admin_assembly", assembly_id=assembly_id), code=303)


@bp.post("/admin/seats/<int:seat_id>/withdraw")
@login_required
def admin_withdraw_seat(seat_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("draws.admin_assemblies"), code=303)
    seat = seats.withdraw_seat(current_user, seat_id)
    flash(f"Recorded that {seat.user.name} has stood down.", "success")
    return redirect(url_for("draws.admin_assembly", assembly_id=seat.assembly_id), code=303)


@bp.post("/admin/seats/<int:seat_id>/replacement")
@login_required
def admin_replacement(seat_id: int):
    form = SeedForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("draws.admin_assemblies"), code=303)
    row = draws.commit_replacement(current_user, seat_id, form.seed.data)
    flash("The seed for the replacement is committed and its commitment published.", "success")
    return redirect(url_for("draws.draw", draw_id=row.id), code=303)


@bp.get("/admin/assemblies/<int:assembly_id>/draw/<category>")
@login_required
def admin_category(assembly_id: int, category: str):
    page = draw_pages.category_admin(current_user, assembly_id, category)
    return render_template("draws/admin_category.html", page=page, form=ButtonForm(), seed_form=SeedForm())


def _bound(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # refused by the service as a negative bound


@bp.post("/admin/assemblies/<int:assembly_id>/draw/<category>/quotas")
@login_required
def admin_quotas(assembly_id: int, category: str):
    form = ButtonForm()
    back = redirect(url_for("draws.admin_category", assembly_id=assembly_id, category=category), code=303)
    if not form.validate_on_submit():
        flash_errors(form)
        return back
    convention = proposals.convention_by_slug()
    rows = []
    for i, c in enumerate(pool_service.characteristics(convention.id)):
        for j, value in enumerate(c.values):
            rows.append((c.name, value, _bound(f"min-{i}-{j}"), _bound(f"max-{i}-{j}")))
    saved = pool_service.save_quotas(current_user, assembly_id, category, rows)
    flash(f"Saved {len(saved)} quotas.", "success")
    return back


@bp.post("/admin/assemblies/<int:assembly_id>/draw/<category>/commit")
@login_required
def admin_commit(assembly_id: int, category: str):
    form = SeedForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("draws.admin_category", assembly_id=assembly_id, category=category), code=303)
    row = draws.commit_seed(current_user, assembly_id, category, form.seed.data)
    flash("The seed is committed: its commitment is published, and the pool and quotas are frozen.", "success")
    return redirect(url_for("draws.draw", draw_id=row.id), code=303)


@bp.post("/admin/draws/<int:draw_id>/start")
@login_required
def admin_start(draw_id: int):
    form = StartForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("draws.draw", draw_id=draw_id), code=303)
    draws.start_draw(current_user, draw_id, form.seed.data)
    flash("The draw has started. This page shows its progress.", "success")
    return redirect(url_for("draws.draw", draw_id=draw_id), code=303)
