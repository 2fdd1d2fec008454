"""Browser tests: Playwright driving Debian's Chromium against a live server.

Where Chromium is absent they skip with one line; CI sets SHUGEL_REQUIRE_BROWSER=1, and then
a missing browser is a failure, not a skip.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("SHUGEL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"



def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("SHUGEL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required here but missing at {CHROMIUM}")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls the test
    # itself makes (fixtures, assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="mn-MN", timezone_id="Asia/Ulaanbaatar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
