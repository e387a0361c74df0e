"""The demo convention, built from the seed documents of the 2021-22 refounding process.

Areas and topics and the timeline come from 000 (the process page), the interim texts from the
five sections of 004 (the results page), submissions from the ideas of 001, and a register of
local groups and members in every role. The timeline keeps the seed's spacing but is moved so
that today falls in the interim amendment window, where there is most to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from deliberation.ballot import parse_seed_results
from forum.extensions import db, transaction
from forum.models import (Affiliate, Area, Assembly, AssemblySeat, Convention, LocalGroup, Phase, RoleGrant, Topic,
                          User)
from forum.demo.content import (AFFILIATES, AMENDMENT_DISPOSITIONS, AMENDMENTS, AREAS, ASSEMBLIES, CLARIFICATIONS,
                                COMMENTS, LOCAL_GROUPS, MEMBER_NAMES, SECTION_AREAS, STAFF, SUBMISSIONS)

RESULTS_SEED = "004_db4f9530e61cc96f.txt"
DEMO_PASSWORD = "convene-demo-2026"
ZONE = ZoneInfo("Europe/London")

# The seed timeline (000): launch 11 June 2021, nominations close 21 July, submissions close
# 31 July, assemblies convene 1 August, interim published 17 February 2022 with amendments until
# 21 March, final drafting late March, the NCG round in April, the ballot late April.
SEED_PHASES = [
    ("submissions", date(2021, 6, 11), date(2021, 7, 31)),
    ("nominations", date(2021, 6, 11), date(2021, 7, 21)),
    ("drafting", date(2021, 8, 1), date(2022, 2, 17)),
    ("amendment_window", date(2022, 2, 17), date(2022, 3, 21)),
    ("final_drafting", date(2022, 3, 22), date(2022, 4, 1)),
    ("leadership_round", date(2022, 4, 1), date(2022, 4, 19)),
    ("ballot", date(2022, 4, 20), date(2022, 4, 30)),
    ("results", date(2022, 4, 30), date(2022, 6, 30)),
]
SEED_TODAY = date(2022, 3, 1)  # where the demo stands: inside the amendment window


@dataclass
class Report:
    created: bool
    members: int
    proposals: int

    def __str__(self) -> str:
        if not self.created:
            return "The demo convention is already loaded; use --reset to load it afresh."
        return f"Loaded the demo convention: {self.members} members, {self.proposals} proposals."


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), ZONE).astimezone(timezone.utc)


def shifted_phases(today: date) -> list[tuple[str, datetime, datetime]]:
    shift = today - SEED_TODAY
    return [(kind, _at(opens + shift), _at(closes + shift)) for kind, opens, closes in SEED_PHASES]


def _email(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "") + "@members.example.org"


def load_demo(seeds_dir: Path, today: date | None = None) -> Report:
    from forum.services import discussion, proposals  # the demo goes through the same use cases

    if db.session.scalar(select(Convention.id).limit(1)) is not None:
        return Report(False, 0, 0)
    today = today or date.today()
    results = parse_seed_results((seeds_dir / RESULTS_SEED).read_text(encoding="utf-8"))
    password = generate_password_hash(DEMO_PASSWORD)

    with transaction():
        convention = Convention(
            slug="refounding", name="Refounding Convention",
            description="Members, local groups and two assemblies rewrite the organisation's constitution, "
                        "structures and ways of organising together, ending in an all-member ballot.",
            timezone="Europe/London", support_threshold=20)
        db.session.add(convention)
        db.session.flush()
        for kind, opens, closes in shifted_phases(today):
            db.session.add(Phase(convention_id=convention.id, kind=kind, opens_at=opens, closes_at=closes))
        areas = {}
        for position, (slug, name, description, topics) in enumerate(AREAS):
            area = Area(convention_id=convention.id, slug=slug, name=name, description=description, position=position)
            area.topics = [Topic(slug=t.lower().replace(" ", "-").replace(",", ""), name=t, position=i)
                           for i, t in enumerate(topics)]
            db.session.add(area)
            areas[slug] = area
        groups = {}
        for name, region in LOCAL_GROUPS:
            groups[name] = LocalGroup(name=name, region=region)
            db.session.add(groups[name])
        for name, kind in AFFILIATES:
            db.session.add(Affiliate(name=name, kind=kind))
        db.session.flush()
        users = {}
        for key, (name, email, roles, group) in STAFF.items():
            user = User(name=name, email=email, password_hash=password, local_group=groups.get(group),
                        region=groups[group].region if group in groups else "")
            user.grants = [RoleGrant(role=r) for r in roles]
            db.session.add(user)
            users[key] = user
        group_names = [g for g, _ in LOCAL_GROUPS]
        for i, name in enumerate(MEMBER_NAMES):
            group = groups[group_names[i % len(group_names)]]
            user = User(name=name, email=_email(name), password_hash=password, local_group=group, region=group.region,
                        joined_on=today - timedelta(days=400 + 7 * i))
            db.session.add(user)
            users[name] = user
        db.session.flush()
        assemblies = {}
        for slug, categories in ASSEMBLIES.items():
            assembly = Assembly(convention_id=convention.id, area_id=areas[slug].id,
                                name=f"{areas[slug].name} Assembly")
            db.session.add(assembly)
            assemblies[slug] = assembly
            for category, keys in categories.items():
                for key in keys:
                    member = users[key]
                    if category == "leadership" and "leadership" not in member.roles:
                        member.grants.append(RoleGrant(role="leadership"))
                    if category == "local_group" and "representative" not in member.roles:
                        member.grants.append(RoleGrant(role="representative"))
                    assembly.seats.append(AssemblySeat(user=member, category=category, how="appointed"))
        convention_id = convention.id
        area_ids = {slug: a.id for slug, a in areas.items()}
        topic_ids = {t.name: t.id for a in areas.values() for t in a.topics}

    from forum.demo import lifecycle
    from forum.services import tracker_pages, tracking
    count = 0
    facilitator = users["facilitator"]
    dates = {kind: (opens, closes) for kind, opens, closes in shifted_phases(today)}
    from forum.demo.draws import load_draws
    load_draws(users, groups, assemblies, dates, password, today)
    members = [users[name] for name in MEMBER_NAMES]
    submitted = {}
    for i, (author_key, group_submission, area_slug, topics, title, body) in enumerate(SUBMISSIONS):
        moment = lifecycle.when(dates, "submissions", days=2 + 3 * i)
        with lifecycle.clock_at(moment):
            proposal = proposals.create_proposal(users[author_key], convention_id, title, body, area_ids[area_slug],
                                                 [topic_ids[t] for t in topics], on_behalf_of_group=group_submission)
            lifecycle.dated(proposal, moment)
            for j, supporter in enumerate(lifecycle.supporters_for(title, proposal.author_id, members)):
                with lifecycle.clock_at(moment + timedelta(hours=3 + 5 * j)):
                    tracking.support_submission(supporter, proposal.id)
        submitted[title] = proposal
        count += 1
    texts = {}
    drafting_opens = lifecycle.when(dates, "drafting", days=1)
    with lifecycle.clock_at(drafting_opens):
        tracking.close_phases(convention_id)
        for section in results.sections:
            body = "\n\n".join(q.text for q in section.questions)
            title = section.title.rstrip(" -").strip()
            area_id = area_ids[SECTION_AREAS[section.number]]
            proposal = proposals.create_proposal(
                facilitator, convention_id, title, body, area_id,
                origin="convention", state="draft", section=section.number,
                sources=[f"seed:004#section-{section.number}"])
            lifecycle.dated(proposal, drafting_opens)
            texts[section.number] = proposal
            count += 1
    for k, (title, section) in enumerate(lifecycle.MERGED.items()):
        with lifecycle.clock_at(drafting_opens + timedelta(days=7 + k)):
            tracking.merge_into(facilitator, submitted[title].id, texts[section].id, source="demo")
    for number, (agree, reservations, aside, present) in lifecycle.CHECKS.items():
        text = texts[number]
        with lifecycle.clock_at(lifecycle.when(dates, "drafting", days=-10 + number, closing=True)):
            tracking.record_consensus_check(facilitator, text.id, {"agree": agree, "reservations": reservations,
                                                                   "stand_aside": aside},
                                            tracker_pages.voting_seats(text.area_id), present, [], "demo")
    with lifecycle.clock_at(lifecycle.when(dates, "amendment_window")):
        for text in texts.values():
            tracking.publish_interim(facilitator, text.id, source="demo")
    with lifecycle.clock_at(max(_at(today) + timedelta(hours=3), lifecycle.when(dates, "amendment_window", 0.2))):
        for section, clause, author_key, question, answer in CLARIFICATIONS:
            clarification = discussion.ask_clarification(users[author_key], texts[section].id, question, clause)
            if answer:
                discussion.answer_clarification(facilitator, clarification.id, answer)
        for section, clause, author_key, body, reply_key, reply in COMMENTS:
            comment = discussion.post_comment(users[author_key], texts[section].id, body, clause)
            if reply:
                discussion.post_comment(users[reply_key], texts[section].id, reply, parent_id=comment.id)
        tracking.close_phases(convention_id)
    _load_amendments(users, texts, today)
    from forum.demo.sessions import load_sessions
    load_sessions()
    from forum.demo.ballots import REHEARSAL_MEMBERS, load_demo_ballots
    load_demo_ballots(convention_id, texts, results, today, password)
    return Report(True, len(users) + len(REHEARSAL_MEMBERS), count + 1)


def _load_amendments(users: dict, texts: dict, today: date) -> None:
    """Member amendments in the amendment window (noon on the demo's today), then two dispositions
    given as the assembly would give them once final drafting opens."""
    from flask import current_app

    from forum.services import amendments, drafting

    clock = current_app.config["CLOCK"]
    noon = datetime.combine(today, time(12, 0), ZONE).astimezone(timezone.utc)
    current_app.config["CLOCK"] = lambda: noon
    try:
        made = []
        for section, clause, author, change, first, last, words, why, ups, downs in AMENDMENTS:
            proposal = texts[section]
            version = proposal.current_version
            if change == "edit":
                row = amendments.propose_edit(users[author], proposal.id, clause, words, why, version)
            else:
                draft = amendments.Draft.from_change(change, clause, first, last, words, why, version)
                row = amendments.propose_amendment(users[author], proposal.id, draft)
            for voter in ups:
                amendments.vote_amendment(users[voter], row.id, 1)
            for voter in downs:
                amendments.vote_amendment(users[voter], row.id, -1)
            made.append(row)
        final_drafting = next(opens for kind, opens, _ in shifted_phases(today) if kind == "final_drafting")
        for index, drafter, decision, reason in AMENDMENT_DISPOSITIONS:
            drafting.dispose_amendment(users[drafter], made[index].id, decision, reason,
                                       at=final_drafting + timedelta(hours=3))
    finally:
        current_app.config["CLOCK"] = clock
