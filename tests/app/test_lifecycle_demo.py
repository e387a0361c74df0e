"""The demo texts carry sensible states and histories, and the progress page stays cheap."""
from datetime import date
from pathlib import Path

from sqlalchemy import select

from forum.demo import load_demo
from forum.extensions import db
from forum.models import Proposal, Support, Transition
from forum.services import proposals
from tests.support.queries import count_queries

SEEDS = Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds"


def test_demo_sections_are_interim_since_the_window_opened_and_submissions_eligible_or_merged(app, client):
    load_demo(SEEDS, today=date(2026, 11, 23))
    sections = db.session.scalars(select(Proposal).where(Proposal.section.is_not(None))).all()
    assert {p.state for p in sections} == {"interim"}
    tracked = client.get(f"/api/v1/proposals/{sections[0].id}/tracker").json
    assert tracked["explanation"].startswith("Interim since 11 Nov 2026;")
    assert [(t["from"], t["to"]) for t in tracked["history"] if t["from"] != t["to"]] == [
        (None, "draft"), ("draft", "consensus"), ("consensus", "interim")]
    submissions = db.session.scalars(select(Proposal).where(Proposal.origin == "submission")).all()
    assert {p.state for p in submissions} == {"merged_into", "submission"}
    for p in submissions:
        if p.state == "submission":  # left behind only for want of supporting members
            assert ("so it cannot go to an assembly"
                    in client.get(f"/api/v1/proposals/{p.id}/tracker").json["explanation"])
    assert db.session.query(Support).count() >= 40
    assert db.session.scalar(select(Transition).where(Transition.event == "phase_closed")) is not None


def test_progress_page_needs_the_same_queries_for_any_number_of_texts(app, client):
    load_demo(SEEDS, today=date(2026, 11, 23))
    with count_queries() as few:
        client.get("/api/v1/progress")
    section = db.session.scalar(select(Proposal).where(Proposal.section == 1))
    for i in range(5):
        proposals.create_proposal(section.author, section.convention_id, f"Extra {i}", "Words.", section.area_id,
                                  origin="convention", state="draft")
    with count_queries() as more:
        client.get("/api/v1/progress")
    assert more.count == few.count
