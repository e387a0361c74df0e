"""The demo's texts walk through the tracker as the seed process did: submissions supported and
merged during drafting, the five sections agreed by consensus and published as interim proposals
on the day the amendment window opened. Each step runs through the real use cases with the
convention's clock set to the day it happened, so the history reads like the seed timeline."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

from flask import current_app
from sqlalchemy import select

from forum.extensions import db
from forum.models import Proposal, ProposalVersion

# Supporting members each individual submission gathered (the threshold is 20).
SUPPORTS = {
    "Local members choose local candidates": 22,
    "An active and accountable leadership": 21,
    "Political education and organiser training for every member": 6,
    "A democratic annual process to set strategy": 3,
}
# Submissions the assemblies merged into a section of the interim proposals.
MERGED = {
    "Refound the organisation through its members": 2,
    "A vibrant local group in every community": 4,
    "Local members choose local candidates": 1,
    "Policies developed and prioritised by members": 1,
    "An active and accountable leadership": 2,
    "An annual national priority campaign": 5,
}
# The consensus check each section passed in drafting: agree, reservations, stand aside, present.
CHECKS = {1: (13, 3, 1, 17), 2: (11, 4, 2, 18), 3: (14, 2, 0, 16), 4: (12, 3, 2, 17), 5: (15, 1, 1, 18)}


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run the use cases as if it were `moment` (the demo replays a past timeline)."""
    saved = current_app.config["CLOCK"]
    current_app.config["CLOCK"] = lambda: moment
    try:
        yield
    finally:
        current_app.config["CLOCK"] = saved


def dated(proposal: Proposal, moment: datetime) -> None:
    """Give a demo text the date it would have had in the seed timeline."""
    proposal.created_at = proposal.updated_at = moment
    for version in db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)):
        version.created_at = moment
    db.session.commit()


def supporters_for(title: str, author_id: int, members: list) -> list:
    return [m for m in members if m.id != author_id][:SUPPORTS.get(title, 0)]


def when(phases: dict[str, tuple[datetime, datetime]], kind: str, days: float = 0, closing: bool = False) -> datetime:
    opens, closes = phases[kind]
    return (closes if closing else opens) + timedelta(days=days)
