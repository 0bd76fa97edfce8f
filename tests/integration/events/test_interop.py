"""Any Kafka client can speak our events: Debian's kcat (librdkafka) produces a need and reads the ranking."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid

import pytest

from events.broker import EmbeddedBroker, free_port
from events.topics import MATCHES, NEEDS
from tests.integration.events.conftest import KINDS, wait_until
from tests.integration.events.kcat_shim import KcatShim

pytestmark = pytest.mark.broker


@pytest.fixture
def broker():
    """The broker behind KcatShim (see its docstring): everyone, Python and kcat, goes through it."""
    shim_port = free_port()
    with EmbeddedBroker(advertised_port=shim_port) as embedded:
        shim = KcatShim(shim_port, embedded.port)
        yield embedded
        shim.close()


def kcat() -> str:
    """The kcat binary; installed from Debian's archive when missing (the test must not skip)."""
    found = shutil.which("kcat")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "kcat"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = shutil.which("kcat")
        if found is None:
            subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", "kcat"], check=True,
                           stdout=subprocess.DEVNULL)
            found = shutil.which("kcat")
    assert found, "kcat could not be installed"
    return found


def test_a_need_produced_with_kcat_is_matched_and_kcat_reads_the_ranking(world, spine, broker):
    binary = kcat()
    spine.all()
    wait_until(lambda: world.unsent() == 0, 20, message="providers published")

    need_id, event_id = 990001, str(uuid.uuid4())
    # The example from docs/events.md, as a kcat user would paste it.
    envelope = {"specversion": "1.0", "id": event_id, "source": "kcat", "type": "linkage.need.posted.v1",
                "time": "2026-11-22T08:00:00Z", "subject": f"need/{need_id}",
                "datacontenttype": "application/json",
                "data": {"id": need_id, "community_id": 1, "title": "陪同老人去医院复诊",
                         "description": "独居老人周六上午复诊", "category": "养老",
                         "skills": ["陪诊", "助老"], "target_groups": ["elderly"],
                         "lat": 39.02, "lon": 117.70, "starts_at": "2026-11-28T09:00:00+08:00",
                         "ends_at": "2026-11-28T12:00:00+08:00", "volunteers_needed": 2,
                         "hours_estimate": 3, "budget_fen": 0, "urgency": "normal", "status": "open"}}
    subprocess.run([binary, "-b", broker.bootstrap, "-P", "-t", NEEDS, "-k", str(need_id)],
                   input=json.dumps(envelope, ensure_ascii=False).encode(), check=True, timeout=20)

    def matched_by_kcat():
        out = subprocess.run([binary, "-b", broker.bootstrap, "-C", "-t", MATCHES, "-o", "beginning",
                              "-e", "-q", "-f", "%k\t%s\n"], capture_output=True, timeout=20)
        for line in out.stdout.decode().splitlines():
            key, _, value = line.partition("\t")
            if key == str(need_id):
                return json.loads(value)
        return None

    matched = wait_until(matched_by_kcat, 20, interval=0.5, message="kcat reads the ranking")
    assert matched["type"] == "linkage.need.matched.v1"
    assert matched["specversion"] == "1.0" and matched["subject"] == f"need/{need_id}"
    assert matched["data"]["need_id"] == need_id and matched["data"]["need_event_id"] == event_id
    assert all(matched["data"]["matches"][kind] for kind in KINDS)
