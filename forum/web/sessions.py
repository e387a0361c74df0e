"""Pages of live assembly sessions: the list, scheduling, the live page (whose plain forms post the
same actions the script sends over the socket), and the minutes with their Markdown export."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, StringField
from wtforms.validators import DataRequired, Length

from deliberation import sessions as core
from forum.services.sessions import minutes as minutes_service
from forum.services.sessions import presence
from forum.services.sessions import schedule as scheduling
from forum.services.sessions.actions import ACTIONS, parse, perform
from forum.web.downloads import attachment
from forum.web.forms import MultiCheckboxField

bp = Blueprint("sessions", __name__)
ZONE = ZoneInfo("Europe/London")  # the convention's time zone

RESPONSES = [("agree", "Agree"), ("agree_with_reservations", "Agree with reservations"),
             ("stand_aside", "Stand aside"), ("block", "Block")]
HAND_KINDS = [("ordinary", "To speak"), ("point_of_information", "Point of information"),
              ("direct_response", "Direct response")]


class ScheduleForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField("Starts at (UK time)", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    agenda = MultiCheckboxField("Agenda", coerce=int, description="The texts to deliberate, in this order.")
    public = BooleanField("Members may watch as observers", default=True)


class BlankForm(FlaskForm):
    """Only for its CSRF token."""


@bp.get("/sessions")
@login_required
def index():
    listing = scheduling.listing(current_user)
    return render_template("sessions/index.html", assemblies=listing.assemblies, by_assembly=listing.by_assembly,
                           standing=listing.standing)


@bp.route("/assemblies/<int:assembly_id>/sessions/new", methods=["GET", "POST"])
@login_required
def schedule(assembly_id: int):
    assembly, choices = scheduling.schedule_form(current_user, assembly_id)
    form = ScheduleForm()
    form.agenda.choices = [(p.id, p.title) for p in choices]
    if form.validate_on_submit():
        starts = form.starts_at.data.replace(tzinfo=ZONE)
        row = scheduling.schedule_session(current_user, assembly_id, form.title.data, starts, form.agenda.data,
                                       form.public.data)
        flash("The session is scheduled.", "success")
        return redirect(url_for("sessions.show", session_id=row.id), code=303)
    return render_template("sessions/new.html", form=form, assembly=assembly), 422 if form.errors else 200


@bp.get("/sessions/<int:session_id>")
@login_required
def show(session_id: int):
    row, state = presence.session_state(current_user, session_id)
    return render_template("sessions/show.html", row=row, state=state, form=BlankForm(), responses=RESPONSES,
                           hand_kinds=HAND_KINDS)


@bp.post("/sessions/<int:session_id>/open")
@login_required
def open_(session_id: int):
    scheduling.open_session(current_user, session_id)
    flash("The session is open.", "success")
    return redirect(url_for("sessions.show", session_id=session_id), code=303)


@bp.post("/sessions/<int:session_id>/close")
@login_required
def close(session_id: int):
    scheduling.close_session(current_user, session_id)
    flash("The session has ended; its minutes are ready.", "success")
    return redirect(url_for("sessions.show", session_id=session_id), code=303)


DONE = {
    "raise_hand": "Your hand is up.", "lower_hand": "The hand is lowered.", "answer_check": "Your answer is counted.",
    "post_message": "Your message is posted.", "open_check": "The consensus check is open.",
    "close_check": "The consensus check is closed.",
}


@bp.post("/sessions/<int:session_id>/do/<action>")
@login_required
def act(session_id: int, action: str):
    """The page's forms without JavaScript: the same actions and checks as the socket events."""
    if action not in ACTIONS:
        return render_template("errors/error.html", status=404, message="There is no such action."), 404
    values = parse(action, {**request.form.to_dict(), "session": session_id}, from_form=True)
    perform(current_user, action, values)
    flash(DONE.get(action, "Done."), "success")
    return redirect(url_for("sessions.show", session_id=session_id), code=303)


@bp.get("/sessions/<int:session_id>/minutes")
@login_required
def minutes(session_id: int):
    row, m = minutes_service.minutes(current_user, session_id)
    return render_template("sessions/minutes.html", row=row, minutes=m)


@bp.get("/sessions/<int:session_id>/minutes.md")
@login_required
def minutes_markdown(session_id: int):
    row, m = minutes_service.minutes(current_user, session_id)
    return attachment(core.minutes_markdown(m), "text/markdown", f"session-{row.id}-minutes.md")


@bp.app_template_filter("session_time")
def session_time(value: datetime) -> str:
    """A start time as members in the UK read it: 'Tue 1 March 2022, 18:30'."""
    return value.astimezone(ZONE).strftime("%a %-d %B %Y, %H:%M")
