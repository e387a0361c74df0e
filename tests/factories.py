"""Plain functions that put rows in the test database."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Area, Convention, LocalGroup, Phase, RoleGrant, Topic, User
from forum.records import conventions
from forum.services import proposals

PASSWORD = "correct horse battery"
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # fast in tests


def convention(name: str = "Refounding Convention", open_now: tuple[str, ...] = ("submissions",)) -> Convention:
    """A convention with two areas; the phases named in `open_now` are open at the test clock."""
    conv = Convention(slug="refounding", name=name, description="A test convention.")
    db.session.add(conv)
    db.session.flush()
    for i, (slug, area_name, topics) in enumerate([
            ("politics-and-people", "Politics and People", ["Policies", "Ethics"]),
            ("power-and-participation", "Power and Participation", ["Local Groups", "Members"])]):
        area = Area(convention_id=conv.id, slug=slug, name=area_name, position=i)
        area.topics = [Topic(slug=t.lower().replace(" ", "-"), name=t, position=j) for j, t in enumerate(topics)]
        db.session.add(area)
    db.session.commit()
    open_phases(conv, *open_now)
    return conv


def open_phases(conv: Convention, *kinds: str) -> None:
    """Phases open from a day before the clock's now until thirty days after it."""
    now = conventions.now()
    for kind in kinds:
        db.session.add(Phase(convention_id=conv.id, kind=kind, opens_at=now - timedelta(days=1),
                             closes_at=now + timedelta(days=30)))
    db.session.commit()


# A whole timeline, ten days a phase (nominations inside submissions), as (kind, first day, days).
TIMELINE = [("submissions", 0, 20), ("nominations", 0, 15), ("drafting", 20, 10), ("amendment_window", 30, 10),
            ("final_drafting", 40, 10), ("leadership_round", 50, 10), ("ballot", 60, 10), ("results", 70, 30)]


def full_timeline(conv: Convention, start: datetime = datetime(2030, 1, 1, 9, tzinfo=timezone.utc)) -> dict:
    """Replace the phases with a whole timeline from `start`; returns {kind: (opens, closes)}."""
    Phase.query.filter_by(convention_id=conv.id).delete()
    dates = {}
    for kind, first, days in TIMELINE:
        opens = start + timedelta(days=first)
        dates[kind] = (opens, opens + timedelta(days=days))
        db.session.add(Phase(convention_id=conv.id, kind=kind, opens_at=opens, closes_at=opens + timedelta(days=days)))
    db.session.commit()
    return dates


def user(name: str = "Alex Moreno", roles: tuple[str, ...] = (), email: str | None = None,
         group: LocalGroup | None = None) -> User:
    email = email or name.lower().replace(" ", ".") + "@example.org"
    member = User(name=name, email=email, password_hash=_HASH, local_group=group,
                  region=group.region if group else "", joined_on=date(2021, 1, 1))
    member.grants = [RoleGrant(role=r) for r in roles]
    db.session.add(member)
    db.session.commit()
    return member


def group(name: str = "Sheffield", region: str = "Yorkshire and the Humber") -> LocalGroup:
    g = LocalGroup(name=name, region=region)
    db.session.add(g)
    db.session.commit()
    return g


def proposal(author: User, conv: Convention, title: str = "Open selections",
             body: str = "Campaign for open selections.\n\nBallot all members on policy.\n\nMeet monthly.",
             area_index: int = 0):
    area = conv.areas[area_index]
    return proposals.create_proposal(author, conv.id, title, body, area.id)
