"""Headless Chromium from Debian's package, driven by Playwright (no browser download)."""

import os
from pathlib import Path

import pytest

from tests.conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ROOT = Path(__file__).resolve().parent.parent.parent
# Every run writes to an ignored folder; `make screenshots` points this at docs/screenshots/ on
# purpose, to refresh the documented pictures.
SCREENSHOTS = ROOT / os.environ.get("LMS_SCREENSHOTS_DIR", "test-results/screenshots")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        service_missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM is called from the
    # test body around it, never from inside the loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps connections per async context, and Playwright's loop makes a new one: carry
    # the database's serialized contents over, so serialized_rollback can restore the data the
    # migrations load (regions, consent text, home page) after another test flushed it.
    serialized = getattr(connections["default"], "_test_serialized_contents", None)
    with sync_playwright() as playwright:
        if serialized is not None:
            connections["default"]._test_serialized_contents = serialized
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    # Links in e-mails and PDFs lead to the public address: here, the live server.
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take
