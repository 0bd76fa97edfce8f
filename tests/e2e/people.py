"""The people of the browser tests: one Chromium context each, driven as a user drives a page."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from linkage.demo import DEMO_PASSWORD
from tests.e2e.conftest import OUTPUT, PHONE
from tests.english import english_words

TZ = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> str:
    """A moment as the value of an <input type=datetime-local> in Beijing time."""
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def log_in(page, base: str, username: str):
    """Log `page` in as a demo user through the login form, as a person does; it lands on the home page."""
    page.goto(base + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("#f-password", "Enter")
    assert page.url == base + "/", page.url
    return page


class Person:
    """One browser context (its own cookies) and the keyboard: focus, then Enter or Space.

    Confirmation dialogs (window.confirm) are accepted, as a user who means the action does. Given
    `seen` (and a `name` for the screenshots), every page this person arrives at is recorded there."""

    def __init__(self, browser, live, *, seen: Seen | None = None, name: str = "", **options):
        self.seen, self.name = seen, name
        self.context = browser.new_context(
            viewport=options.pop("viewport", PHONE), locale="zh-CN", accept_downloads=True, **options
        )
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.base = live.base_url

    def go(self, path: str):
        self.page.goto(self.base + path)
        self.arrived()
        return self.page

    def arrived(self) -> None:
        """Record the page this person has just arrived at (when watched by a Seen)."""
        if self.seen is not None:
            path = re.split(r"[?#]", self.page.url.removeprefix(self.base))[0].strip("/") or "home"
            self.seen.page(self, f"{self.name}-{path.replace('/', '-')}")

    def press(self, selector_or_locator, key: str = "Enter"):
        """Activate a control from the keyboard and wait for the page it leads to."""
        target = self.page.locator(selector_or_locator) if isinstance(selector_or_locator, str) else selector_or_locator
        target.first.focus()
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.arrived()
        return self.page

    def press_and_confirm(self, selector_or_locator, key: str = "Enter"):
        """An irreversible action: press it and, where the page asks first (确认, /confirm), confirm."""
        self.press(selector_or_locator, key)
        confirm = self.page.get_by_role("button", name="确认", exact=True)
        if confirm.count() == 1:
            self.press(confirm, key)
        return self.page

    def log_in(self, username: str):
        log_in(self.page, self.base, username)
        self.arrived()
        return self.page

    def download_pdf(self, name: str, shots, shot: str) -> Path:
        """Press Enter on the focused control that downloads a PDF: kept as test-output/<name>.pdf, its
        first page rendered as the screenshot `shot`, as a person would look at it."""
        with self.page.expect_download() as download:
            self.page.keyboard.press("Enter")
        pdf = OUTPUT / f"{name}.pdf"
        download.value.save_as(str(pdf))
        assert pdf.read_bytes().startswith(b"%PDF")
        picture = shots.next_path(shot)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(picture.with_suffix(""))],
            check=True,
            timeout=30,
        )
        return pdf

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_text().strip()

    def pick_moment(self, locator, moment: datetime) -> None:
        """Type a date and time into an <input type=datetime-local> as a person does with the
        keyboard, in the order of a zh-CN Chromium's picker (年/月/日 时:分): Tab past the year,
        month, day, hour and minute (each moves on by itself), back to the year, the year (last: it
        moves on by itself only when a `max` bounds it). The field must then hold that moment."""
        at = moment.astimezone(TZ)
        keyboard = self.page.keyboard
        locator.focus()
        keyboard.press("Tab")
        keyboard.type(f"{at.month:02d}{at.day:02d}{at.hour:02d}{at.minute:02d}")
        for _ in range(4):
            keyboard.press("Shift+Tab")
        keyboard.type(f"{at.year:04d}")
        value = locator.input_value()
        assert value == local(at), (
            f"the date picker holds {value!r} after typing {local(at)}: is Chromium's zh-CN locale "
            "(Debian chromium-l10n, LANGUAGE=zh_CN) there?"
        )

    def close(self):
        self.context.close()


@dataclass
class Seen:
    """What a walk through the pages found: English words on zh-CN pages and the other problems,
    gathered page by page so that one run shows them all."""

    shots: object
    step: str = ""
    english: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def page(self, person: Person, name: str, step: str = "", allowed: set[str] | None = None) -> str:
        """Screenshot the page and note its English (but for the `allowed` words: codes it shows);
        returns its visible text."""
        page = person.page
        step = step or self.step
        self.shots(page, f"{step}-{name}" if step else name)
        text = page.locator("body").inner_text()
        words = english_words(text, allowed or set())
        if words:
            where = page.url.removeprefix(person.base) or "/"
            self.english.append(f"[{step}] {where}: {', '.join(dict.fromkeys(words))}")
        return text

    def problem(self, what: str, step: str = "") -> None:
        self.problems.append(f"[{step or self.step}] {what}")

    def report(self) -> str:
        parts = []
        if self.english:
            parts.append("English on zh-CN pages:\n  " + "\n  ".join(self.english))
        if self.problems:
            parts.append("Problems on the way:\n  " + "\n  ".join(self.problems))
        return "\n".join(parts)
