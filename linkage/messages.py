"""The domain's event catalogue: topics, types and the CloudEvents 1.0 envelope (DESIGN §3)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any


class Topics:
    NEEDS = "linkage.needs"
    PROVIDERS = "linkage.providers"
    MATCHES = "linkage.matches"
    PROJECTS = "linkage.projects"
    HOURS = "linkage.hours"
    FUNDING = "linkage.funding"
    DLQ = "linkage.dlq"

    ALL = (NEEDS, PROVIDERS, MATCHES, PROJECTS, HOURS, FUNDING, DLQ)


class Types:
    NEED_POSTED = "linkage.need.posted.v1"
    NEED_UPDATED = "linkage.need.updated.v1"
    NEED_CANCELLED = "linkage.need.cancelled.v1"
    PROVIDER_UPSERTED = "linkage.provider.upserted.v1"
    PROVIDER_REMOVED = "linkage.provider.removed.v1"
    NEED_MATCHED = "linkage.need.matched.v1"
    CLAIM_SUBMITTED = "linkage.claim.submitted.v1"
    CLAIM_DECIDED = "linkage.claim.decided.v1"
    PROJECT_CREATED = "linkage.project.created.v1"
    PROJECT_TRANSITIONED = "linkage.project.transitioned.v1"
    PROJECT_LEAD_ASSIGNED = "linkage.project.lead_assigned.v1"
    ACTIVITY_SCHEDULED = "linkage.activity.scheduled.v1"
    SIGNUP_CHANGED = "linkage.signup.changed.v1"
    PROJECT_EVALUATED = "linkage.project.evaluated.v1"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def make_envelope(*, type: str, source: str, subject: str, data: dict[str, Any],
                  event_id: str | None = None, time: datetime | None = None) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": rfc3339(time or datetime.now(timezone.utc)),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }


def encode(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
