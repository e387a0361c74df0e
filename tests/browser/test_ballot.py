"""A member votes on some questions, reviews, changes an answer, casts, and checks the receipt;
an administrator watches turnout; after the close the results page shows the counts."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.app.test_ballots import AFTER, DURING, SEED, seed_ballot
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_member_answers_some_reviews_casts_and_checks_the_receipt(app, new_page, axe):
    conv = factories.convention()
    admin = factories.user("Ada Okafor", roles=("admin",), email="admin@example.org")
    factories.user("Alex Moreno", email="alex@example.org")
    ballot = seed_ballot(admin, conv, sections=SEED.sections[:2])
    app.config["CLOCK"] = lambda: DURING
    total = sum(len(s.questions) for s in SEED.sections[:2])

    page = new_page(width=360)
    log_in(page, axe, "alex@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ballot").click()
    axe.check(page)
    page.get_by_role("link", name="Refounding ballot").click()
    expect(page.get_by_role("heading", name="Refounding ballot", level=1)).to_be_visible()
    axe.check(page)
    summary = page.locator("[data-answered-summary]")
    expect(summary).to_have_text(f"You have answered 0 of {total} questions.")
    page.get_by_role("group", name="Question 1.1", exact=True).get_by_label("For", exact=True).check()
    page.get_by_role("group", name="Question 1.14", exact=True).get_by_label("Against", exact=True).check()
    expect(summary).to_have_text(f"You have answered 2 of {total} questions.")  # live, before any request
    page.get_by_role("button", name="Review my answers").click()

    expect(page.get_by_role("heading", name="Review your ballot")).to_be_visible()
    expect(page.get_by_text(f"You answered 2 of {total}")).to_be_visible()
    expect(page.get_by_text("Not answered")).to_have_count(total - 2)
    axe.check(page)
    page.get_by_role("button", name="Change my answers").click()
    expect(page.get_by_role("group", name="Question 1.1", exact=True).get_by_label("For", exact=True)).to_be_checked()
    axe.check(page)
    page.get_by_role("group", name="Question 2.12", exact=True).get_by_label("Abstain", exact=True).check()
    page.get_by_role("group", name="Question 1.14", exact=True).get_by_label("Leave blank (not voting)").check()
    page.get_by_role("button", name="Review my answers").click()
    expect(page.get_by_text(f"You answered 2 of {total}")).to_be_visible()
    page.get_by_role("button", name="Cast my ballot").click()

    expect(page.get_by_role("heading", name="Your ballot is counted")).to_be_visible()
    axe.check(page)
    receipt = page.locator("[data-receipt]").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{1,4}){6}", receipt)
    page.get_by_role("link", name="receipt check page").click()
    axe.check(page)
    page.get_by_label("Receipt code").fill(receipt.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("Counted.")
    axe.check(page)

    watcher = new_page()
    log_in(watcher, axe, "admin@example.org")
    watcher.goto("/admin/ballots")
    axe.check(watcher)
    watcher.get_by_role("link", name="Refounding ballot", exact=True).click()
    expect(watcher.get_by_text("1 of 2 eligible members have voted.")).to_be_visible()
    axe.check(watcher)

    app.config["CLOCK"] = lambda: AFTER + timedelta(days=1)
    page.goto(f"/ballots/{ballot.id}")
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_text("1 person voted in total.")).to_be_visible()
    first = page.locator("li.result").first
    expect(first.locator("[data-counts]")).to_have_text("1 for")
    expect(first.get_by_text("Carried", exact=True)).to_be_visible()
    axe.check(page)
    assert len(axe.checked) >= 12
