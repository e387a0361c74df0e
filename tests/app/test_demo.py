from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from deliberation.ballot import parse_seed_results
from forum.demo import SEED_PHASES, load_demo, shifted_phases
from forum.extensions import db
from forum.models import Area, Phase, Proposal, User

SEEDS = Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_demo_convention_carries_the_seed_framework_sections_and_logins(app, client):
    report = load_demo(SEEDS)
    assert report.created
    areas = db.session.scalars(select(Area).order_by(Area.position)).all()
    assert [a.name for a in areas] == ["Politics and People", "Power and Participation"]
    assert [t.name for t in areas[1].topics] == ["Local Groups", "Members", "Elections", "NCG and Direct Democracy",
                                                 "Transparency and Accountability"]
    seed = parse_seed_results((SEEDS / "004_db4f9530e61cc96f.txt").read_text())
    sections = db.session.scalars(select(Proposal).where(Proposal.section.is_not(None))
                                  .order_by(Proposal.section)).all()
    assert len(sections) == 5
    for proposal, seed_section in zip(sections, seed.sections):
        first = client.get(f"/api/v1/proposals/{proposal.id}/versions/1").json  # later ones carry accepted amendments
        assert [c["body"] for c in first["clauses"]] == [q.text for q in seed_section.questions]
    assert [len(s.questions) for s in seed.sections] == [18, 19, 15, 14, 10]
    submissions = db.session.scalar(select(func.count()).where(Proposal.origin == "submission"))
    assert submissions >= 8
    roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
    assert roles == {"member", "representative", "facilitator", "leadership", "admin"}
    client.login("admin@convene.example", "convene-demo-2026")
    assert client.get("/admin/members").status_code == 200


def test_loading_the_demo_twice_changes_nothing(app):
    load_demo(SEEDS)
    count = db.session.scalar(select(func.count(Proposal.id)))
    assert not load_demo(SEEDS).created
    assert db.session.scalar(select(func.count(Proposal.id))) == count


def test_demo_timeline_keeps_the_seed_spacing_around_today(app):
    from datetime import date
    load_demo(SEEDS, today=date(2026, 11, 23))
    interim = db.session.scalar(select(Phase).where(Phase.kind == "amendment_window"))
    assert interim.opens_at.date() <= date(2026, 11, 23) < interim.closes_at.date()
    gaps = [(c - o).days for _, o, c in SEED_PHASES]
    london = ZoneInfo("Europe/London")
    shifted = shifted_phases(date(2026, 11, 23))
    assert [(c.astimezone(london).date() - o.astimezone(london).date()).days for _, o, c in shifted] == gaps
    assert all(o.astimezone(london).hour == 9 for _, o, _ in shifted)


def test_bundled_seed_copies_match_the_shared_seeds():
    if not SHARED.exists():  # a clone without shared/ beside it has only the bundled copy
        return
    for path in SEEDS.glob("*.txt"):
        assert path.read_bytes() == (SHARED / path.name).read_bytes()


def test_demo_timeline_is_valid_for_the_core_and_today_is_in_the_amendment_window(app):
    from datetime import date, datetime, timezone
    from deliberation import phases
    from forum.models import Convention
    from forum.records.conventions import timeline
    load_demo(SEEDS, today=date(2026, 11, 23))
    convention = db.session.scalar(select(Convention))
    noon = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    assert phases.allowed(phases.Action.PROPOSE_AMENDMENT, timeline(convention), noon).allowed
    assert not phases.allowed(phases.Action.SUBMIT_PROPOSAL, timeline(convention), noon).allowed


def test_demo_assemblies_follow_the_seed_composition(app):
    from collections import Counter
    from forum.models import Assembly
    load_demo(SEEDS)
    for assembly in db.session.scalars(select(Assembly)):
        counts = Counter(seat.category for seat in assembly.seats)
        assert counts["leadership"] == 4 and counts["local_group"] == 8 and counts["individual"] == 4
        assert counts["facilitator"] == 1 and 1 <= counts["affiliate"] <= 4 and 1 <= counts["sister_organisation"] <= 2
    seated = [s.user_id for a in db.session.scalars(select(Assembly)) for s in a.seats]
    assert len(seated) == len(set(seated))  # nobody sits in both


def test_demo_interim_texts_carry_member_amendments_with_votes_and_two_dispositions(app, client):
    from forum.models import Amendment
    load_demo(SEEDS, today=date(2026, 11, 23))
    rows = db.session.scalars(select(Amendment)).all()
    assert len(rows) >= 6 and all(a.rationale and a.origin == "member" for a in rows)
    assert sum(a.ups + a.downs for a in rows) >= 15
    assert sorted(a.status for a in rows if a.status != "pending") == ["accepted", "rejected"]
    section2 = db.session.scalar(select(Proposal).where(Proposal.section == 2))
    assert section2.current_version == 2
    page = client.get(f"/proposals/{section2.id}?status=all").get_data(as_text=True)
    assert "circulated to all members within two weeks." in page and "Shaped by <a href=\"#amendment-" in page
    assert "Reason: Rejected: the assembly heard" in page
    section4 = db.session.scalar(select(Proposal).where(Proposal.section == 4))
    assert "Conflicts with" in client.get(f"/proposals/{section4.id}").get_data(as_text=True)
