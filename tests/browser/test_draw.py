"""An administrator sets quotas, commits a seed, runs the draw and publishes the panel; a volunteer
finds their own chance; every page passes axe."""
import re

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import Assembly
from forum.records import draws as draw_records
from forum.services import pools, seats
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_administrator_sets_quotas_commits_a_seed_draws_and_publishes_the_panel(app, new_page, axe):
    conv = factories.convention(open_now=("nominations",))
    assembly = Assembly(convention_id=conv.id, area_id=conv.areas[0].id, name="Politics and People Assembly")
    db.session.add(assembly)
    db.session.commit()
    admin = factories.user("Ada Okafor", roles=("admin",), email="admin@example.org")
    seats.save_seat_plan(admin, assembly.id, {**draw_records.DEFAULT_PLAN, "individual": 2})
    regions = ["Wales", "London", "Scotland"]
    for i in range(7):
        member = factories.user(f"Volunteer {i}", email=f"v{i}@example.org")
        pools.volunteer(member, assembly.id, {"region": regions[i % 3], "gender": "woman" if i % 2 else "man"})

    page = new_page()
    log_in(page, axe, "admin@example.org")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Assemblies and draws").click()
    axe.check(page)
    page.get_by_role("link", name="Politics and People Assembly").click()
    axe.check(page)
    page.get_by_role("link", name="Pool, quotas and draw for individual members").click()
    expect(page.get_by_role("heading", name="Individual members: pool, quotas and draw")).to_be_visible()
    axe.check(page)

    # Quotas that cannot be met are explained, with the smallest fix.
    page.get_by_label("Maximum for region Wales").fill("0")
    page.get_by_label("Maximum for region London").fill("0")
    page.get_by_label("Maximum for region Scotland").fill("1")
    page.get_by_role("button", name="Save quotas").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 3 quotas")
    expect(page.get_by_text("Not with this pool.")).to_be_visible()
    expect(page.get_by_text(re.compile("Raise the maximum for region"))).to_be_visible()
    axe.check(page)

    page.get_by_label("Maximum for region Wales").fill("1")
    page.get_by_label("Maximum for region London").fill("1")
    page.get_by_role("button", name="Save quotas").click()
    expect(page.get_by_text("Yes: the quotas can be met by this pool.")).to_be_visible()
    axe.check(page)

    page.get_by_label("Seed (optional)").fill("browser-test-seed")
    page.get_by_role("button", name="Commit the seed").click()
    expect(page.get_by_role("heading", name=re.compile("Draw #\\d+: Individual members"))).to_be_visible()
    expect(page.locator("#draw-status")).to_contain_text("Seed committed")
    axe.check(page)
    commitment = page.locator("dd code").first.inner_text()
    assert len(commitment) == 64

    page.get_by_role("button", name="Run the draw").click()
    expect(page.locator("#draw-status")).to_contain_text("Done: the panel is seated.", timeout=15000)
    axe.check(page)
    panel = page.get_by_role("region", name="The panel drawn").get_by_role("listitem")
    expect(panel).to_have_count(2)
    expect(page.get_by_role("table", name="Quartiles of the chance of selection")).to_be_visible()
    names = [text.split(" · ")[0] for text in panel.all_inner_texts()]

    # The public assembly page shows the panel, by name and category only.
    visitor = new_page(width=360)
    visitor.goto(f"/assemblies/{assembly.id}")
    axe.check(visitor)
    for name in names:
        expect(visitor.get_by_role("main")).to_contain_text(name)
    visitor.get_by_role("link", name=re.compile("Draw #\\d+: Individual members")).click()
    expect(visitor.get_by_text("browser-test-seed")).to_be_visible()
    axe.check(visitor)

    # A volunteer finds their opaque id and their chance.
    volunteer = new_page()
    log_in(volunteer, axe, "v3@example.org")
    volunteer.goto("/pools")
    axe.check(volunteer)
    volunteer.get_by_role("link", name=re.compile("your opaque id and your chance")).click()
    expect(volunteer.get_by_role("region", name="Your entry in this draw")).to_contain_text(
        "Your chance of selection was")
    axe.check(volunteer)
