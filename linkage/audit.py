"""Recording the audit trail inside the same transaction as the change it describes, hash-chained."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from linkage import ledger
from linkage.models.audit import AuditEntry, LedgerHead
from linkage.models.base import utcnow

# Bookkeeping tables whose rows are consequences of an audited change, not changes of their own.
NOT_AUDITED = {"outbox", "processed_events", "audit_log", "ledger_heads"}
CHAIN = "audit"  # the audit trail's row in ledger_heads
HEADS = LedgerHead.__table__


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
    seen, entries, at = set(), [], utcnow()
    for table, identity, change, fields in notes:
        key = (table, identity, change)
        if key in seen:
            continue
        seen.add(key)
        entries.append(AuditEntry(at=at, user_id=context.user_id, username=context.username, role=context.role,
                                  action=context.action[:200], object_type=table, object_id=identity,
                                  change=change, fields=fields, remote_addr=context.remote_addr,
                                  request_id=context.request_id, reason=reasons.get(key, "")))
    session.info.pop("audit_notes", None)
    if entries:
        _append(session, entries)


def _append(session: Session, entries: list[AuditEntry]) -> None:
    """Chain `entries` after the head. The head's row lock (held to commit) makes concurrent
    writers on PostgreSQL take turns; SQLite's writers already do (BEGIN IMMEDIATE). Core
    statements for the head, not ORM objects: these run in every audited unit of work."""
    head = _lock_head(session)
    for entry in entries:
        head = ledger.append(session, entry, after=head)
    session.execute(HEADS.update().where(HEADS.c.name == CHAIN).values(seq=head.seq, hash=head.hash))


def _lock_head(session: Session) -> ledger.Head:
    locked = select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.name == CHAIN).with_for_update()
    head = session.execute(locked).first()
    if head is None:  # a new database: start the head at the trail's last entry (or the genesis)
        last = ledger.Chain(AuditEntry).head(session)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(HEADS).values(name=CHAIN, seq=last.seq, hash=last.hash)
                        .on_conflict_do_nothing(index_elements=["name"]))
        head = session.execute(locked).one()
    return ledger.Head(head.seq, head.hash)


def verify_trail(session: Session) -> dict:
    """Recompute the audit chain up to its head; name the first entry changed, removed or relinked.

    The head is read first, so entries committed while the check runs are left for the next one.
    """
    head = session.get(LedgerHead, CHAIN)
    head_seq = head.seq if head else 0
    verdict = ledger.verify(session, ledger.Chain(AuditEntry), upto=head_seq)
    result = {"valid": verdict.valid, "entries": verdict.entries, "head_seq": head_seq,
              "head_hash": head.hash if head else ledger.GENESIS, "problem": verdict.problem or None,
              "first_bad_entry_id": verdict.first_bad_id, "first_bad_seq": verdict.first_bad_seq}
    if verdict.valid and (verdict.last_seq, verdict.last_hash) != (head_seq, result["head_hash"]):
        # The chain ends before its head: its last entries were removed.
        result.update(valid=False, problem="head", first_bad_seq=verdict.last_seq + 1)
    elif verdict.valid and head is None and session.scalar(select(AuditEntry.id).limit(1)) is not None:
        result.update(valid=False, problem="head", first_bad_seq=1)  # entries, but the head is gone
    return result
