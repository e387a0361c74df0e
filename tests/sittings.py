"""A drafting sitting: an assembly of a facilitator and three seated members, a composite draft
on the agenda, and the session open."""
from __future__ import annotations

from dataclasses import dataclass

from forum.extensions import db
from forum.models import Assembly, AssemblySeat, LiveSession, Proposal, User
from forum.services import proposals
from forum.services.sessions import schedule
from tests import factories


@dataclass
class Sitting:
    facilitator: User
    members: list[User]
    draft: Proposal
    session: LiveSession


def drafting_sitting(open_now: tuple[str, ...] = ("drafting",), rules=None) -> Sitting:
    """Jo facilitates; Alex, Bea and Cal hold seats. `rules` (a ConventionRules row without its
    convention id) replaces the convention's default consensus rule."""
    conv = factories.convention(open_now=open_now)
    if rules is not None:
        rules.convention_id = conv.id
        db.session.add(rules)
    jo = factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org")
    members = [factories.user(n, email=f"{n.split()[0].lower()}@example.org")
               for n in ("Alex Moreno", "Bea Hughes", "Cal Fraser")]
    area = conv.areas[1]
    assembly = Assembly(convention_id=conv.id, area_id=area.id, name="Power and Participation Assembly")
    assembly.seats = [AssemblySeat(user=jo, category="facilitator")] + [
        AssemblySeat(user=m, category="individual") for m in members]
    db.session.add(assembly)
    db.session.commit()
    draft = proposals.create_proposal(jo, conv.id, "Hand power to local groups", "Fund groups.\n\nShare data.",
                                      area.id, origin="convention", state="draft")
    session = schedule.schedule_session(jo, assembly.id, "Drafting", factories.conventions.now(), [draft.id])
    schedule.open_session(jo, session.id)
    return Sitting(jo, members, draft, session)
