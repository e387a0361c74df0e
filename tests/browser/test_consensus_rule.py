"""The live room and the consensus tracker decide a check with the convention's one rule: a
check without quorum is shown as such in the room and on the tracker line, and the text stays
a draft."""
import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import Proposal
from forum.models.lifecycle import ConventionRules
from tests.browser.conftest import log_in
from tests.sittings import drafting_sitting

pytestmark = pytest.mark.browser


def test_room_and_tracker_agree_that_a_check_without_quorum_decides_nothing(app, new_page, axe):
    app.config["LIVE_OBSERVERS_DELAY"] = 0
    # The convention asks for every seated member: two of three present is not a quorum (under
    # the room's old default of one half it was, and the room and the record disagreed).
    sitting = drafting_sitting(rules=ConventionRules(quorum_fraction=1.0, agreement_threshold=0.75, blocks_stop=True))
    draft, session = sitting.draft, sitting.session

    facilitator, member, other = new_page(width=1280), new_page(width=360), new_page(width=1280)
    for page, email in ((facilitator, "jo@example.org"), (member, "alex@example.org"), (other, "bea@example.org")):
        log_in(page, axe, email)
        page.goto(f"/sessions/{session.id}")
        expect(page.locator("[data-session]")).to_have_attribute("data-live", "on")
    expect(facilitator.locator("[data-quorum]")).to_contain_text("Not quorate: 2 of 3 seated members present")

    facilitator.get_by_role("button", name="Open a consensus check").click()
    member.get_by_label("Agree with reservations").check()
    member.get_by_role("button", name="Send my answer").click()
    other.get_by_label("Agree", exact=True).check()
    other.get_by_role("button", name="Send my answer").click()
    expect(facilitator.locator('[data-count="reservations"]')).to_have_text("1")
    expect(facilitator.locator('[data-count="agree"]')).to_have_text("1")
    facilitator.get_by_role("button", name="Close the check").click()

    for page in (facilitator, member, other):
        result = page.get_by_role("list", name="Results so far").get_by_role("listitem").last
        expect(result).to_contain_text("Not quorate: 2 of 3 seated members present; at least 3 needed.")
        expect(result.locator(".tracker-note")).to_contain_text("Not quorate: 2 of 3 seated members present")
        expect(result).not_to_contain_text("Consensus reached")
    axe.check(member)
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).state == "draft"

    # The text's own page tells the same story.
    member.goto(f"/proposals/{draft.id}")
    expect(member.get_by_role("main")).to_contain_text("last consensus check: Not quorate: 2 of 3")
    axe.check(member)
