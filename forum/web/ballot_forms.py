"""Forms of the ballot pages. The ballot paper itself is built from its questions, not from a form class."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, StringField
from wtforms.validators import DataRequired, Length

from forum.web.forms import MultiCheckboxField


class ReceiptForm(FlaskForm):
    receipt = StringField("Receipt code", validators=[DataRequired(), Length(max=60)],
                          description="The code shown when you voted, e.g. K7QF-3M9X-… (case and dashes do not matter).")


class NewBallotForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField("Opens", format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                  description="Local time of the convention (Europe/London).")
    closes_at = DateTimeLocalField("Closes", format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                   description="Ballots arriving at this moment or later are refused.")
    eligible_joined_by = DateField("Eligibility cut-off", validators=[DataRequired()],
                                   description="Members on the register on this date (joined on or before it) can vote.")
    texts = MultiCheckboxField("Texts on the ballot", coerce=int, validators=[DataRequired()],
                               description="Each text becomes a section; each of its clauses one question.")
