"""Administrators: the member register, roles, local groups and affiliates."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from deliberation.errors import DomainError
from forum.permissions import GRANTABLE, require
from forum.services import accounts, directory
from forum.web.forms import AffiliateForm, GroupForm, ImportForm, RolesForm, flash_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def only_administrators():
    require(current_user, "manage_members")


@bp.get("/members")
def members():
    query = request.args.get("q", "")[:120]
    page = max(request.args.get("page", 1, type=int), 1)
    listing = directory.members(query, page)
    return render_template("admin/members.html", listing=listing, query=query, form=ImportForm())


@bp.post("/members/import")
def import_register():
    form = ImportForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("admin.members"), code=303)
    raw = form.register.data.read()
    try:
        data = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError("register_encoding", "Save the CSV as UTF-8 and upload it again.") from None
    report = accounts.import_register(current_user, data)
    flash(f"Imported the register: {report.created} new members, {report.updated} updated, "
          f"{report.groups_created} new local groups.", "success")
    return redirect(url_for("admin.members"), code=303)


@bp.route("/members/<int:user_id>", methods=["GET", "POST"])
def member(user_id: int):
    user = directory.member(user_id)
    form = RolesForm()
    form.roles.choices = [(r.value, r.label) for r in GRANTABLE]
    form.local_group.choices = [(0, "No local group")] + [(g.id, g.name) for g in directory.local_groups()]
    if not form.is_submitted():
        form.roles.data = sorted(user.roles - {"member"})
        form.local_group.data = user.local_group_id or 0
    if form.validate_on_submit():
        accounts.set_roles(current_user, user.id, set(form.roles.data or []))
        accounts.set_member_group(current_user, user.id, form.local_group.data or None)
        flash(f"Saved roles and group for {user.name}.", "success")
        return redirect(url_for("admin.member", user_id=user.id), code=303)
    return render_template("admin/member.html", user=user, form=form), 200 if not form.errors else 422


@bp.route("/groups", methods=["GET", "POST"])
def groups():
    form = GroupForm()
    affiliate_form = AffiliateForm(prefix="affiliate")
    if form.validate_on_submit():
        group = accounts.save_local_group(current_user, form.name.data, form.region.data)
        flash(f"Added the local group {group.name}.", "success")
        return redirect(url_for("admin.groups"), code=303)
    return render_template("admin/groups.html", form=form, affiliate_form=affiliate_form,
                           groups=directory.local_groups_with_counts(), affiliates=directory.affiliates()), \
        200 if not form.errors else 422


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group(group_id: int):
    group = directory.local_group(group_id)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        accounts.save_local_group(current_user, form.name.data, form.region.data, group_id=group.id)
        flash("Saved the local group.", "success")
        return redirect(url_for("admin.groups"), code=303)
    return render_template("admin/group.html", form=form, group=group), 200 if not form.errors else 422


@bp.post("/affiliates")
def add_affiliate():
    form = AffiliateForm(prefix="affiliate")
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("admin.groups"), code=303)
    affiliate = accounts.save_affiliate(current_user, form.name.data, form.kind.data)
    flash(f"Added the affiliate {affiliate.name}.", "success")
    return redirect(url_for("admin.groups"), code=303)


@bp.post("/affiliates/<int:affiliate_id>/delete")
def delete_affiliate(affiliate_id: int):
    accounts.delete_affiliate(current_user, affiliate_id)
    flash("Removed the affiliate.", "success")
    return redirect(url_for("admin.groups"), code=303)
