"""Work a request starts and does not wait for (an import's preview): a daemon thread in the web
process. Its state lives in the database, so any worker answers the poll; work cut off by a
restart is found by its stale heartbeat (linkage.services.imports.batches.read_batch)."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from flask import current_app, has_app_context

log = logging.getLogger(__name__)


def run_in_background(name: str, work: Callable[..., Any], *args: Any) -> None:
    """Start `work(*args)` in a daemon thread; inline when the app says so (LINKAGE_INLINE_BACKGROUND:
    the API tests, whose database checks must not race a thread)."""

    def guarded() -> None:
        try:
            work(*args)
        except Exception:  # the batch is already marked failed; the log says why  # noqa: BLE001
            log.exception("background work %s failed", name)

    if has_app_context() and current_app.config.get("LINKAGE_INLINE_BACKGROUND"):
        guarded()
        return
    threading.Thread(target=guarded, name=name, daemon=True).start()
