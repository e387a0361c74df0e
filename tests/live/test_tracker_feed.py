"""A consensus check closed in a live session reaches the text's consensus tracker."""
from sqlalchemy import select

from forum.extensions import db
from forum.models import Proposal, Transition
from forum.services.sessions import checks, presence
from tests import factories
from tests.sittings import drafting_sitting


def _sitting(drafting_open: bool):
    sitting = drafting_sitting(open_now=("drafting",) if drafting_open else ())
    jo, members, draft, session = sitting.facilitator, sitting.members, sitting.draft, sitting.session
    for n, person in enumerate([jo, *members]):
        presence.join(person, session.id, f"sid-{n}")
    checks.open_check(jo, session.id)
    checks.answer_check(members[0], session.id, "agree")
    checks.answer_check(members[1], session.id, "agree")
    checks.answer_check(members[2], session.id, "agree_with_reservations", "Name the fund.")
    return jo, session, draft


def test_a_check_reaching_consensus_moves_the_draft_on_with_the_session_as_evidence(app):
    jo, session, draft = _sitting(drafting_open=True)
    closed = checks.close_check(jo, session.id)
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).state == "consensus"
    moved = db.session.scalars(select(Transition).where(Transition.proposal_id == draft.id)
                               .order_by(Transition.id)).all()[-1]
    assert (moved.from_state, moved.to_state, moved.source) == ("draft", "consensus", f"session:{session.id}")
    assert "Consensus" in closed["check"]["tracker"] or "consensus" in closed["check"]["tracker"]


def test_outside_the_drafting_phases_the_check_closes_and_says_why_the_tracker_did_not_take_it(app):
    jo, session, draft = _sitting(drafting_open=False)
    closed = checks.close_check(jo, session.id)
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


def test_the_room_uses_the_conventions_quorum_so_its_outcome_is_the_records(app):
    from forum.models.lifecycle import ConventionRules
    sitting = drafting_sitting(rules=ConventionRules(quorum_fraction=0.25, agreement_threshold=0.75, blocks_stop=True))
    jo, alex = sitting.facilitator, sitting.members[0]
    presence.join(jo, sitting.session.id, "sid-jo")
    presence.join(alex, sitting.session.id, "sid-alex")
    checks.open_check(jo, sitting.session.id)
    checks.answer_check(alex, sitting.session.id, "agree_with_reservations", "Name the fund.")
    closed = checks.close_check(jo, sitting.session.id)["check"]
    # One of three seated members is a quorum under a quarter; the room says what the record says.
    assert closed["outcome"]["quorate"] is True and closed["outcome"]["reached"] is True
    assert closed["outcome"]["reason"].startswith("Consensus reached: 0 agree, 1 with reservations")
    assert closed["tracker"].startswith(closed["outcome"]["reason"])
    db.session.expire_all()
    assert db.session.get(Proposal, sitting.draft.id).state == "consensus"
