"""Every list page loads what it shows in a fixed number of queries, whatever the number of rows.

Each case loads the demo convention, counts the statements one request of the page sends, adds
many more rows of what that page lists (more than five times the demo's), and counts again: the
two counts must be equal and under the bound. A page that is N+1 today and can only be fixed in
forum/ carries a strict xfail naming the cause; it turns red once fixed, to say the mark can go.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.demo import DEMO_PASSWORD, load_demo
from forum.demo.lifecycle import clock_at
from forum.extensions import db
from forum.models import (Affiliate, Area, Assembly, AssemblySeat, Convention, LocalGroup, Notification, Phase,
                          PoolEntry, Proposal, User)
from forum.services import ballots, proposals
from forum.services.sessions import schedule
from tests import factories
from tests.support.queries import Queries, count_queries

SEEDS = Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
MORE = 30  # rows added to each list: more than five times what the demo shows on any of them
BOUND = 40  # no list page needs more statements than this, however long the list


@dataclass
class Demo:
    convention: Convention

    def user(self, email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    def new_member(self, tag: str, group: LocalGroup | None = None, roles: tuple[str, ...] = ()) -> User:
        return factories.user(f"Extra {tag}", email=f"extra.{tag}@example.org", roles=roles, group=group)


def more_proposals(demo: Demo, n: int, **kwargs) -> None:
    """Submissions (or convention texts) by as many new authors, across the areas and their topics."""
    areas = demo.convention.areas
    submissions = db.session.scalar(select(Phase).where(Phase.convention_id == demo.convention.id,
                                                        Phase.kind == "submissions"))
    with clock_at(submissions.opens_at + timedelta(days=1)):  # the demo stands past the submissions window
        for i in range(n):
            area = areas[i % len(areas)]
            proposals.create_proposal(
                demo.new_member(f"author{i}"), demo.convention.id, f"Extra proposal {i}",
                f"Members decide {i}.\n\nLocal groups meet {i}.", area.id, [area.topics[0].id], **kwargs)


def more_convention_texts(demo: Demo, n: int) -> None:
    more_proposals(demo, n, origin="convention", state="draft")


def more_members(demo: Demo, n: int) -> None:
    """Members in new local groups, each with a role."""
    for i in range(n):
        demo.new_member(f"member{i}", group=factories.group(f"Extra group {i}", region=f"Region {i}"),
                        roles=("representative",))


def more_groups_and_affiliates(demo: Demo, n: int) -> None:
    for i in range(n):
        group = factories.group(f"Extra group {i}", region=f"Region {i}")
        demo.new_member(f"grouped{i}", group=group)
        db.session.add(Affiliate(name=f"Extra affiliate {i}", kind="trade_union" if i % 2 else "sister_organisation"))
    db.session.commit()


def more_assemblies(demo: Demo, n: int) -> None:
    """Assemblies on new areas, each with a facilitator and members seated."""
    for i in range(n):
        area = Area(convention_id=demo.convention.id, slug=f"extra-area-{i}", name=f"Extra area {i}", position=10 + i)
        db.session.add(area)
        db.session.flush()
        assembly = Assembly(convention_id=demo.convention.id, area_id=area.id, name=f"Extra assembly {i}")
        assembly.seats = [AssemblySeat(user=demo.new_member(f"seat{i}-{category}"), category=category)
                          for category in ("facilitator", "local_group", "individual")]
        db.session.add(assembly)
    db.session.commit()


def more_sessions(demo: Demo, n: int) -> None:
    """Sessions scheduled on the demo's assemblies, each with its area's texts on the agenda."""
    assemblies = db.session.scalars(select(Assembly).order_by(Assembly.id)).all()
    for i in range(n):
        assembly = assemblies[i % len(assemblies)]
        facilitator = next(s.user for s in assembly.seats if s.category == "facilitator")
        texts = db.session.scalars(select(Proposal.id).where(Proposal.area_id == assembly.area_id)
                                   .order_by(Proposal.id).limit(3)).all()
        schedule.schedule_session(facilitator, assembly.id, f"Extra sitting {i}", NOW + timedelta(days=1 + i),
                                       texts)


def more_ballots(demo: Demo, n: int) -> None:
    admin = demo.user("admin@convene.example")
    texts = db.session.scalars(select(Proposal.id).where(Proposal.section.is_not(None)).order_by(Proposal.id)).all()
    for i in range(n):
        opens = NOW + timedelta(days=i - n // 2)
        ballots.create_ballot(admin, demo.convention.id, f"Extra ballot {i}", opens, opens + timedelta(days=7),
                              TODAY - timedelta(days=60), texts[:1 + i % len(texts)], place_in_tracker=False)


def more_notifications(demo: Demo, n: int) -> None:
    member = demo.user("member@convene.example")
    texts = db.session.scalars(select(Proposal).order_by(Proposal.id)).all()
    for i in range(n):
        text = texts[i % len(texts)]
        db.session.add(Notification(user_id=member.id, proposal_id=text.id, kind="state_changed",
                                    message=f"{text.title} moved on ({i}).", url=f"/proposals/{text.id}"))
    db.session.commit()


def more_pool_entries(demo: Demo, n: int) -> None:
    """Volunteers and nominees in the pools of the demo's assemblies."""
    assemblies = db.session.scalars(select(Assembly).order_by(Assembly.id)).all()
    group = db.session.scalars(select(LocalGroup).order_by(LocalGroup.id)).first()
    for i in range(n):
        category = "local_group" if i % 2 else "individual"
        db.session.add(PoolEntry(convention_id=demo.convention.id, assembly_id=assemblies[i % len(assemblies)].id,
                                 category=category, user_id=demo.new_member(f"pool{i}", group=group).id,
                                 local_group_id=group.id if category == "local_group" else None,
                                 features_json='{"Gender": "woman"}' if i % 3 else "{}"))
    db.session.commit()


