"""Reading the audit trail (审计日志): its pages and its chain, for auditors and district staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.audit import verify_trail
from linkage.models import AuditEntry
from linkage.permissions import Actor, require_audit_reader

FILTERS = ("user_id", "object_type", "object_id", "request_id")


def list_audit(
    session: Session,
    actor: Actor,
    *,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[AuditEntry], int]:
    """One page of the trail, newest first, and how many entries match; filters are the query's."""
    require_audit_reader(actor)
    given = {"user_id": user_id, "object_type": object_type, "object_id": object_id, "request_id": request_id}
    conditions = [getattr(AuditEntry, name) == value for name, value in given.items() if value is not None]
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    total = session.execute(select(func.count(AuditEntry.id)).where(*conditions)).scalar_one()
    rows = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(rows), total


def verify_audit_chain(session: Session, actor: Actor) -> dict[str, Any]:
    """Recompute the trail's hash chain up to its head and name the first entry that breaks it."""
    require_audit_reader(actor)
    return verify_trail(session)
