"""Phone-first layout and accessibility, measured in Chromium: every main page at 375 and 1280 px.

Per page and width: no horizontal page scrolling, a one-row header on a phone, touch targets of at
least 44 px (navigation, buttons, form controls, stand-alone links), 0 serious or critical axe-core
violations, and a screenshot (test-output/screenshots/layout-<width>-<page>.png) as the record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, SCREENSHOTS
from tests.e2e.people import log_in
from tests.factories import ADMIN, Build, hours_ago

pytestmark = [pytest.mark.broker, pytest.mark.timeout(600)]

WIDTHS = {375: {"width": 375, "height": 812}, 1280: {"width": 1280, "height": 900}}
HEADER_MAX_PX = 70
TARGET_PX = 44
AXE = ROOT / "deploy" / "node" / "node_modules" / "axe-core" / "axe.min.js"

# Who visits what: (page name, role or None for a visitor, path or a list page whose first entry is
# the page). Each role sees its home; the rest go to the role that comes to that page.
PAGES: list[tuple[str, str | None, str]] = [
    ("login", None, "/login"),
    ("evaluate", None, "/evaluate"),
    ("funding-public", None, "/funding"),
    ("verify", None, "verify"),
    ("home-admin", "admin", "/"),
    ("home-shequ", "shequ", "/"),
    ("home-zuzhi", "zuzhi", "/"),
    ("home-shegong", "shegong", "/"),
    ("home-zhiyuan", "zhiyuan", "/"),
    ("home-shenji", "shenji", "/"),
    ("needs", "shequ", "/needs"),
    ("need-form", "shequ", "/needs/new"),
    ("need", "shequ", "need"),
    ("needs-org", "zuzhi", "/needs"),
    ("projects", "zuzhi", "/projects"),
    ("project", "zuzhi", "project"),
    ("activities", "zhiyuan", "/activities"),
    ("activity", "zhiyuan", "activity"),
    ("activities-org", "zuzhi", "/activities"),
    ("my-hours", "zhiyuan", "/me/hours"),
    ("inbox", "zhiyuan", "/inbox"),
    ("my-signups", "zhiyuan", "/me/signups"),
    ("my-qualifications", "zhiyuan", "/me/qualifications"),
    ("safety", "zhiyuan", "/me/safety"),
    ("scan", "zhiyuan", "scan"),
    ("invitations-org", "zuzhi", "/invitations"),
    ("series-form", "zuzhi", "series-form"),
    ("series", "zuzhi", "series"),
    ("roster", "zuzhi", "roster"),
    ("checkin-code", "zuzhi", "checkin-code"),
    ("transfer-import", "shequ", "/transfer/import"),
    ("volunteers", "shequ", "/volunteers?q=l"),
    ("organizations", "zuzhi", "/organizations"),
    ("social-workers", "admin", "/social-workers"),
    ("resources", "shenji", "/resources"),
    ("imports", "shequ", "/imports"),
    ("dashboard", "admin", "/dashboard"),
    ("dashboard-shenji", "shenji", "/dashboard"),
    ("funding", "admin", "/funding"),
    ("reports", "admin", "/reports"),
    ("reports-shequ", "shequ", "/reports"),
]

# Everything a finger must hit: navigation, buttons, form controls (a check box or radio by the
# label around it), disclosures, and links that stand alone (cards, tiles, pagers, link rows).
TARGETS_JS = (
    """
() => {
  const selector = 'header a, header button, header summary, nav a, button, .button, select, textarea, summary,'
    + ' input:not([type=hidden]), a.card-title, a.tile, .pager a, .links a';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
    const r = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (r.width === 0 || r.height === 0 || r.right <= 0 || style.visibility === 'hidden') continue;
    if (r.height < %d - 0.5) small.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}
"""
    % TARGET_PX
)


def _certificate_code(page, base: str) -> str:
    """The volunteer issues a certificate on their hours page; its code is what the QR points to."""
    page.goto(base + "/me/hours")
    with page.expect_download() as download:
        page.locator("form[action$='/me/certificates'] button[type=submit]").click()
    match = re.search(r"certificate-([A-Z0-9-]+)\.pdf", download.value.suggested_filename)
    assert match, download.value.suggested_filename
    return match.group(1)


@pytest.fixture(scope="module")
def live(own_live):
    """A system of this module's own: its world gives zhiyuan hours and sign-ups, which the story files would count."""
    return own_live


