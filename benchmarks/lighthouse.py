"""Lighthouse 12.2.3 on the main pages, desktop and mobile, against the targets (a benchmark, not a test).

    python benchmarks/lighthouse.py [--pages login,need,...] [--json benchmarks/output/lighthouse.json]

Starts the app on loopback over a fresh SQLite file with the demo data and the real event spine
(embedded broker, relay, matcher, projector: the need page shows its matches), builds what the demo
lacks (a need with matches, a project with an activity, a volunteer's verified hours and a
certificate), logs in as the person who comes to each page and runs Lighthouse (npm `lighthouse`,
installed into deploy/node on first use) with Debian's Chromium, the session cookie passed as an
extra header. Prints performance / accessibility / best-practices per page and form factor with
the targets and MET / NOT MET; exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

LIGHTHOUSE_VERSION = "12.2.3"  # release 13 wants Node 22
NODE_DIR = ROOT / "deploy" / "node"
LIGHTHOUSE = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
# page name → (who logs in, path or a key of the built world)
PAGES = {
    "login": (None, "/login"),
    "need-form": ("shequ", "/needs/new"),
    "need": ("shequ", "need"),
    "activities": ("zhiyuan", "/activities"),
    "my-hours": ("zhiyuan", "/me/hours"),
    "dashboard": ("admin", "/dashboard"),
    "verify": (None, "verify"),
}


def ensure_lighthouse() -> None:
    installed = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    print(f"==> installing lighthouse {LIGHTHOUSE_VERSION} (npm, deploy/node)", flush=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(NODE_DIR),
            "--no-audit",
            "--no-fund",
            "--silent",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
    )


def serve(folder: Path):
    """The app with the demo data and the event spine, as the browser tests serve it."""
    from app import create_app
    from events.broker import EmbeddedBroker, free_port
    from linkage.demo import seed_demo
    from linkage.migrate import upgrade
    from linkage.platform import build_platform
    from tests.conftest import settings_for_tests
    from tests.integration.events.conftest import Spine

    url = f"sqlite:///{folder / 'linkage.db'}"
    port = free_port()
    settings = settings_for_tests(url, public_base_url=f"http://127.0.0.1:{port}")
    upgrade(url)
    app = create_app(settings, testing=True)  # as the browser tests: no secure-cookie demand on plain http
    platform = app.extensions["linkage"]
    seed_demo(platform, scale=0.2)
    broker = EmbeddedBroker().start()
    workers = build_platform(settings, source="linkage-workers")
    spine = Spine(workers, broker.bootstrap).all()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()

    def stop():
        server.shutdown()
        spine.stop_all()
        broker.stop()
        workers.dispose()
        platform.dispose()

    return f"http://127.0.0.1:{port}", platform, stop


def build_world(platform) -> dict[str, int]:
    """A need of shequ's community with its matches; zuzhi's running project on another need, with an
    activity tomorrow and one past where zhiyuan served verified hours (tests/factories, the services)."""
    from sqlalchemy import select

    from linkage.models.users import User
    from linkage.services import hours
    from tests.factories import ADMIN, Build, hours_ago

    with platform.read_session() as session:
        users = {u.username: u for u in session.scalars(select(User))}
    community, volunteer = users["shequ"].community_id, users["zhiyuan"].volunteer_id
    build = Build(platform)
    served = build.need(community, title="陪同独居老人到医院复诊", starts_at=hours_ago(-72), ends_at=hours_ago(-75))
    project = build.project(need=served, organization=users["zuzhi"].organization_id, status="in_progress")
    build.activity(project, title="周六陪诊")
    record = build.hour_record(build.past_activity(project), volunteer, minutes=150)
    build._do(hours.review_hours, ADMIN, record.id, "verify")
    need = build.need(community, title="社区助餐点送餐", starts_at=hours_ago(-48), ends_at=hours_ago(-50))
    return {"need": need.id}


def log_in(base: str, username: str) -> requests.Session:
    from linkage.demo import DEMO_PASSWORD

    client = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(base + "/login").text).group(1)
    answer = client.post(
        base + "/login",
        data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert answer.status_code == 302, (username, answer.status_code)
    return client


def cookie_header(client: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies)


def wait_for_matches(client: requests.Session, url: str) -> None:
    """The page shows the matches once the matcher has stored them; poll as the page does."""
    for _ in range(600):
        if client.get(url + "/matches.json").json().get("status") == "ready":
            return
        threading.Event().wait(0.1)
    raise SystemExit("the matches did not arrive in 60 s")


def certificate_path(base: str, client: requests.Session) -> str:
    page = client.get(base + "/me/hours").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(base + "/me/certificates", data={"csrf_token": token})
    assert answer.status_code == 200, answer.status_code
    return "/verify/" + answer.headers["X-Certificate-Code"]


def lighthouse(url: str, cookie: str, form_factor: str, out: Path) -> dict[str, int]:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env=dict(os.environ, CHROME_PATH=CHROME))
    report = json.loads(out.read_text())
    scores = {k: round(100 * (report["categories"][k]["score"] or 0)) for k in TARGETS}
    failing = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    scores["failing"] = failing  # type: ignore[assignment]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ", ".join(PAGES))
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("--verbose", action="store_true", help="list the audits under 0.9 per run")
    args = parser.parse_args()
    ensure_lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, platform, stop = serve(folder)
        try:
            world = build_world(platform)
            clients = {who: log_in(base, who) for who, _ in PAGES.values() if who}
            wait_for_matches(clients["shequ"], f"{base}/needs/{world['need']}")
            paths = {"need": f"/needs/{world['need']}", "verify": certificate_path(base, clients["zhiyuan"])}
            rows = []
            for name in args.pages.split(","):
                who, path = PAGES[name]
                cookie = cookie_header(clients[who]) if who else ""
                for form_factor in ("desktop", "mobile"):
                    scores = lighthouse(base + paths.get(path, path), cookie, form_factor, folder / "report.json")
                    rows.append(
                        {
                            "page": name,
                            "path": path if path.startswith("/") else paths[path],
                            "form_factor": form_factor,
                            **scores,
                        }
                    )
                    print(
                        f"  {name} {form_factor}: {scores}" if args.verbose else f"  {name} {form_factor} done",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            stop()
    met_all = True
    head = "| page | form factor | performance (≥ 90) | accessibility (≥ 95) | best practices (≥ 95) | targets |"
    print(head)
    print("|" + "---|" * 6)
    for row in rows:
        met = all(row[k] >= v for k, v in TARGETS.items())
        met_all &= met
        print(
            f"| {row['page']} `{re.sub(r'/[0-9A-Z-]{6,}$', '/<code>', row['path'])}` | {row['form_factor']} | "
            f"{row['performance']} | {row['accessibility']} | {row['best-practices']} | "
            f"{'MET' if met else 'NOT MET'} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
