"""The audit trail: who changed what, which object, when and from where. Append-only, hash-chained."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.ledger import Chained
from linkage.models.base import Base, utcnow


class AuditEntry(Chained, Base):
    """One row of the one chain of the whole trail, in seq order (docs/security.md, audit chain)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(200))        # e.g. "POST /api/v1/needs" or "projector"
    object_type: Mapped[str] = mapped_column(String(50), index=True)
    object_id: Mapped[str] = mapped_column(String(50), index=True)
    change: Mapped[str] = mapped_column(String(10))         # insert | update | delete
    fields: Mapped[list] = mapped_column(default=list)      # names of the changed columns (no values)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Why a person's data was seen whole (a reveal: change "reveal"); empty for ordinary writes.
    reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # prev_hash and hash come from Chained; the whole trail is one chain, so seq is unique.
    seq: Mapped[int] = mapped_column(unique=True, sort_order=1)

    HASHED = ("seq", "at", "user_id", "username", "role", "action", "object_type", "object_id", "change",
              "fields", "remote_addr", "request_id", "prev_hash")
    # Columns added after entries exist are hashed only when set, so older entries still verify.
    HASHED_IF_SET = ("reason",)


class LedgerHead(Base):
    """The last entry of a chain (its seq and hash). Appending locks this row: concurrent writers
    take turns, and a chain cut short at its end no longer matches its head."""

    __tablename__ = "ledger_heads"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. "audit"
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
