"""Every shell example in docs/events.md runs as written, in order, with Debian's kcat against the
Apache Kafka that `scripts/run` starts (no shim), while the relay, matcher and projector run."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from events.broker import make_broker
from tests.integration.events.conftest import wait_until
from tests.integration.events.test_interop import kcat

pytestmark = pytest.mark.broker

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"


def shell_examples() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def broker():
    """What `scripts/run` starts: Apache Kafka (this module runs on it alone)."""
    with make_broker("kafka", quick_start=True) as kafka:
        yield kafka


def run(example: str, bootstrap: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", example], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "B": bootstrap})


def test_every_kcat_example_in_the_events_doc_runs_as_written(world, spine, broker):
    kcat()  # installed when missing
    spine.all()
    wait_until(lambda: world.unsent() == 0, 20, message="providers published")
    examples = shell_examples()
    assert len(examples) >= 10 and all("$B" in e for e in examples)
    outputs = {}
    for example in examples:
        done = run(example, broker.bootstrap)
        assert done.returncode == 0, (example, done.stderr)
        assert "ApiVersionRequest failed" not in done.stderr, done.stderr
        outputs[example] = done
        # A read that depends on what the workers do is run again until they have done it.
        if "linkage.matches" in example and "-C" in example:
            # The budget covers a cold start on a loaded 2-core machine: the matcher's group join
            # on Apache Kafka (initial rebalance delay) and its index load come first.
            out = wait_until(lambda: run(example, broker.bootstrap).stdout.strip(), 90,
                             interval=0.5, message="kcat reads need 17's ranking")
            rankings = [line for line in out.splitlines() if line.strip()]
            assert rankings and all('"type":"linkage.need.matched.v1"' in r for r in rankings)
            assert all('"subject":"need/17"' in r for r in rankings)
        if "linkage.dlq" in example:
            out = wait_until(lambda: "malformed" in (o := run(example, broker.bootstrap).stdout) and o,
                             90, interval=0.5, message="kcat reads the dead letter")
            assert '"reason": "malformed"' in out and '"topic": "linkage.needs"' in out
    listing = next(o.stdout for e, o in outputs.items() if " -L" in e)
    assert 'topic "linkage.needs" with 4 partitions' in listing
