"""FetchPace reaches into kafka-python's fetcher: this fails if an upgrade moves what it sets."""
from __future__ import annotations

from events.consumer import FetchPace, make_consumer


def test_the_fetch_wait_is_short_while_records_flow_and_long_while_idle(broker):
    consumer = make_consumer(broker.bootstrap, None, client_id="pace-test")
    try:
        pace = FetchPace(consumer)
        fetcher_config = consumer._fetcher.config
        assert fetcher_config["fetch_max_wait_ms"] == FetchPace.BUSY_MS  # the consumer's default
        pace.after_poll(False)
        assert fetcher_config["fetch_max_wait_ms"] == FetchPace.IDLE_MS
        pace.after_poll(True)
        assert fetcher_config["fetch_max_wait_ms"] == FetchPace.BUSY_MS
    finally:
        consumer.close()
