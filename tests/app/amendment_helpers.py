"""A convention on the seed timeline, an interim text, members and a seated drafter, for amendment tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from forum.demo import shifted_phases
from forum.extensions import db
from forum.models import Assembly, AssemblySeat, Phase, Proposal, User
from forum.services import proposals
from tests import factories

# Moments on the seed timeline (000): the interim amendment window, final drafting, and so on.
SUBMISSIONS = datetime(2021, 7, 1, 12, tzinfo=timezone.utc)
DRAFTING = datetime(2021, 9, 1, 12, tzinfo=timezone.utc)
AMENDMENT_WINDOW = datetime(2022, 3, 1, 12, tzinfo=timezone.utc)
FINAL_DRAFTING = datetime(2022, 3, 25, 12, tzinfo=timezone.utc)
LEADERSHIP_ROUND = datetime(2022, 4, 5, 12, tzinfo=timezone.utc)
BALLOT = datetime(2022, 4, 25, 12, tzinfo=timezone.utc)

BODY = ("The NCG should meet monthly and at least four times a year in person.\n\n"
        "Members of the NCG should serve no more than three terms.\n\n"
        "Minutes of every NCG meeting should be sent to all members within two weeks.")


@dataclass
class World:
    conv: object
    alex: User
    bea: User
    drafter: User
    facilitator: User
    text: Proposal


def at(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment


def world(app, moment: datetime = AMENDMENT_WINDOW, body: str = BODY, state: str = "interim") -> World:
    conv = factories.convention(open_now=())
    for kind, opens, closes in shifted_phases(date(2022, 3, 1)):
        db.session.add(Phase(convention_id=conv.id, kind=kind, opens_at=opens, closes_at=closes))
    alex = factories.user("Alex Moreno", email="alex@example.org")
    bea = factories.user("Bea Hughes", email="bea@example.org")
    drafter = factories.user("Dana Drafter", email="dana@example.org")
    facilitator = factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org")
    area = conv.areas[0]
    assembly = Assembly(convention_id=conv.id, area_id=area.id, name="Politics and People Assembly")
    assembly.seats = [AssemblySeat(user_id=drafter.id, category="individual"),
                      AssemblySeat(user_id=facilitator.id, category="facilitator")]
    db.session.add(assembly)
    db.session.commit()
    text = proposals.create_proposal(facilitator, conv.id, "Power and participation", body, area.id,
                                     origin="convention", state=state, section=2)
    at(app, moment)
    return World(conv, alex, bea, drafter, facilitator, text)


def propose(browser, proposal, **fields):
    body = {"kind": "replace_words", "clause": "c1", "start": 4, "end": 5, "text": "every month",
            "rationale": "Monthly is ambiguous.", "base_version": 1}
    body.update(fields)
    return browser.api("POST", f"/api/v1/proposals/{proposal.id}/amendments", body)
