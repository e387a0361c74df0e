"""A member supports a submission; a second member watching it sees the count rise live."""
import pytest

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_support_count_rises_live_for_another_reader(app, new_page, axe):
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    factories.user("Bea Hughes", email="bea@example.org")
    factories.user("Carol King", email="carol@example.org")
    factories.user("Ada Okafor", roles=("admin", "facilitator"), email="admin@example.org")
    proposal = factories.proposal(alex, conv, title="Childcare at every meeting")

    watcher = new_page(width=360)  # the second member reads on a phone
    log_in(watcher, axe, "carol@example.org")
    watcher.goto(f"/proposals/{proposal.id}")
    axe.check(watcher)
    count = watcher.locator("[data-support-count]")
    expect(count).to_have_text("0")
    expect(watcher.locator("[data-tracker]")).to_have_attribute("data-live", "on")

    supporter = new_page()
    log_in(supporter, axe, "bea@example.org")
    supporter.goto(f"/proposals/{proposal.id}")
    axe.check(supporter)
    supporter.get_by_role("button", name="Support this submission").click()
    expect(supporter.get_by_role("status")).to_contain_text("Your support is counted: 1 of 20")
    expect(supporter.get_by_text("You support this submission.")).to_be_visible()
    axe.check(supporter)

    # No reload on the watcher's side: the count and the explanation arrive over Socket.IO.
    expect(count).to_have_text("1")
    expect(watcher.locator("[data-explanation]")).to_contain_text(
        "1 of the 20 supporting members it needs, 19 more needed")

    for path in ("/timeline", "/progress", f"/proposals/{proposal.id}/tracker", "/notifications", "/profile"):
        supporter.goto(path)
        axe.check(supporter)
    admin = new_page()
    log_in(admin, axe, "admin@example.org")
    for path in ("/admin/convention", "/admin/exports", "/tracker", f"/proposals/{proposal.id}/tracker"):
        admin.goto(path)
        expect(admin.get_by_role("heading", level=1)).to_be_visible()
        axe.check(admin)
