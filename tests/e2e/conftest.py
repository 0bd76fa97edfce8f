"""Browser fixtures: the app served on loopback over a seeded SQLite file, the real event spine, Chromium."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from os import environ
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from events.broker import EmbeddedBroker, free_port
from linkage.demo import seed_demo
from linkage.migrate import upgrade
from linkage.platform import build_platform
from tests.conftest import settings_for_tests as make_settings
from tests.integration.events.conftest import Spine

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}


@dataclass
class Live:
    base_url: str
    platform: object


@contextmanager
def serve_system(folder: Path):
    """The whole system on this machine, freshly seeded as `scripts/run` leaves it: web server
    thread, broker process, relay/matcher/projector/notifier threads, over a SQLite file in `folder`."""
    from app import create_app

    url = f"sqlite:///{folder / 'linkage.db'}"
    port = free_port()
    settings = make_settings(url, public_base_url=f"http://127.0.0.1:{port}")
    upgrade(url)
    app = create_app(settings, testing=True)
    platform = app.extensions["linkage"]
    seed_demo(platform, scale=0.2)
    broker = EmbeddedBroker().start()
    workers = build_platform(settings, source="linkage-workers")
    spine = Spine(workers, broker.bootstrap).all()
    spine.notifier()  # the inbox fills from the events, as under `linkage run`
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web", daemon=True)
    thread.start()
    try:
        yield Live(base_url=f"http://127.0.0.1:{port}", platform=platform)
    finally:
        server.shutdown()
        thread.join(10)
        spine.stop_all()
        broker.stop()
        workers.dispose()
        platform.dispose()


@pytest.fixture(scope="module")
def own_live(tmp_path_factory):
    """A freshly seeded system for one test module: for modules whose data (a volunteer's hours,
    sign-ups) would change what the story files, which share `live`, count."""
    with serve_system(tmp_path_factory.mktemp("own")) as system:
        yield system


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """One system for the session: the story files run against the same server, one after another."""
    with serve_system(tmp_path_factory.mktemp("e2e")) as system:
        yield system


# Console errors in which Chromium reports what the Content-Security-Policy blocked, by any page of
# any context of the session's browser; each test fails if its pages caused one.
CSP_VIOLATIONS: list[str] = []


def _watch_csp(context):
    def seen(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", seen)
    return context


class WatchedBrowser:
    """The browser, whose every new context reports CSP violations into CSP_VIOLATIONS."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        return _watch_csp(self._browser.new_context(**options))

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)


# Chromium on Linux takes its UI language (and so the order of a date picker's fields) from
# LANGUAGE, not from --lang, and only with Debian's chromium-l10n installed (scripts/bootstrap).
CHROMIUM_ENV = {"LANGUAGE": "zh_CN"}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--lang=zh-CN"],
            env={**environ, **CHROMIUM_ENV},
            headless=True,
        )
        yield WatchedBrowser(chromium)
        chromium.close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """No page may need what the CSP forbids (inline styles or scripts without the nonce)."""
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert not found, "the Content-Security-Policy blocked:\n" + "\n".join(found)


class Shots:
    """Numbered screenshots under test-output/screenshots, in the order the stories take them (the
    numbering runs on across the story files of one session)."""

    def __init__(self, folder: Path):
        self.folder, self.count, self.names = folder, 0, []
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("[0-9][0-9]-*.png"):  # its own earlier set only; other tests' stay
            old.unlink()

    def next_path(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.names.append(path.name)
        return path

    def __call__(self, page, name: str) -> Path:
        path = self.next_path(name)
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def shots():
    return Shots(SCREENSHOTS)
