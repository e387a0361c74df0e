"""Forms of the lifecycle pages: supports, the tracker's inputs, the convention's setup."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, HiddenField, IntegerField,
                     RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from deliberation.phases import LABELS, PhaseKind


class ButtonForm(FlaskForm):
    """A form that is only a button: the CSRF token is all it carries."""
    next = HiddenField()


class ConsensusCheckForm(FlaskForm):
    agree = IntegerField("Agree", validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    reservations = IntegerField("Agree with reservations", validators=[Optional(), NumberRange(min=0, max=10_000)],
                                default=0)
    stand_aside = IntegerField("Stand aside", validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    block = IntegerField("Block", validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    seated = IntegerField("Seated members", validators=[DataRequired(), NumberRange(min=1, max=10_000)],
                          description="Voting members of the assembly; the facilitator is not counted.")
    present = IntegerField("Present", validators=[DataRequired(), NumberRange(min=0, max=10_000)],
                           description="Members present when the check was taken; silence is not consent.")
    reasons = TextAreaField("Reasons for each block", validators=[Optional(), Length(max=10_000)],
                            description="One line per block, in the member's words.")


class MergeForm(FlaskForm):
    composite = SelectField("Composite text", coerce=int, validators=[DataRequired()])


class CounterProposalForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Text", validators=[DataRequired(), Length(max=200_000)],
                         description="Markdown. Each paragraph or list item becomes a numbered clause.")


class DigestForm(FlaskForm):
    digest = RadioField("Email me about texts I follow", choices=[
        ("daily", "A daily digest"), ("weekly", "A weekly digest"),
        ("never", "No digest (replies to me still come at once)"),
        ("off", "No e-mail at all (notifications stay here)")],
        validators=[DataRequired()])


class SettingsForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=60)],
                           description="Every date of the convention is entered and shown in this zone, "
                                       "e.g. Europe/London.")
    support_threshold = IntegerField("Supporting members an individual submission needs",
                                     validators=[DataRequired(), NumberRange(min=0, max=100_000)])
    quorum_fraction = DecimalField("Quorum (share of seated members)", places=2,
                                   validators=[DataRequired(), NumberRange(min=0.01, max=1)])
    agreement_threshold = DecimalField("Agreement needed (share not standing aside)", places=2,
                                       validators=[DataRequired(), NumberRange(min=0.01, max=1)])
    blocks_stop = BooleanField("One block stops consensus")
    stand_asides_count = BooleanField("Stand-asides count against the agreement share",
                                      description="Off: a member who stands aside is left out of the share.")
    silent_counts = BooleanField("Members present who do not answer count as not agreeing",
                                 description="Off: only the members who answered are counted.")


def phase_form_class():
    """One pair of dates per phase kind, in process order."""
    attrs = {}
    for kind in PhaseKind:
        label = LABELS[kind].capitalize()
        attrs[f"{kind.value}_opens"] = DateTimeLocalField(f"{label} opens", format="%Y-%m-%dT%H:%M",
                                                          validators=[Optional()])
        attrs[f"{kind.value}_closes"] = DateTimeLocalField(f"{label} closes", format="%Y-%m-%dT%H:%M",
                                                           validators=[Optional()])
    return type("PhasesForm", (FlaskForm,), attrs)


PhasesForm = phase_form_class()


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class AssemblyForm(FlaskForm):
    area = SelectField("Framework area", coerce=int, validators=[DataRequired()])
    name = StringField("Assembly name", validators=[DataRequired(), Length(max=120)])
