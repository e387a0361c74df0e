"""Demo live sessions: one scheduled per assembly, and one open now on the Power and Participation
assembly with its texts on the agenda, so a facilitator and its members can try the room at once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.models import Assembly, AssemblySeat, Proposal, User
from forum.services.sessions import schedule
from forum.records.conventions import now


def load_sessions() -> int:
    count = 0
    for assembly in db.session.scalars(select(Assembly).order_by(Assembly.id)):
        facilitator = db.session.scalar(select(User).join(AssemblySeat, AssemblySeat.user_id == User.id).where(
            AssemblySeat.assembly_id == assembly.id, AssemblySeat.category == "facilitator"))
        texts = list(db.session.scalars(select(Proposal.id).where(
            Proposal.area_id == assembly.area_id, Proposal.origin == "convention").order_by(Proposal.section)))
        if facilitator is None or not texts:
            continue
        schedule.schedule_session(facilitator, assembly.id, "Final drafting, first sitting",
                                       now() + timedelta(days=21), texts)
        count += 1
        if assembly.area.slug == "power-and-participation":
            session = schedule.schedule_session(facilitator, assembly.id, "Interim texts: open sitting",
                                                     now() - timedelta(minutes=15), texts)
            schedule.open_session(facilitator, session.id)
            count += 1
    return count
