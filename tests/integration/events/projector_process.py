"""A projector in its own process (for kill tests):
python projector_process.py BOOTSTRAP DATABASE_URL [BROKER_KIND] [--die-before-commit].

It logs at INFO, so a run that stalls says how far its group join got.
With --die-before-commit it exits with status 137 (as if SIGKILLed: no clean leave, no final
commit) at its first offset commit, which the loop makes right after the poll's database
transaction committed: the rankings are stored and the broker still has every offset uncommitted.
The wrapping is here, in the test script: the production projector has no hooks for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from events.producer import producer_config  # noqa: E402
from events.projector import Projector  # noqa: E402
from events.runtime import configure_logging, stop_on_signals  # noqa: E402
from linkage.platform import build_platform  # noqa: E402
from tests.conftest import settings_for_tests  # noqa: E402
from tests.integration.events.conftest import FAST_GROUP  # noqa: E402

KILLED = 137  # 128 + SIGKILL, what a shell reports for a killed process


class DiesBeforeCommitting(Projector):
    """Says what its first batch stored, then dies where the loop would commit its offsets."""

    batch = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        commit = self.loop._commit

        def die_instead(offsets):
            if not offsets:
                return commit(offsets)
            if not self.batch:
                print("projector first poll was not a batch", flush=True)
            print("projector dying before committing offsets", flush=True)
            os._exit(KILLED)

        self.loop._commit = die_instead

    def handle_batch(self, items):
        super().handle_batch(items)  # returns once the transaction has committed
        self.batch = len(items)
        print(f"projector stored batch of {len(items)}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("database_url")
    parser.add_argument("broker_kind", nargs="?", default="tansu")
    parser.add_argument("--die-before-commit", action="store_true")
    args = parser.parse_args()

    configure_logging("INFO")
    stop = threading.Event()
    stop_on_signals(stop)
    platform = build_platform(settings_for_tests(args.database_url), source="linkage-projector")
    kind = DiesBeforeCommitting if args.die_before_commit else Projector
    projector = kind(
        platform,
        args.bootstrap,
        name="projector-process",
        stop=stop,
        consumer_config=FAST_GROUP,
        producer_config=producer_config(args.broker_kind),
    )
    print("projector process ready", flush=True)
    projector.run()
    platform.dispose()
    print("projector stopped cleanly", flush=True)
