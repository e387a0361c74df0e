"""A member asks a clarification on a clause; another votes it up; the first sees the score change live."""
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_clarification_asked_voted_and_scored_live(app, new_page, axe):
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    factories.user("Bea Hughes", email="bea@example.org")
    proposal = factories.proposal(alex, conv, title="Meetings of the NCG")

    asker = new_page()
    log_in(asker, axe, "alex@example.org")
    asker.goto(f"/proposals/{proposal.id}")
    axe.check(asker)
    asker.get_by_role("link", name="Discuss clause 3").click()
    expect(asker.get_by_role("heading", name="Clause 3", exact=True)).to_be_visible()
    axe.check(asker)
    asker.get_by_label("Your question").fill("Does monthly include online meetings?")
    asker.get_by_role("button", name="Ask").click()
    expect(asker.get_by_role("status")).to_contain_text("Your question is posted")
    axe.check(asker)
    question = asker.locator("article.clarification", has_text="Does monthly include online meetings?")
    expect(question.locator("[data-score-value]")).to_have_text("0")
    expect(asker.locator("html")).to_have_attribute("data-live", "on")

    voter = new_page(width=360)  # the second member is on a phone
    log_in(voter, axe, "bea@example.org")
    voter.goto(f"/proposals/{proposal.id}")
    axe.check(voter)
    theirs = voter.locator("article.clarification", has_text="Does monthly include online meetings?")
    theirs.get_by_role("button", name=re.compile("^Vote up")).click()
    expect(theirs.locator("[data-score-value]")).to_have_text("1")
    expect(theirs.get_by_role("button", name=re.compile("^Vote up"))).to_have_attribute("aria-pressed", "true")
    axe.check(voter)

    # No reload on the asker's side: the score arrives over Socket.IO.
    expect(question.locator("[data-score-value]")).to_have_text("1")
    expect(question.locator("[data-ups]")).to_have_text("1")
    assert len(axe.checked) >= 7
