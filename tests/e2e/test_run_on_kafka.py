"""`linkage run --broker kafka` as a user starts it: the whole platform on Apache Kafka 4, a need
posted in the web page, its matches shown there."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from events.broker import free_port
from tests.e2e.people import Person
from tests.e2e.test_story import fill_need_form

pytestmark = [pytest.mark.broker, pytest.mark.timeout(300)]


@pytest.fixture
def platform_on_kafka(tmp_path):
    port, broker_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'linkage.db'}",
           "LINKAGE_BROKER_PORT": str(broker_port),
           "LINKAGE_LOG_LEVEL": "WARNING"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    log = open(tmp_path / "run.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "linkage.cli", "run", "--broker", "kafka",
                                "--port", str(port), "--workers", "1"],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if "Linkage is running" in (tmp_path / "run.log").read_text():
            break
        time.sleep(0.5)
    output = (tmp_path / "run.log").read_text()
    assert "Linkage is running" in output, output[-3000:]
    assert f"kafka, 127.0.0.1:{broker_port}" in output
    try:
        yield type("Run", (), {"base_url": f"http://127.0.0.1:{port}", "log": tmp_path / "run.log",
                               "process": process})
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C, as the README says
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        log.close()


def test_a_need_posted_in_the_page_is_matched_on_apache_kafka(platform_on_kafka, browser, shots):
    staff = Person(browser, platform_on_kafka)
    page = staff.log_in("shequ")
    staff.go("/needs/new")
    fill_need_form(page, "陪同独居老人到医院复诊（Apache Kafka）")
    staff.press("form.card button[type=submit]")
    assert re.search(r"/needs/\d+$", page.url), page.url
    page.wait_for_selector('#matches[data-status="ready"]', timeout=60_000)
    assert page.locator("#matches .ranked li").count() > 0
    assert "公里" in page.locator("#matches").inner_text()
    shots(page, "matches-on-apache-kafka")
    staff.close()

    platform_on_kafka.process.send_signal(signal.SIGINT)
    assert platform_on_kafka.process.wait(60) == 0
    assert "stopping" in platform_on_kafka.log.read_text()
