"""The notifier as a real process (`linkage notifier`): killed mid-work and restarted, it still tells
and sends each reminder and each sign-up confirmation exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from linkage.config import PROJECT_ROOT
from linkage.models import Delivery, Notification, QuietHours, utcnow
from tests.factories import Build
from tests.integration.events.conftest import wait_until

VOLUNTEERS = 12


def start_notifier(broker, database_url: str, sent_log: Path):
    """`python -m linkage.cli notifier` over the test's database and broker; a slow logging channel
    (50 ms a send) so a kill lands while deliveries are still going out."""
    output = tempfile.NamedTemporaryFile("w+", prefix="notifier-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "LINKAGE_BROKER": broker.kind,
        "LINKAGE_NOTIFY_LOG": str(sent_log),
        "LINKAGE_NOTIFY_CHANNELS": "sms",
        "LINKAGE_NOTIFY_SEND_DELAY": "0.05",
        "LINKAGE_NOTIFY_TICK": "1",
        "LINKAGE_LOG_FORMAT": "text",
    }
    env.pop("LINKAGE_METRICS_PORT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "linkage.cli", "notifier"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.output = lambda: Path(output.name).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    return process


def sent_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_notifier_killed_mid_work_and_restarted_sends_each_reminder_exactly_once(platform, spine, broker, tmp_path):
    build = Build(platform)
    scene = build.parties(project="in_progress")
    tomorrow = build.activity(scene["project"], starts_at=utcnow() + timedelta(hours=20), slots=VOLUNTEERS)
    soon = build.activity(scene["project"], starts_at=utcnow() + timedelta(minutes=90), slots=VOLUNTEERS)
    users = []
    for _ in range(VOLUNTEERS):
        volunteer = build.volunteer(scene["community"])
        users.append(build.volunteer_actor(volunteer).user_id)
        build.signup(tomorrow, volunteer)
        build.signup(soon, volunteer)
    with platform.uow() as uow:  # no quiet hours: the test must not depend on the time of day
        uow.session.add_all(
            QuietHours(user_id=user, start_minute=0, end_minute=0) for user in [*users, scene["org_staff"].user_id]
        )
        uow.commit()
    # Per volunteer: two confirmations (from the events) and two reminders (from the ticker); and
    # the organization's staff hears its claim was approved.
    expected = 4 * VOLUNTEERS + 1
    spine.relay()
    sent_log = tmp_path / "sent.jsonl"
    url = str(platform.engine.url.render_as_string(hide_password=False))
    process = start_notifier(broker, url, sent_log)
    try:
        wait_until(
            lambda: len(sent_lines(sent_log)) >= 8,
            90,
            message=lambda: f"first sends; the notifier said:\n{process.output()}",
        )
        process.kill()  # SIGKILL: no clean leave; a delivery may be claimed, or sent and not marked
        process.wait(10)
        assert len(sent_lines(sent_log)) < expected, "killed mid-work"
        process = start_notifier(broker, url, sent_log)

        def all_sent() -> bool:
            with platform.read_session() as s:
                done = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
            return done == expected and len(sent_lines(sent_log)) >= expected

        wait_until(all_sent, 120, message=lambda: f"all sent; the new notifier said:\n{process.output()}")
    finally:
        process.kill()
        process.wait(10)
    lines = sent_lines(sent_log)
    assert len(lines) == expected
    assert all(count == 1 for count in Counter(line["delivery_id"] for line in lines).values())
    with platform.read_session() as s:
        rows = list(s.scalars(select(Notification)))
        deliveries = s.scalar(select(func.count()).select_from(Delivery))
    assert deliveries == expected
    per_user = Counter((row.user_id, row.kind, row.link) for row in rows)
    assert set(per_user.values()) == {1}
    assert Counter(row.kind for row in rows) == {
        "signup_confirmed": 2 * VOLUNTEERS,
        "reminder_24h": VOLUNTEERS,
        "reminder_2h": VOLUNTEERS,
        "claim_decided": 1,
    }
    assert {row.user_id for row in rows} == {*users, scene["org_staff"].user_id}
    assert Counter(line["kind"] for line in lines) == Counter(row.kind for row in rows)