ADMIN, MEMBER = "admin@convene.example", "member@convene.example"


@dataclass(frozen=True)
class ListPage:
    url: str
    grow: Callable[[Demo, int], None]
    who: str | None = MEMBER


def case(id: str, url: str, grow, who: str | None = MEMBER, n_plus_one: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=f"N+1: {n_plus_one}")] if n_plus_one else []
    return pytest.param(ListPage(url, grow, who), id=id, marks=marks)


PAGES = [
    case("home", "/", more_proposals, who=None),
    case("proposals", "/proposals", more_proposals),
    case("proposals-search", "/proposals?q=members", more_proposals),
    case("area", "/areas/politics-and-people", more_proposals),
    case("tracker", "/tracker", more_proposals, who=ADMIN),
    case("progress", "/progress", more_convention_texts),
    case("timeline", "/timeline", more_convention_texts),
    case("notifications", "/notifications", more_notifications),
    case("assemblies", "/assemblies", more_assemblies),
    case("pools", "/pools", more_pool_entries),
    case("sessions", "/sessions", more_sessions),
    case("ballots", "/ballots", more_ballots),
    case("admin-members", "/admin/members", more_members, who=ADMIN),
    case("admin-groups-and-affiliates", "/admin/groups", more_groups_and_affiliates, who=ADMIN),
    case("admin-assemblies", "/admin/assemblies", more_assemblies, who=ADMIN),
    case("admin-pools", "/admin/assemblies", more_pool_entries, who=ADMIN),
    case("admin-ballots", "/admin/ballots", more_ballots, who=ADMIN),
    case("admin-convention", "/admin/convention", more_assemblies, who=ADMIN),
    case("admin-exports", "/admin/exports", more_proposals, who=ADMIN),
    case("api-proposals", "/api/v1/proposals", more_proposals),
    case("api-members", "/api/v1/members", more_members, who=ADMIN),
    case("api-notifications", "/api/v1/notifications", more_notifications),
    case("api-progress", "/api/v1/progress", more_convention_texts),
]


def statements(client, url: str) -> Queries:
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return queries


def most_repeated(queries: Queries) -> str:
    sql, times = Counter(" ".join(s.split()) for s in queries.statements).most_common(1)[0]
    return f"{times}x {sql[:300]}"


@pytest.mark.parametrize("page", PAGES)
def test_a_list_page_needs_the_same_queries_for_many_rows_as_for_few(app, client, page: ListPage):
    app.config["CLOCK"] = lambda: NOW
    load_demo(SEEDS, today=TODAY)
    demo = Demo(db.session.scalar(select(Convention)))
    if page.who:
        client.login(page.who, DEMO_PASSWORD)
    client.get(page.url)  # warm the template caches
    few = statements(client, page.url)
    page.grow(demo, MORE)
    many = statements(client, page.url)
    assert many.count == few.count, (f"{page.url}: {few.count} statements with the demo, {many.count} with {MORE} "
                                     f"more rows; the most repeated: {most_repeated(many)}")
    assert few.count <= BOUND, f"{page.url}: {few.count} statements, over the bound of {BOUND}"
