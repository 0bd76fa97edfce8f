"""External notification channels (SMS, e-mail): the interface, and the logging channel used in dev.

A real gateway client takes a client reference and refuses a second send under it; the logging
channel does the same with the delivery id, so a notifier that crashes between sending and
marking the delivery sent does not send it twice when it comes back.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Protocol


class Channel(Protocol):
    """Sends one message; returns False when `delivery_id` was already sent (nothing sent again)."""

    name: str

    def send(self, delivery_id: int, user_id: int, kind: str, text: str) -> bool: ...


class SmsChannel(Channel, Protocol):
    """短信: a gateway taking the delivery id as its client reference (idempotency key)."""


class EmailChannel(Channel, Protocol):
    """电子邮件: a mail relay taking the delivery id as its Message-ID."""


class LoggingChannel:
    """Appends one JSON line per delivery to `path` (fsynced), and skips an id already written."""

    def __init__(self, name: str, path: str | Path, delay: float = 0.0) -> None:
        self.name, self.path, self.delay = name, Path(path), delay
        self._lock = threading.Lock()
        self._sent: set[int] = set()
        self._read_position = 0

    def _catch_up(self) -> None:
        """Read the lines written since the last look (by this process or another one)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as log:
            log.seek(self._read_position)
            for line in log:
                if not line.endswith(b"\n"):
                    break  # a line half-written when a process died: not a send
                self._read_position += len(line)
                try:
                    self._sent.add(int(json.loads(line)["delivery_id"]))
                except (ValueError, KeyError, TypeError):
                    continue

    def send(self, delivery_id: int, user_id: int, kind: str, text: str) -> bool:
        with self._lock:
            self._catch_up()
            if delivery_id in self._sent:
                return False
            if self.delay:
                time.sleep(self.delay)  # a slow gateway, for tests that kill the worker mid-send
            line = json.dumps(
                {
                    "delivery_id": delivery_id,
                    "channel": self.name,
                    "user_id": user_id,
                    "kind": kind,
                    "text": text,
                    "at": time.time(),
                },
                ensure_ascii=False,
            )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A line torn by a crash is ended first, so it stays one unreadable line (skipped) and
            # does not swallow this one.
            torn = self.path.exists() and self.path.stat().st_size > self._read_position
            with self.path.open("a", encoding="utf-8") as log:
                log.write(("\n" if torn else "") + line + "\n")
                log.flush()
                os.fsync(log.fileno())
            self._sent.add(delivery_id)
            return True


def channels_from_env() -> dict[str, Channel]:
    """LINKAGE_NOTIFY_CHANNELS (default "sms") names the external channels; in dev each is a
    logging channel writing to LINKAGE_NOTIFY_LOG (default instance/notifications.jsonl)."""
    from linkage.config import PROJECT_ROOT

    names = [n.strip() for n in os.environ.get("LINKAGE_NOTIFY_CHANNELS", "sms").split(",") if n.strip()]
    path = os.environ.get("LINKAGE_NOTIFY_LOG") or str(PROJECT_ROOT / "instance" / "notifications.jsonl")
    delay = float(os.environ.get("LINKAGE_NOTIFY_SEND_DELAY", "0") or 0)
    return {name: LoggingChannel(name, path, delay) for name in names}
