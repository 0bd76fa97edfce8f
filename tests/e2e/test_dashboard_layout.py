"""The dashboard at a desktop's and a phone's width: the page never scrolls sideways, and at 1280 px
the breakdown table fits its box (at 375 px it may scroll inside that box, never the page)."""

from __future__ import annotations

import pytest

from tests.e2e.test_story import Person

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
MEASURE = """() => {
  const doc = document.documentElement, box = document.querySelector('.table-wrap');
  return {page: [doc.scrollWidth, doc.clientWidth], box: box ? [box.scrollWidth, box.clientWidth] : null,
          overflow: box ? getComputedStyle(box).overflowX : null};
}"""


@pytest.mark.parametrize("name", list(WIDTHS))
def test_the_dashboard_fits_the_width(live, browser, shots, name):
    admin = Person(browser, live, viewport=WIDTHS[name])
    admin.log_in("admin")
    district = None
    for query in ("", "district"):
        page = admin.go("/dashboard" + (f"?district={district}" if query else ""))
        district = page.locator("#d option").nth(1).get_attribute("value")
        sizes = page.evaluate(MEASURE)
        shots(page, f"dashboard-{name}{'-district' if query else ''}")
        assert sizes["box"] is not None, "the breakdown table is on the page"
        assert sizes["page"][0] <= sizes["page"][1], (query, sizes)  # no sideways scroll of the page
        if name == "desktop":
            assert sizes["box"][0] <= sizes["box"][1], (query, sizes)  # the table fits its box
        else:  # a phone: wider than its box, the table scrolls inside it (reachable from the keyboard)
            assert sizes["overflow"] == "auto", sizes
            assert page.locator(".table-wrap").get_attribute("tabindex") == "0"
    admin.close()
