"""A matcher in its own process (for kill and SIGTERM tests):
python matcher_process.py BOOTSTRAP [RANK_DELAY [BROKER_KIND]]."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from events.matcher import Matcher  # noqa: E402
from events.producer import producer_config  # noqa: E402
from events.runtime import configure_logging, stop_on_signals  # noqa: E402
from tests.integration.events.conftest import FAST_GROUP, make_index  # noqa: E402


class Slow:
    """Ranks like the real index, `delay` seconds per need, so a kill lands mid-stream."""

    def __init__(self, inner, delay: float):
        self.inner, self.delay = inner, delay

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def rank(self, need, k=20):
        time.sleep(self.delay)
        return self.inner.rank(need, k=k)


if __name__ == "__main__":
    configure_logging("WARNING")
    stop = threading.Event()
    stop_on_signals(stop)
    print("matcher process ready", flush=True)  # the handlers are in place: a SIGTERM now stops it cleanly
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    index = Slow(make_index(), delay) if delay else make_index()
    # Small polls: outputs are published (and offsets committed) per poll, so a kill lands
    # between batches that are done and the one in hand.
    config = {**FAST_GROUP, "max_poll_records": 5} if delay else FAST_GROUP
    kind = sys.argv[3] if len(sys.argv) > 3 else "tansu"
    Matcher(sys.argv[1], index, name="matcher-process", stop=stop, consumer_config=config,
            producer_config=producer_config(kind)).run()
    print("matcher stopped cleanly", flush=True)
