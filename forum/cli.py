"""flask commands: the demo convention and the member register import."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    register_lifecycle(app)
    register_draws(app)
    register_operations(app)
    @app.cli.group("demo")
    def demo_group():
        """The demo convention built from the seed documents."""

    @demo_group.command("load")
    @click.option("--reset", is_flag=True, help="Drop every table and load the demo afresh.")
    def load(reset: bool):
        """Load the demo convention (does nothing if one is already there, unless --reset)."""
        if current_app.config["CONVENE_ENV"] == "production":
            raise click.ClickException(
                "Refusing to load the demo in production: its accounts have a published password. "
                "Create the first administrator with `flask create-admin` (docs/DEPLOY.md).")
        from forum.demo import load_demo
        from forum.extensions import db
        if reset:
            db.drop_all()
            from flask_migrate import upgrade
            db.session.remove()
            from sqlalchemy import text
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
        report = load_demo(Path(current_app.config["SEEDS_DIR"]))
        click.echo(report)

    @app.cli.group("members")
    def members_group():
        """The member register."""

    @members_group.command("import")
    @click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
    @click.option("--admin-email", required=True, help="The administrator on whose authority the import runs.")
    def import_members(csv_file, admin_email: str):
        """Import a member register CSV (columns: name, email, local group, region)."""
        from sqlalchemy import select
        from deliberation.errors import DomainError
        from forum.extensions import db
        from forum.models import User
        from forum.services.accounts import import_register
        admin = db.session.scalar(select(User).where(User.email == admin_email.lower()))
        if admin is None:
            raise click.ClickException(f"No member with the email {admin_email}.")
        try:
            report = import_register(admin, csv_file.read())
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"{report.created} created, {report.updated} updated, {report.groups_created} new local groups.")


def register_lifecycle(app: Flask) -> None:
    @app.cli.group("lifecycle")
    def lifecycle_group():
        """The convention's calendar and its texts."""

    @lifecycle_group.command("close-phases")
    def close_phases():
        """Record every phase that has closed on the texts it affects (safe to run again)."""
        from forum.services.tracking import close_phases as close
        click.echo(f"Recorded {close()} phase closes on texts.")

    @app.cli.group("notifications")
    def notifications_group():
        """Notifications of followed texts."""

    @notifications_group.command("send-digests")
    def send_digests():
        """Email each member who is due a digest what happened on the texts they follow."""
        from forum.services.notifications import send_digests as send
        from forum.services.mail import mailer
        if mailer() is None:
            raise click.ClickException("No mail server is configured (set MAIL_SERVER).")
        report = send()
        click.echo(f"Sent {report.sent} digests covering {report.notifications} notifications.")


def register_draws(app: Flask) -> None:
    @app.cli.group("draws")
    def draws_group():
        """Draws by lot of the assemblies."""

    @draws_group.command("verify")
    @click.argument("draw_id", type=int)
    def verify(draw_id: int):
        """Re-run a published draw from its stored inputs and seed; exit 1 if the panel differs."""
        from deliberation.errors import DomainError
        from forum.services.draws import verify as run
        try:
            outcome = run(draw_id)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"Draw #{outcome.draw_id}: commitment {'matches' if outcome.commitment_ok else 'DOES NOT match'} "
                   "the seed.")
        click.echo("panel drawn now:  " + " ".join(outcome.panel))
        click.echo("panel published:  " + " ".join(outcome.published))
        if not outcome.matches:
            raise click.ClickException("The re-run does not give the published panel.")
        click.echo("The re-run gives the published panel.")


def register_operations(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", envvar="CONVENE_ADMIN_EMAIL", help="Or CONVENE_ADMIN_EMAIL.")
    @click.option("--name", envvar="CONVENE_ADMIN_NAME", default="Administrator", show_default=True)
    def create_admin(email: str | None, name: str):
        """Create the first administrator (asks for the password unless CONVENE_ADMIN_PASSWORD is set)."""
        import os

        from deliberation.errors import DomainError
        from forum.services.accounts import create_admin as make_admin
        email = email or click.prompt("Administrator's e-mail")
        password = os.environ.get("CONVENE_ADMIN_PASSWORD") or click.prompt(
            "Password (at least 8 characters)", hide_input=True, confirmation_prompt=True)
        try:
            user = make_admin(name, email, password)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"Administrator {user.email} created.")

    @app.cli.command("check-production")
    def check_production():
        """Say what a production configuration still lacks; exit 1 if anything does."""
        from forum import readiness
        checks = readiness.production(current_app)
        for check in checks:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        failed = [c.name for c in checks if not c.ok]
        if failed:
            raise click.ClickException(f"{len(failed)} of {len(checks)} checks failed: {', '.join(failed)}.")
        click.echo(f"All {len(checks)} checks passed.")
