"""The convention's lifecycle in pages: its timeline, supports, the consensus tracker on each text,
the facilitators' dashboard, the public progress page, notifications, setup and exports."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from deliberation import phases
from forum.extensions import csrf
from forum.permissions import require
from forum.services import audit_pages, exports, notifications, proposals, setup, tracker_pages, tracking
from forum.web.downloads import attachment
from forum.web.forms import flash_errors
from forum.web.lifecycle_forms import (
    AssemblyForm,
    ButtonForm,
    ConsensusCheckForm,
    CounterProposalForm,
    DigestForm,
    MergeForm,
    NameForm,
    PhasesForm,
    SettingsForm,
)
from forum.web.navigation import safe_next

bp = Blueprint("lifecycle", __name__)


@bp.app_context_processor
def lifecycle_helpers():
    return {"tracker_panel": lambda proposal: tracker_pages.panel(current_user, proposal),
            "tracker_history": tracker_pages.history,
            "unread_notifications": lambda: notifications.unread_count(current_user),
            "digest_form_for": lambda: DigestForm(digest=notifications.digest_choice(current_user))}



def _back(proposal_id: int) -> str:
    return safe_next(url_for("lifecycle.text", proposal_id=proposal_id))


# ----- public pages -----

@bp.get("/timeline")
def timeline():
    page = tracker_pages.timeline_page(proposals.convention_by_slug())
    return render_template("lifecycle/timeline.html", page=page, convention=page.convention)


@bp.get("/progress")
def progress():
    convention = proposals.convention_by_slug()
    return render_template("lifecycle/progress.html", board=tracker_pages.board(convention), convention=convention,
                           dashboard=False)


@bp.get("/proposals/<int:proposal_id>/tracker")
def text(proposal_id: int):
    proposal, version = proposals.get_version(proposal_id)
    convention = proposals.convention_by_slug()
    check_form = ConsensusCheckForm(seated=tracker_pages.voting_seats(proposal.area_id))
    merge_form = MergeForm()
    merge_form.composite.choices = [(p.id, f"#{p.id} {p.title}")
                                    for p in tracker_pages.composites(convention.id, proposal.id)]
    return render_template("lifecycle/text.html", proposal=proposal, version=version,
                           history=tracker_pages.history(proposal_id), check_form=check_form, merge_form=merge_form,
                           counter_form=CounterProposalForm(), form=ButtonForm(),
                           decisions=audit_pages.decisions_on(proposal_id))


# ----- members -----

@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def support(proposal_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(safe_next(url_for("proposals.show", proposal_id=proposal_id)), code=303)
    count = tracking.support_submission(current_user, proposal_id)
    flash(f"Your support is counted: {count.supports} of {count.threshold} supporting members.", "success")
    return redirect(safe_next(url_for("proposals.show", proposal_id=proposal_id)), code=303)


@bp.post("/proposals/<int:proposal_id>/follow")
@login_required
def follow(proposal_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(safe_next(url_for("proposals.show", proposal_id=proposal_id)), code=303)
    on = request.form.get("follow") != "off"
    notifications.follow(current_user, proposal_id, on)
    flash("You follow this text: its news reaches your notifications." if on else "You no longer follow this text.",
          "success")
    return redirect(safe_next(url_for("proposals.show", proposal_id=proposal_id)), code=303)


@bp.get("/notifications")
@login_required
def notifications_page():
    return render_template("lifecycle/notifications.html", items=notifications.listing(current_user),
                           read_form=ButtonForm())


@bp.post("/notifications/read")
@login_required
def mark_read():
    form = ButtonForm()
    if form.validate_on_submit():
        notifications.mark_all_read(current_user)
        flash("All notifications are marked as read.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("lifecycle.notifications_page"), code=303)


@bp.post("/notifications/digest")
@login_required
def digest():
    form = DigestForm()
    if form.validate_on_submit():
        choice = notifications.set_digest(current_user, form.digest.data)
        flash({"daily": "You will get a daily digest.", "weekly": "You will get a weekly digest.",
               "never": "You will get no digest; replies to you still come at once.",
               "off": "You will get no e-mail from Convene; notifications stay on this site."}[choice], "success")
    else:
        flash_errors(form)
    return redirect(safe_next(url_for("account.profile")), code=303)


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """The link in every notification e-mail: one button, so a mail scanner following links
    changes nothing."""
    return render_template("lifecycle/unsubscribe.html", token=token, done=False)


@bp.post("/notifications/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without our form; the signed token is the authority
def unsubscribe(token: str):
    user = notifications.unsubscribe(token)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("lifecycle/unsubscribe.html", token=token, done=True, email=user.email)


# ----- facilitators, the leadership -----

@bp.get("/tracker")
@login_required
def dashboard():
    convention = proposals.convention_by_slug()
    board = tracker_pages.dashboard(current_user, convention)
    return render_template("lifecycle/progress.html", board=board, convention=convention, dashboard=True,
                           form=ButtonForm())


@bp.post("/proposals/<int:proposal_id>/consensus-check")
@login_required
def consensus_check(proposal_id: int):
    form = ConsensusCheckForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    responses = {"agree": form.agree.data or 0, "reservations": form.reservations.data or 0,
                 "stand_aside": form.stand_aside.data or 0, "block": form.block.data or 0}
    reasons = [line for line in (form.reasons.data or "").splitlines() if line.strip()]
    row = tracking.record_consensus_check(current_user, proposal_id, responses, form.seated.data, form.present.data,
                                          reasons, "form")
    flash(f"Consensus check recorded. {row.reason}", "success" if row.moved else "error")
    return redirect(_back(proposal_id), code=303)


def _step(proposal_id: int, service, done: str):
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    row = service(current_user, proposal_id)
    flash(f"{done} {row.reason}", "success")
    return redirect(_back(proposal_id), code=303)


@bp.post("/proposals/<int:proposal_id>/take-into-drafting")
@login_required
def take_into_drafting(proposal_id: int):
    return _step(proposal_id, tracking.take_into_drafting, "Taken into drafting.")


@bp.post("/proposals/<int:proposal_id>/publish-interim")
@login_required
def publish_interim(proposal_id: int):
    return _step(proposal_id, tracking.publish_interim, "Published.")


@bp.post("/proposals/<int:proposal_id>/place-on-ballot")
@login_required
def place_on_ballot(proposal_id: int):
    return _step(proposal_id, tracking.place_on_ballot, "Placed on the ballot.")


@bp.post("/proposals/<int:proposal_id>/merge")
@login_required
def merge(proposal_id: int):
    form = MergeForm()
    form.composite.choices = [(int(request.form.get("composite") or 0), "")]
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    row = tracking.merge_into(current_user, proposal_id, form.composite.data)
    flash(row.reason, "success")
    return redirect(_back(proposal_id), code=303)


@bp.post("/proposals/<int:proposal_id>/counter-proposal")
@login_required
def counter_proposal(proposal_id: int):
    form = CounterProposalForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(proposal_id), code=303)
    counter = tracking.table_counter_proposal(current_user, proposal_id, form.title.data, form.body.data)
    flash("The counter-proposal is tabled; it stands beside the text on the ballot.", "success")
    return redirect(url_for("proposals.show", proposal_id=counter.id), code=303)


# ----- administrators -----

def _admin_page(status: int = 200, **forms):
    require(current_user, "manage_convention")
    convention = proposals.convention_by_slug()
    rules = setup.rules_row(convention.id)
    settings = forms.get("settings") or SettingsForm(
        name=convention.name, description=convention.description, timezone=convention.timezone,
        support_threshold=convention.support_threshold, quorum_fraction=rules.quorum_fraction,
        agreement_threshold=rules.agreement_threshold, blocks_stop=rules.blocks_stop,
        stand_asides_count=rules.stand_asides_count, silent_counts=rules.silent_counts)
    phase_form = forms.get("phases")
    if phase_form is None:
        phase_form = PhasesForm(formdata=None)
        for kind, (opens, closes) in setup.local_dates(convention).items():
            getattr(phase_form, f"{kind}_opens").data = opens
            getattr(phase_form, f"{kind}_closes").data = closes
    assembly_form = AssemblyForm()
    areas = setup.framework(convention.id)
    assembly_form.area.choices = [(a.id, a.name) for a in areas]
    return render_template("lifecycle/admin_convention.html", convention=convention, areas=areas, settings=settings,
                           phase_form=phase_form, kinds=list(phases.PhaseKind), labels=phases.LABELS,
                           name_form=NameForm(), assembly_form=assembly_form,
                           assemblies=setup.assemblies(convention.id), form=ButtonForm()), status


@bp.get("/admin/convention")
@login_required
def admin_convention():
    return _admin_page()


@bp.post("/admin/convention/settings")
@login_required
def admin_settings():
    form = SettingsForm()
    if not form.validate_on_submit():
        return _admin_page(422, settings=form)
    convention = proposals.convention_by_slug()
    setup.save_settings(current_user, convention.id, form.name.data, form.description.data, form.timezone.data.strip(),
                        form.support_threshold.data, float(form.quorum_fraction.data),
                        float(form.agreement_threshold.data), form.blocks_stop.data,
                        stand_asides_count=form.stand_asides_count.data, silent_counts=form.silent_counts.data)
    flash("Saved the convention's settings and rules.", "success")
    return redirect(url_for("lifecycle.admin_convention"), code=303)


@bp.post("/admin/convention/phases")
@login_required
def admin_phases():
    form = PhasesForm()
    if not form.validate_on_submit():
        return _admin_page(422, phases=form)
    entries = {k.value: (getattr(form, f"{k.value}_opens").data, getattr(form, f"{k.value}_closes").data)
               for k in phases.PhaseKind}
    convention = proposals.convention_by_slug()
    setup.save_timeline(current_user, convention.id, entries)
    flash("Saved the timeline.", "success")
    return redirect(url_for("lifecycle.admin_convention") + "#phases-heading", code=303)


def _named(then):
    form = NameForm()
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        then(form.name.data)
    return redirect(url_for("lifecycle.admin_convention") + "#framework-heading", code=303)


@bp.post("/admin/convention/areas")
@login_required
def admin_add_area():
    convention = proposals.convention_by_slug()
    return _named(lambda name: flash(f"Added the area {setup.add_area(current_user, convention.id, name).name}.",
                                     "success"))


@bp.post("/admin/convention/areas/<int:area_id>")
@login_required
def admin_rename_area(area_id: int):
    return _named(lambda name: flash(f"Renamed the area to {setup.rename_area(current_user, area_id, name).name}.",
                                     "success"))


@bp.post("/admin/convention/areas/<int:area_id>/topics")
@login_required
def admin_add_topic(area_id: int):
    return _named(lambda name: flash(f"Added the topic {setup.add_topic(current_user, area_id, name).name}.",
                                     "success"))


@bp.post("/admin/convention/topics/<int:topic_id>")
@login_required
def admin_rename_topic(topic_id: int):
    return _named(lambda name: flash(f"Renamed the topic to {setup.rename_topic(current_user, topic_id, name).name}.",
                                     "success"))


@bp.post("/admin/convention/assemblies")
@login_required
def admin_assembly():
    convention = proposals.convention_by_slug()
    form = AssemblyForm()
    form.area.choices = [(a.id, a.name) for a in convention.areas]
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        assembly = setup.save_assembly(current_user, convention.id, form.area.data, form.name.data)
        flash(f"Saved the {assembly.name}.", "success")
    return redirect(url_for("lifecycle.admin_convention") + "#assemblies-heading", code=303)


@bp.post("/admin/convention/close-phases")
@login_required
def admin_close_phases():
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        count = tracking.close_phases_by(current_user)
        flash(f"Recorded {count} phase closes on texts." if count else "Every closed phase was already recorded.",
              "success")
    return redirect(safe_next(url_for("lifecycle.dashboard")), code=303)


@bp.get("/admin/exports")
@login_required
def admin_exports():
    require(current_user, "export")
    return render_template("lifecycle/exports.html", datasets=exports.DATASETS)


@bp.get("/admin/exports/<name>.<fmt>")
@login_required
def admin_export(name: str, fmt: str):
    convention = proposals.convention_by_slug()
    body, mimetype = exports.export(current_user, convention.id, name, fmt)
    return attachment(body, mimetype, f"{convention.slug}-{name}.{fmt}")
