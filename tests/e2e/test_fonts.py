"""No tofu: Chromium renders the Chinese of the zh-CN pages with a Chinese font, asked through DevTools.

For each Chinese text (headings, navigation, paragraphs, labels, buttons) `CSS.getPlatformFontsForNode`
says which platform fonts drew its glyphs and how many each; a Han character drawn by a font without
Chinese glyphs is a box (the font's .notdef). The control test proves the check bites: the same pages
in a Chromium whose fontconfig sees only a Latin font come out as boxes, and the check names them.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, OUTPUT, PHONE
from tests.e2e.people import log_in

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Families with Chinese glyphs, on the machines the pages meet: the site's stack and Linux's fallbacks.
CJK_FAMILY = re.compile(
    r"WenQuanYi|Noto Sans CJK|Noto Serif CJK|Source Han|Droid Sans Fallback|PingFang|"
    r"Hiragino|Microsoft YaHei|AR PL|SimSun|SimHei"
)
# What is checked on each page, by kind; every kind must turn up Chinese somewhere in the tour.
KINDS = {
    "heading": "h1, h2, h3",
    "nav": "header .brand, header nav a, header nav button",
    "paragraph": "main p, main li, main dd, main dt",
    "control": "main label, main legend, main button, main a.button",
}
ANONYMOUS = ("/login", "/evaluate", "/verify", "/funding", "/privacy")
SIGNED_IN = ("/", "/needs", "/needs/new", "/projects", "/dashboard")


def tofu(context, page) -> tuple[list[str], set[str]]:
    """Each Chinese text node of the page whose Han characters were not all drawn by a Chinese font
    (as "kind: text (fonts)"), and the kinds of text that were checked."""
    cdp = context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        found, kinds = [], set()
        for kind, selector in KINDS.items():
            # Each element's own text (its text-node children: what getPlatformFontsForNode measures),
            # in document order, as DOM.querySelectorAll returns the nodes.
            texts = page.eval_on_selector_all(
                selector,
                """els => els.map(e => Array.from(e.childNodes)
                .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join(''))""",
            )
            nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
            assert len(texts) == len(nodes), (selector, len(texts), len(nodes))
            for text, node in zip(texts, nodes):
                han = len(HAN.findall(text))
                if not han:
                    continue
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
                if not fonts:  # not laid out (in a closed <details>, display: none): nothing drawn
                    continue
                kinds.add(kind)
                drawn = sum(f["glyphCount"] for f in fonts if CJK_FAMILY.search(f["familyName"]))
                if drawn < han:
                    used = ", ".join(f"{f['familyName']}×{f['glyphCount']}" for f in fonts)
                    found.append(f"{kind}: {text.strip()[:30]} ({used})")
        return found, kinds
    finally:
        cdp.detach()


def _tour(browser, base: str, shots: Path | None = None):
    """Every page of the tour: (path, tofu found, kinds checked)."""
    results = []
    for username, paths in ((None, ANONYMOUS), ("shequ", SIGNED_IN)):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        try:
            page = context.new_page()
            if username:
                log_in(page, base, username)
            for path in paths:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (path, response and response.status)
                if shots:
                    shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shots / f"{path.strip('/').replace('/', '-') or 'home'}.png"))
                results.append((path, *tofu(context, page)))
        finally:
            context.close()
    return results


def test_the_chinese_of_every_page_is_drawn_by_a_chinese_font(live, browser):
    results = _tour(browser, live.base_url, shots=OUTPUT / "fonts")  # the same pages, drawn right
    boxes = {path: found for path, found, _ in results if found}
    assert not boxes, f"Chinese drawn without a Chinese font (boxes): {boxes}"
    for path, _, kinds in results:
        assert {"heading", "nav"} <= kinds, (path, kinds)  # every page was really looked at
    assert set(KINDS) == set().union(*(kinds for _, _, kinds in results))


def _latin_only_fontconfig(folder: Path) -> Path:
    """A fontconfig file that shows Chromium one folder of fonts none of which has Chinese glyphs."""
    listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True)
    chinese = subprocess.run(
        ["fc-list", ":lang=zh", "--format", "%{file}\n"], capture_output=True, text=True, check=True
    )
    chinese_dirs = {Path(f).parent for f in chinese.stdout.split()}
    latin = sorted({Path(f).parent for f in listed.stdout.split() if f.endswith(".ttf")} - chinese_dirs)
    assert latin, "no folder of Latin-only TrueType fonts for the control"
    config = folder / "fonts.conf"
    config.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{latin[0]}</dir><cachedir>{folder / "cache"}</cachedir></fontconfig>
""",
        encoding="utf-8",
    )
    return config


def test_the_check_finds_boxes_when_the_browser_has_no_chinese_font(live, browser, tmp_path):
    """The control: a Chromium that sees no Chinese font draws boxes, and `tofu` names every page
    (its screenshots, boxes for every Chinese character: test-output/tofu-control/)."""
    env = {**os.environ, "FONTCONFIG_FILE": str(_latin_only_fontconfig(tmp_path))}
    blind = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, env=env)
    try:
        results = _tour(blind, live.base_url, shots=OUTPUT / "tofu-control")
    finally:
        blind.close()
    assert all(found for _, found, _ in results), [(path, found) for path, found, _ in results]
    assert any(found.startswith("heading: ") for _, found_list, _ in results for found in found_list)
