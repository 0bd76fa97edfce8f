"""The CloudEvents 1.0 envelope events travel in (DESIGN §3); what each type is lives in linkage.catalogue."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from linkage import codec
from linkage.catalogue import Topics, Types  # noqa: F401 (re-exported: services name them from here)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def make_envelope(*, type: str, source: str, subject: str, data: dict[str, Any],
                  event_id: str | None = None, time: datetime | None = None) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": str(type),  # a catalogue entry travels as its plain string
        "time": rfc3339(time or datetime.now(timezone.utc)),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }


def encode(envelope: dict[str, Any]) -> str:
    return codec.dumps_text(envelope)
