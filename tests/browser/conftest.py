"""Browser fixtures: Debian's chromium driven by Playwright, over the demo's running stack.

Playwright's own browser download is not reachable, so the tests launch /usr/bin/chromium
(`make test` installs it; without it they skip). Every page a test opens must log no console
error (a CSP violation or a broken script shows up there) and open no dialog (an ``alert``
from injected markup would). ``shoot`` saves the screenshots the README shows, on request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockkit.demo_stack import Stack

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

if not CHROMIUM.exists():
    pytest.skip("chromium is not installed (make test installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(Path(tmp_path_factory.mktemp("browser")))
    yield running
    running.stop()


@pytest.fixture
def new_page(browser) -> Iterator[object]:
    """Opens pages in one browser context (one cookie jar, like one person's browser)."""
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    problems: list[str] = []

    def open_page():
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        opened.on("console", lambda m: m.type == "error" and problems.append(m.text))
        opened.on("pageerror", lambda error: problems.append(str(error)))
        opened.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        return opened

    yield open_page
    context.close()
    assert problems == [], problems


@pytest.fixture
def page(new_page) -> object:
    return new_page()


def shoot(page, name: str) -> None:
    """With MOCKKIT_SCREENSHOTS=1 (``make screenshots``), save what a 1280x820 window shows as
    ``docs/screenshots/<name>.png``; otherwise leave the committed ones alone."""
    if os.environ.get("MOCKKIT_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
