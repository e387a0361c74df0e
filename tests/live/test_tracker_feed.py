"""A consensus check closed in a live session reaches the text's consensus tracker."""
from sqlalchemy import select

from forum.extensions import db
from forum.models import Assembly, AssemblySeat, Proposal, Transition
from forum.services import live_sessions, proposals
from tests import factories


def _sitting(drafting_open: bool):
    conv = factories.convention(open_now=("drafting",) if drafting_open else ())
    jo = factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org")
    members = [factories.user(n, email=f"{n.split()[0].lower()}@example.org") for n in ("Alex Moreno", "Bea Hughes", "Cal Fraser")]
    area = conv.areas[1]
    assembly = Assembly(convention_id=conv.id, area_id=area.id, name="Power and Participation Assembly")
    assembly.seats = [AssemblySeat(user=jo, category="facilitator")] + [
        AssemblySeat(user=m, category="individual") for m in members]
    db.session.add(assembly)
    db.session.commit()
    draft = proposals.create_proposal(jo, conv.id, "Hand power to local groups", "Fund groups.\n\nShare data.",
                                      area.id, origin="convention", state="draft")
    session = live_sessions.schedule_session(jo, assembly.id, "Drafting", factories.conventions.now(), [draft.id])
    live_sessions.open_session(jo, session.id)
    for n, person in enumerate([jo, *members]):
        live_sessions.join(person, session.id, f"sid-{n}")
    live_sessions.open_check(jo, session.id)
    live_sessions.answer_check(members[0], session.id, "agree")
    live_sessions.answer_check(members[1], session.id, "agree")
    live_sessions.answer_check(members[2], session.id, "agree_with_reservations", "Name the fund.")
    return jo, session, draft


def test_a_check_reaching_consensus_moves_the_draft_on_with_the_session_as_evidence(app):
    jo, session, draft = _sitting(drafting_open=True)
    closed = live_sessions.close_check(jo, session.id)
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).state == "consensus"
    moved = db.session.scalars(select(Transition).where(Transition.proposal_id == draft.id)
                               .order_by(Transition.id)).all()[-1]
    assert (moved.from_state, moved.to_state, moved.source) == ("draft", "consensus", f"session:{session.id}")
    assert "Consensus" in closed["check"]["tracker"] or "consensus" in closed["check"]["tracker"]


def test_outside_the_drafting_phases_the_check_closes_and_says_why_the_tracker_did_not_take_it(app):
    jo, session, draft = _sitting(drafting_open=False)
    closed = live_sessions.close_check(jo, session.id)
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).state == "draft"
    assert closed["check"]["outcome"]["reached"] is True
    assert closed["check"]["tracker"].startswith("Not recorded by the tracker:")


def test_an_amendment_proposed_on_the_agenda_text_appears_in_the_open_session(app, connect):
    from forum.services import amendments
    from tests.live.conftest import last
    jo, session, draft = _sitting(drafting_open=True)
    watcher = connect("jo@example.org", join=session.id)
    bea = db.session.scalar(select(factories.User).where(factories.User.email == "bea@example.org"))
    change = amendments.Draft.from_change("replace", "c1", 1, 1, "Resource", "Say what the fund does.", 1)
    row = amendments.propose_amendment(bea, draft.id, change)
    payload = last(watcher, "amendment_proposed")["amendment"]
    assert payload["id"] == row.id and payload["clause_key"] == "c1" and payload["author"] == "Bea Hughes"
