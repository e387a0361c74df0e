"""The demo's ballots: the coming one is upcoming with its counter-proposal; the rehearsal shows 004's results."""
import re
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from deliberation.ballot import format_count_line, parse_seed_results
from forum.demo import load_demo
from forum.extensions import db
from forum.models import Ballot

SEEDS = Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds"


def test_demo_has_an_upcoming_ballot_and_a_closed_rehearsal_with_the_published_results(app, client):
    today = date(2026, 11, 23)
    load_demo(SEEDS, today=today)
    app.config["CLOCK"] = lambda: datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    coming, rehearsal = db.session.scalars(select(Ballot).order_by(Ballot.id)).all()

    listing = client.get("/ballots").get_data(as_text=True)
    assert "Upcoming" in listing and "Closed" in listing
    page = client.get(f"/ballots/{coming.id}").get_data(as_text=True)
    assert "not open yet" in page and len(re.findall(r'class="ballot-question( is-counter)?"', page)) == 77
    assert "Leadership counter-proposal to question 2.12" in page
    assert "The leadership has tabled a counter-proposal to this question: question 2.13" in page
    assert client.get(f"/ballots/{coming.id}/results").status_code == 403

    seed = parse_seed_results((SEEDS / "004_db4f9530e61cc96f.txt").read_text())
    results = client.get(f"/ballots/{rehearsal.id}/results").get_data(as_text=True)
    assert "56 people voted in total." in results
    assert re.findall(r"data-counts>([^<]+)<", results) == [format_count_line(q.count) for s in seed.sections
                                                            for q in s.questions]
    client.login("member@convene.example", "convene-demo-2026")
    assert "You have voted in this ballot" in client.get(f"/ballots/{rehearsal.id}").get_data(as_text=True)
