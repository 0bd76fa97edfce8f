"""What every worker does at start: find the broker, wait for it, create the topics; stop on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

from events.health import broker_ready

if TYPE_CHECKING:
    from linkage.config import Settings

log = logging.getLogger(__name__)


def bootstrap_for(settings: Settings) -> str:
    """The configured Kafka cluster, or the embedded broker `linkage broker` runs (LINKAGE_BROKER_PORT)."""
    return settings.bootstrap_servers


def wait_for_broker(bootstrap: str, stop: threading.Event | None = None, timeout: float | None = None) -> bool:
    """Block until the broker answers (or `stop` is set / `timeout` passes); never raises."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = 0.2
    while not (stop is not None and stop.is_set()):
        if broker_ready(bootstrap, timeout=2.0):
            return True
        if deadline is not None and time.monotonic() > deadline:
            return False
        log.info("waiting for the broker at %s", bootstrap)
        (stop.wait(delay) if stop is not None else time.sleep(delay))
        delay = min(delay * 2, 2.0)
    return False


def prepare_topics(bootstrap: str, stop: threading.Event | None = None) -> bool:
    """Wait for the broker and create any missing topic; False only if stopped first."""
    from events.topics import admin_client, ensure_topics

    while wait_for_broker(bootstrap, stop):
        try:
            admin = admin_client(bootstrap)
            try:
                ensure_topics(admin)
            finally:
                admin.close()
            return True
        except Exception as exc:  # noqa: BLE001 - the broker went away again: wait for it
            log.warning("creating topics failed (%s); retrying", exc)
            (stop.wait(1.0) if stop is not None else time.sleep(1.0))
    return False


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT end the worker's loop after the batch in hand (main thread only)."""

    def _handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)


def configure_logging(level: str | None = None) -> None:
    """JSON lines on stderr (LINKAGE_LOG_FORMAT=text for the old human format)."""
    from linkage.observability.logs import configure_logging as configure

    configure(level)


def serve_metrics() -> bool:
    """Prometheus /metrics on LINKAGE_METRICS_PORT (LINKAGE_METRICS_ADDR, default 0.0.0.0); off when unset."""
    from linkage.observability.workers import serve_metrics as serve

    port = os.environ.get("LINKAGE_METRICS_PORT", "").strip()
    if not port:
        return False
    try:
        return serve(int(port), addr=os.environ.get("LINKAGE_METRICS_ADDR", "0.0.0.0"))
    except (ValueError, OSError) as exc:  # a taken or bad port must not keep the worker down
        log.error("metrics endpoint not started on %r: %s", port, exc)
        return False
