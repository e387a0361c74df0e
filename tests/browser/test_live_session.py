"""A facilitator and two seated members in three browsers: hands, a speaker, a consensus check
answered by both, the tally live for all three, and the result stored."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.extensions import db
from forum.models import SessionCheck
from tests.browser.conftest import log_in
from tests.live.conftest import Room

pytestmark = pytest.mark.browser


def test_facilitator_and_two_members_run_a_consensus_check_live(app, new_page, axe):
    app.config["LIVE_OBSERVERS_DELAY"] = 0
    Room()
    pages = {}
    for email, width in [("jo@example.org", 1280), ("alex@example.org", 1280), ("bea@example.org", 360)]:
        page = new_page(width=width)
        log_in(page, axe, email)
        page.goto("/sessions")
        axe.check(page)
        page.get_by_role("link", name="Interim texts").click()
        expect(page.locator("[data-session]")).to_have_attribute("data-live", "on")
        axe.check(page)
        pages[email] = page
    jo, alex, bea = pages["jo@example.org"], pages["alex@example.org"], pages["bea@example.org"]
    expect(jo.locator("[data-quorum]")).to_contain_text("Quorate: 2 of 3 seated members present")

    alex.get_by_role("button", name="Raise my hand").click()
    bea.get_by_label("Kind of contribution").select_option(label="Direct response")
    bea.get_by_role("button", name="Raise my hand").click()
    hands = jo.get_by_role("list", name="Hands raised")
    expect(hands.get_by_role("listitem")).to_have_count(2)
    expect(hands.get_by_role("listitem").first).to_contain_text("Bea Hughes")  # a direct response goes first
    axe.check(jo)

    jo.get_by_role("button", name="Call", exact=False).filter(has_text=re.compile("^Call Alex")).click()
    for page in (jo, alex, bea):
        expect(page.locator("[data-speaker]")).to_have_text("Alex Moreno")
        expect(page.get_by_role("timer")).to_have_text(re.compile(r"^[12]:\d\d$"))
    expect(alex.get_by_role("list", name="Hands raised").get_by_role("listitem")).to_have_count(1)

    jo.get_by_role("button", name="Open a consensus check").click()
    expect(alex.get_by_role("button", name="Send my answer")).to_be_visible()
    axe.check(alex)
    alex.get_by_label("Agree", exact=True).check()
    alex.get_by_role("button", name="Send my answer").click()
    bea.get_by_label("Agree with reservations").check()
    bea.get_by_label("Reason").fill("Clause 2 needs a date.")
    bea.get_by_role("button", name="Send my answer").click()
    for page in (jo, alex, bea):
        expect(page.locator('[data-count="agree"]')).to_have_text("1")
        expect(page.locator('[data-count="reservations"]')).to_have_text("1")
        expect(page.locator("[data-reasons]")).to_contain_text(
            "Bea Hughes (agree with reservations): Clause 2 needs a date.")
    axe.check(bea)
    # The reason Bea typed is still in her form: live updates never wipe it.
    expect(bea.get_by_label("Reason")).to_have_value("Clause 2 needs a date.")

    jo.get_by_role("button", name="Close the check").click()
    for page in (jo, alex, bea):
        expect(page.get_by_role("list", name="Results so far")).to_contain_text("Consensus reached")
    axe.check(jo)
    db.session.expire_all()
    stored = db.session.scalar(select(SessionCheck))
    assert stored.reached is True and stored.closed_at is not None
    assert len(axe.checked) >= 10
