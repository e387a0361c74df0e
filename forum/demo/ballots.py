"""The demo's ballots: the coming all-member ballot on the five sections, and a closed rehearsal.

The coming ballot opens and closes with the demo's ballot phase, so it is upcoming while the demo
stands in the amendment window; it carries one leadership counter-proposal beside the proposal it
answers. The rehearsal ballot put the same texts to 56 members and closed a few days ago; its
ballots are cast through the ballot service so that its results are exactly those of seed 004.
The demo stands in the amendment window, so its texts are interim: both ballots are built without
placing them in the tracker, which takes only final texts.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from deliberation.ballot import SeedResults, ballots_reproducing
from forum.extensions import db, transaction
from forum.models import Phase, Proposal, User

# Twelve more members, so that the rehearsal has the 56 voters of the published results.
REHEARSAL_MEMBERS = [
    "Olu Adebayo", "Freya Lindqvist", "Tariq Aziz", "Siobhan Kelly", "Harry Dunn", "Mei Chen",
    "Gareth Pryce", "Anjali Rao", "Declan Ward", "Lucy Fenwick", "Samir Haddad", "Kerry-Ann Brown",
]
COUNTER_TITLE = "NCG counter-proposal: a members' conference every two years"
COUNTER_BODY = ("Hold a members' conference every two years to set Momentum's strategy, with policy decided "
                "between conferences by all-member ballots.")
COUNTER_TO = (2, 12)  # "Hold an annual Momentum sovereign conference to decide policy and strategy."


def load_demo_ballots(convention_id: int, texts: dict[int, Proposal], results: SeedResults, today: date,
                      password_hash: str) -> None:
    from forum.services import ballots, proposals

    users = db.session.scalars(select(User).order_by(User.id)).all()
    admin = next(u for u in users if u.has_role("admin"))
    leadership = next(u for u in users if u.has_role("leadership"))
    with transaction():
        for user in users:  # the demo's staff have been members for years, like everyone else
            if user.joined_on >= today - timedelta(days=1):
                user.joined_on = today - timedelta(days=730)
        for i, name in enumerate(REHEARSAL_MEMBERS):
            email = name.lower().replace(" ", ".").replace("'", "") + "@members.example.org"
            db.session.add(User(name=name, email=email, password_hash=password_hash,
                                joined_on=today - timedelta(days=380 + 11 * i)))
    section_ids = [texts[n].id for n in sorted(texts)]

    ballot_phase = db.session.scalar(select(Phase).where(Phase.convention_id == convention_id, Phase.kind == "ballot"))
    counter = proposals.create_proposal(leadership, convention_id, COUNTER_TITLE, COUNTER_BODY,
                                        texts[COUNTER_TO[0]].area_id, origin="convention", state="final")
    coming = ballots.create_ballot(admin, convention_id, "All-member ballot on the final proposals",
                                   ballot_phase.opens_at, ballot_phase.closes_at,
                                   (ballot_phase.opens_at - timedelta(days=30)).date(), [*section_ids, counter.id],
                                   place_in_tracker=False)
    by_place = {(s.number, q.number): q for s in coming.sections for q in s.questions}
    counter_question = coming.sections[-1].questions[0]
    ballots.configure_questions(
        admin, coming.id,
        {counter_question.id: ballots.QuestionSetting(counter_to=by_place[COUNTER_TO].id)},
        now=ballot_phase.opens_at - timedelta(days=1))

    opens = datetime.combine(today - timedelta(days=10), datetime.min.time(), timezone.utc) + timedelta(hours=8)
    closes = opens + timedelta(days=7)
    rehearsal = ballots.create_ballot(admin, convention_id, "Rehearsal ballot on the interim texts", opens, closes,
                                      (opens - timedelta(days=30)).date(), section_ids, place_in_tracker=False)
    ids = {(s.number, q.number): q.id for s in rehearsal.sections for q in s.questions}
    voters = db.session.scalars(select(User).order_by(User.id)).all()
    for voter, paper in zip(voters, ballots_reproducing(results)):
        ballots.cast_ballot(voter, rehearsal.id, {ids[key]: choice.value for key, choice in paper.items()},
                            now=opens + timedelta(days=3))