@pytest.fixture(scope="module")
def world(live) -> dict[str, str]:
    """What the demo lacks, built through the services for the demo users: a need of shequ's
    community claimed by zuzhi's organization, its running project with an activity tomorrow and
    one that took place, where zhiyuan served hours that are verified."""
    from sqlalchemy import select

    from linkage.models.users import User
    from linkage.services import hours, series

    with live.platform.read_session() as session:
        users = {
            u.username: u for u in session.scalars(select(User).where(User.username.in_(("shequ", "zuzhi", "zhiyuan"))))
        }
    community, organization = users["shequ"].community_id, users["zuzhi"].organization_id
    volunteer = users["zhiyuan"].volunteer_id
    build = Build(live.platform)
    need = build.need(community, title="陪同独居老人到医院复诊", starts_at=hours_ago(-72), ends_at=hours_ago(-75))
    project = build.project(need=need, organization=organization, status="in_progress")
    activity = build.activity(project, title="周六陪诊")
    record = build.hour_record(build.past_activity(project), volunteer, minutes=150)
    build._do(hours.review_hours, ADMIN, record.id, "verify")
    other = build.need(
        community, title="社区助餐点送餐", starts_at=hours_ago(-48), ends_at=hours_ago(-50)
    )  # stays open: a need with matches
    # Running now (its check-in code shows), zhiyuan signed up; and a recurring activity with shifts.
    running = build.activity(project, title="社区助餐", starts_at=hours_ago(0.2), hours_long=2)
    build.signup(running, volunteer)
    first = hours_ago(-30).replace(minute=0, second=0, microsecond=0)
    weekly = {
        "title": "长者助餐",
        "place": "社区食堂",
        "dtstart": first,
        "duration_minutes": 120,
        "exdates": [],
        "rrule": "FREQ=DAILY;COUNT=6",
        "shifts": [
            {"role": "送餐", "slots": 2, "skills_wanted": ["助老"]},
            {"role": "引导员", "slots": 1, "skills_wanted": [], "qualification_required": "first_aid"},
        ],
    }
    recurring = build._do(series.schedule_series, ADMIN, project.id, weekly)
    return {
        "need": f"/needs/{other.id}",
        "project": f"/projects/{project.id}",
        "activity": f"/activities/{activity.id}",
        "scan": f"/activities/{running.id}/scan",
        "checkin-code": f"/activities/{running.id}/checkin-code",
        "roster": f"/activities/{running.id}/roster",
        "series-form": f"/projects/{project.id}/series/new",
        "series": f"/series/{recurring.id}",
    }


@pytest.fixture(scope="module")
def sessions(live, browser, world):
    """One logged-in browser context per role (and one visitor), and the paths of the pages that
    need an entry: a need with its matches, a project, an activity, a certificate to verify."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    contexts = {None: browser.new_context(locale="zh-CN", accept_downloads=True)}
    for role in {role for _, role, _ in PAGES if role}:
        contexts[role] = browser.new_context(locale="zh-CN", accept_downloads=True)
        log_in(contexts[role].new_page(), live.base_url, role).close()
    page = contexts["zhiyuan"].new_page()
    paths = dict(world, verify="/verify/" + _certificate_code(page, live.base_url))
    page.close()
    yield contexts, paths
    for context in contexts.values():
        context.close()


def _open(sessions, live, role, path, width):
    contexts, paths = sessions
    page = contexts[role].new_page()
    page.set_viewport_size(WIDTHS[width])
    response = page.goto(live.base_url + paths.get(path, path))
    assert response is not None and response.status < 400, f"{path}: {response and response.status}"
    if path == "need":
        page.wait_for_selector("#matches[data-status=ready]", timeout=60_000)
    return page


def _layout_problems(page, width: int) -> list[str]:
    problems = []
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if scroll > client:
        wide = page.evaluate(
            """(client) => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > client + 0.5)
                 .filter(el => !el.closest('.table-wrap'))
                 .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
            client,
        )
        problems.append(f"page scrolls sideways: scrollWidth {scroll} > {client} ({', '.join(wide)})")
    header = page.evaluate("() => document.querySelector('header')?.getBoundingClientRect().height ?? 0")
    if width < 600 and header > HEADER_MAX_PX:
        problems.append(f"header is {header:.0f} px high on a phone (> {HEADER_MAX_PX})")
    shown = page.evaluate(
        "() => [...document.querySelectorAll('header nav a')].filter(a => a.getBoundingClientRect().height > 0).length"
    )
    if width >= 1000 and page.locator("header nav a").count() and not shown:
        problems.append("the navigation is hidden on a wide screen")
    small = page.evaluate(TARGETS_JS)
    if small:
        problems.append(f"touch targets under {TARGET_PX} px: " + "; ".join(small[:12]))
    return problems


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_fits_the_screen_with_fingers_sized_targets(live, sessions, width):
    found = {}
    for name, role, path in PAGES:
        page = _open(sessions, live, role, path, width)
        problems = _layout_problems(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-{name}.png"), full_page=True)
        menu = page.locator("header details.menu")
        if width < 600 and menu.count():
            menu.locator("summary").click()  # the phone menu, opened: its links fit too
            problems += [f"(menu open) {p}" for p in _layout_problems(page, width) if "header is" not in p]
            page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-{name}-menu.png"))
        if problems:
            found[name] = problems
        page.close()
    assert not found, "\n".join(f"{name}: {p}" for name, problems in found.items() for p in problems)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_axe_finds_no_serious_or_critical_violations(live, sessions, width):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: scripts/bootstrap --with-test-tools installs axe-core")
    source = Path(AXE).read_text(encoding="utf-8")
    found = {}
    for name, role, path in PAGES:
        page = _open(sessions, live, role, path, width)
        page.evaluate(source + "\n;undefined")  # through DevTools, so the page's CSP does not apply
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"
        )
        if violations:
            found[name] = violations
        page.close()
    assert not found, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
