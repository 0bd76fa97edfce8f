"""The audit trail: who changed what, which object, when and from where. Append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class AuditEntry(Base):
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
