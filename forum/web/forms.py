"""Forms for every page: WTForms gives CSRF, parsing and field errors; the services give the rules."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, EmailField, HiddenField, PasswordField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def flash_errors(form) -> None:
    """A form that failed its own checks: each error shown on the page, named by its field's label."""
    for name, errors in form.errors.items():
        for error in errors:
            label = getattr(getattr(form, name, None), "label", None)
            flash(f"{label.text}: {error}" if label is not None and name != "csrf_token" else str(error), "error")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       description="If your email is on the member register, this claims your membership.")
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             description="At least 10 characters.")
    local_group = SelectField("Local group", coerce=int, validators=[Optional()])


class ProposalForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    area = SelectField("Framework area", coerce=int, validators=[DataRequired()])
    topics = MultiCheckboxField("Topics", coerce=int, validators=[Optional()])
    body = TextAreaField("Text", validators=[DataRequired(), Length(max=200_000)],
                         description="Markdown. Each paragraph or list item becomes a numbered clause.")
    on_behalf_of_group = BooleanField("Submit on behalf of my local group")


class EditProposalForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Text", validators=[DataRequired(), Length(max=200_000)],
                         description="Markdown. Each paragraph or list item becomes a numbered clause.")
    note = StringField("What changed and why", validators=[Optional(), Length(max=500)],
                       description="Shown in the history of versions.")
    base_version = HiddenField()


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[DataRequired(), Length(max=5000)])
    clause = HiddenField()
    parent = HiddenField()
    next = HiddenField()


class EditCommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[DataRequired(), Length(max=5000)])


class ClarificationForm(FlaskForm):
    question = TextAreaField("Your question", validators=[DataRequired(), Length(max=2000)],
                             description="Ask what a clause means or how it would work; the proposer answers.")
    clause = HiddenField()
    next = HiddenField()


class AnswerForm(FlaskForm):
    answer = TextAreaField("Answer", validators=[DataRequired(), Length(max=5000)])
    next = HiddenField()


class VoteForm(FlaskForm):
    value = RadioField("Vote", choices=[("1", "Up"), ("-1", "Down"), ("0", "Withdraw")])
    next = HiddenField()


class ImportForm(FlaskForm):
    register = FileField("Member register (CSV)",
                         validators=[FileRequired(), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
                         description="Columns: name, email, local group, region. One member per row.")


class RolesForm(FlaskForm):
    roles = MultiCheckboxField("Roles", validators=[Optional()])
    local_group = SelectField("Local group", coerce=int, validators=[Optional()])


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    region = StringField("Region", validators=[Optional(), Length(max=80)])


class AffiliateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=[("trade_union", "Trade union"),
                                        ("sister_organisation", "Sister organisation in the nations")])


class TokenForm(FlaskForm):
    pass


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search proposals", validators=[Optional(), Length(max=200)])
    area = SelectField("Area", coerce=int, validators=[Optional()])
