"""Recording the audit trail inside the same transaction as the change it describes."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from linkage.models.audit import AuditEntry

# Bookkeeping tables whose rows are consequences of an audited change, not changes of their own.
NOT_AUDITED = {"outbox", "processed_events", "audit_log"}


@dataclass(frozen=True)
class AuditContext:
    user_id: int | None
    username: str
    role: str
    action: str
    remote_addr: str = ""
    request_id: str = ""


def _changed_fields(obj) -> list[str]:
    state = inspect(obj)
    return sorted(attr.key for attr in state.attrs if attr.history.has_changes())


def _identity(obj) -> str:
    # Read the key from the instance: new rows are not yet "persistent" inside after_flush.
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context) -> None:
    """Note every row this flush wrote; the unit of work turns the notes into audit entries."""
    if "audit" not in session.info:
        return
    notes = session.info.setdefault("audit_notes", [])
    for change, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", "")
            if table in NOT_AUDITED:
                continue
            if change == "update" and not session.is_modified(obj, include_collections=False):
                continue
            notes.append((table, _identity(obj), change, _changed_fields(obj) if change != "delete" else []))


def note_disclosure(session: Session, context: AuditContext, table: str, identity: str, fields: list[str],
                    reason: str) -> None:
    """A read that is audited like a change: a reveal of a person's data, with its reason.
    Written by write_audit_entries with the others (change "reveal")."""
    session.info.setdefault("audit", context)
    session.info.setdefault("audit_notes", []).append((table, identity, "reveal", sorted(fields)))
    session.info.setdefault("audit_reasons", {})[(table, identity, "reveal")] = reason


def write_audit_entries(session: Session) -> None:
    """Turn the collected notes into audit rows (called just before commit)."""
    context: AuditContext | None = session.info.get("audit")
    if context is None:
        return
    session.flush()
    notes = session.info.pop("audit_notes", [])
    reasons = session.info.pop("audit_reasons", {})
    seen = set()
    for table, identity, change, fields in notes:
        key = (table, identity, change)
        if key in seen:
            continue
        seen.add(key)
        session.add(AuditEntry(user_id=context.user_id, username=context.username, role=context.role,
                               action=context.action[:200], object_type=table, object_id=identity,
                               change=change, fields=fields, remote_addr=context.remote_addr,
                               request_id=context.request_id, reason=reasons.get(key, "")))
    session.info.pop("audit_notes", None)
