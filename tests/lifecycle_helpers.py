"""Shared set-up of the lifecycle tests: a convention with a whole timeline, an assembly, a movable clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from forum.extensions import db
from forum.models import Assembly, AssemblySeat
from tests import factories

START = datetime(2030, 1, 1, 9, tzinfo=timezone.utc)


class Clock:
    """The app's CLOCK, moved by the test: `clock.at("drafting", days=1)`."""

    def __init__(self, app, dates):
        self.dates = dates
        self.now = START
        app.config["CLOCK"] = lambda: self.now

    def at(self, kind: str, days: float = 0, closing: bool = False) -> datetime:
        opens, closes = self.dates[kind]
        self.now = (closes if closing else opens) + timedelta(days=days)
        return self.now


def lifecycle_convention(app, seats: int = 10):
    """A convention with the whole timeline, an assembly of `seats` voting members for the first area,
    and the people who act on it."""
    app.config["CLOCK"] = lambda: START
    conv = factories.convention(open_now=())
    dates = factories.full_timeline(conv, START)
    people = {
        "admin": factories.user("Ada Okafor", roles=("admin",), email="admin@example.org"),
        "facilitator": factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org"),
        "leadership": factories.user("Priya Raman", roles=("leadership",), email="ncg@example.org"),
        "author": factories.user("Alex Moreno", email="alex@example.org"),
    }
    for i in range(1, 4):
        people[f"s{i}"] = factories.user(f"Supporter {i}", email=f"s{i}@example.org")
    assembly = Assembly(convention_id=conv.id, area_id=conv.areas[0].id, name="Politics and People Assembly")
    db.session.add(assembly)
    for i in range(seats):
        member = factories.user(f"Seat {i}", email=f"seat{i}@example.org")
        assembly.seats.append(AssemblySeat(user=member, category="individual"))
    assembly.seats.append(AssemblySeat(user=people["facilitator"], category="facilitator"))
    db.session.commit()
    return conv, dates, people, Clock(app, dates)
