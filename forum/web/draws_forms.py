"""Forms of the draw pages: seat plans, appointments, characteristics, seeds, pool entries."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.models.assemblies import SEAT_CATEGORIES
from forum.models.draws import DRAWN_CATEGORIES
from forum.services.seats import CATEGORY_LABELS, MAX_SEATS


def _plan_form():
    attrs = {c: IntegerField(CATEGORY_LABELS[c], validators=[InputRequired(), NumberRange(min=0, max=MAX_SEATS)])
             for c in SEAT_CATEGORIES}
    return type("SeatPlanForm", (FlaskForm,), attrs)


SeatPlanForm = _plan_form()


class AppointForm(FlaskForm):
    category = SelectField("Category", choices=[(c, CATEGORY_LABELS[c]) for c in SEAT_CATEGORIES
                                                if c not in DRAWN_CATEGORIES], validators=[DataRequired()])
    email = StringField("Member's email", validators=[DataRequired(), Length(max=254)])


class CharacteristicsForm(FlaskForm):
    text = TextAreaField("Characteristics asked of pool members", validators=[DataRequired(), Length(max=5000)],
                         description="One a line: name, a colon, then the values separated by commas. "
                                     "'prefer not to say' is always added.")


class SeedForm(FlaskForm):
    seed = StringField("Seed (optional)", validators=[Optional(), Length(max=200)],
                       description="Leave empty and Convene picks a random seed. Only its commitment "
                                   "(a sha256 hash) is published now; the seed is published after the draw.")


class StartForm(FlaskForm):
    seed = StringField("Seed, to check against the commitment (optional)", validators=[Optional(), Length(max=200)],
                       description="If you keep the seed yourself, type it here: the draw starts only if it "
                                   "matches the published commitment.")


class NominateForm(FlaskForm):
    assembly = SelectField("Assembly", coerce=int, validators=[DataRequired()])
    email = StringField("Email of the member you nominate", validators=[DataRequired(), Length(max=254)],
                        description="A member of your local group, or yourself. They declare their own "
                                    "characteristics on this page.")


class ButtonForm(FlaskForm):
    next = HiddenField()


class VolunteerForm(FlaskForm):
    assembly = SelectField("Assembly you volunteer for", coerce=int, validators=[DataRequired()])
