"""Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use the system Chromium; Playwright's own browser download fails on this network."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def third_party_requests(page) -> list[str]:
    """Every request the page makes to a host other than the test server."""
    outside: list[str] = []

    def record(request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http://", "https://")) and host not in ("localhost", "127.0.0.1"):
            outside.append(request.url)

    page.on("request", record)
    return outside


@pytest.fixture
def assert_accessible():
    """Run axe-core's WCAG 2.2 A/AA rules on the page and fail with readable violations."""
    axe = Axe()

    def check(page, context: str | None = None) -> None:
        results = axe.run(
            page,
            context=context,
            options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        violations = results.response["violations"]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"axe violations on {page.url}:\n" + "\n".join(summary)

    return check


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def assert_accessible_without_javascript(browser, assert_accessible):
    """axe on a page seen without JavaScript.

    axe itself needs JavaScript (its promises never settle in a context without it), so the
    page's DOM is replayed at the same address in a context where axe can run but the page's
    own scripts are blocked: what axe sees is exactly what a visitor without JavaScript got.
    """
    context = browser.new_context()
    checker = context.new_page()
    checker.route("**/*.js", lambda route: route.abort())

    def check(page) -> None:
        address, html = page.url.split("#")[0], page.content()
        checker.route(
            lambda url: url == address,
            lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=html),
        )
        checker.goto(address)
        checker.unroute_all()
        checker.route("**/*.js", lambda route: route.abort())
        assert checker.locator("#feedback").inner_html() == page.locator("#feedback").inner_html()
        assert_accessible(checker)

    yield check
    context.close()


@pytest.fixture
def site(live_server, guide, transactional_db):
    """The live server with the shipped articles loaded."""
    return live_server
