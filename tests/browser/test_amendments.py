"""A member selects words and proposes a replacement; another sees the diff and votes it up; a drafter
accepts it and the new version shows the change with its provenance."""
import re

import pytest
from playwright.sync_api import expect

from tests.app.amendment_helpers import FINAL_DRAFTING, at, world
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

SELECT_WORD = """([key, word]) => {
  const body = document.querySelector(`#clause-${key} .clause-body`);
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(word);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_selected_words_become_an_amendment_that_is_voted_and_accepted_into_a_new_version(app, new_page, axe):
    w = world(app)
    url = f"/proposals/{w.text.id}"

    author = new_page()
    log_in(author, axe, "alex@example.org")
    author.goto(url)
    axe.check(author)
    assert author.evaluate(SELECT_WORD, ["c1", "monthly"])
    author.get_by_role("toolbar", name="Amend the selected words").get_by_role(
        "button", name="Replace the words").click()
    clause = author.locator("#clause-c1")
    expect(clause.get_by_text("Selected words 5: “monthly”")).to_be_visible()
    expect(clause.get_by_label("New words")).to_have_value("monthly")
    clause.get_by_label("New words").fill("every month")
    clause.get_by_label("Why this improves the text").first.fill("“Monthly” could be read as any day of the month.")
    axe.check(author)
    clause.get_by_role("button", name=re.compile("^Propose amendment")).click()
    expect(author.get_by_role("status").first).to_contain_text("is published for members to vote on")
    axe.check(author)
    mine = author.locator("article.amendment")
    expect(mine.locator("del")).to_have_text("[deleted: monthly]")
    expect(author.locator("html")).to_have_attribute("data-live", "on")

    voter = new_page(width=360)
    log_in(voter, axe, "bea@example.org")
    voter.goto(url)
    axe.check(voter)
    theirs = voter.locator("#clause-c1 article.amendment")
    expect(theirs.locator("ins")).to_have_text("[inserted: every month]")
    expect(theirs).to_contain_text("Member amendment by Alex Moreno")
    theirs.get_by_role("button", name=re.compile("^Vote up")).click()
    expect(theirs.locator("[data-score-value]")).to_have_text("1")
    expect(theirs.get_by_role("button", name=re.compile("^Vote up"))).to_have_attribute("aria-pressed", "true")
    axe.check(voter)
    expect(mine.locator("[data-score-value]")).to_have_text("1")  # live, without a reload

    at(app, FINAL_DRAFTING)
    drafter = new_page()
    log_in(drafter, axe, "dana@example.org")
    drafter.goto(url)
    axe.check(drafter)
    card = drafter.locator("#clause-c1 article.amendment")
    card.get_by_text("Give a disposition").click()
    card.get_by_label("Accept", exact=True).check()
    card.get_by_label("Reason").fill("Clearer for every member.")
    axe.check(drafter)
    card.get_by_role("button", name=re.compile("^Record disposition")).click()
    expect(drafter.get_by_role("status").first).to_contain_text("The text is now at version 2")
    axe.check(drafter)
    expect(drafter.locator("#clause-c1 .clause-body")).to_contain_text("The NCG should meet every month and")
    expect(drafter.locator("#clause-c1 .provenance")).to_contain_text("Shaped by Amendment")
    expect(drafter.get_by_text("Version 2 of 2", exact=False)).to_be_visible()

    drafter.get_by_role("link", name="Compare versions").click()
    expect(drafter.get_by_role("main").get_by_role("status")).to_contain_text(
        "1 of 3 clauses differ between version 1 and version 2")
    axe.check(drafter)
    compared = drafter.locator("#compare-c1")
    expect(compared.locator("del")).to_have_text("[deleted: monthly]")
    expect(compared.locator("ins")).to_have_text("[inserted: every month]")
    expect(compared.locator(".provenance")).to_contain_text("by Alex Moreno")
    drafter.get_by_label("Show").select_option("side")
    drafter.get_by_role("button", name="Compare").click()
    side = drafter.locator("#compare-c1 .side-by-side")
    expect(side.locator("del")).to_have_text("[deleted: monthly]")  # the old column keeps the old words
    expect(side.locator("ins")).to_have_text("[inserted: every month]")
    axe.check(drafter)
    assert len(axe.checked) >= 12
