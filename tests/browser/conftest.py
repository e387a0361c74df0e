"""Real-browser fixtures: the app served on a local port, Debian's chromium driven by Playwright,
and an axe-core check of every page a test visits."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def log_in(page, axe, email: str) -> None:
    """Log in through the real form, checking both pages with axe."""
    page.goto("/login")
    axe.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome back")
    axe.check(page)


class Accessibility:
    """Runs axe-core (served from node_modules) on a page and fails on serious or critical violations."""

    def __init__(self):
        self.checked: list[str] = []

    def check(self, page) -> None:
        page.add_script_tag(url="/vendor/axe.min.js")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        self.checked.append(page.url)
        assert not bad, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]} on {page.url}"
            for v in bad)


@pytest.fixture
def axe():
    return Accessibility()


@pytest.fixture
def new_page(chromium, live_server, axe):
    contexts = []

    def make(width: int = 1280):
        context = chromium.new_context(base_url=live_server, viewport={"width": width, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
