"""Import batches (批量导入): an uploaded spreadsheet, its preview's progress and findings, its outcome."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class ImportStatus(str, enum.Enum):
    RUNNING = "running"  # the preview is being worked out in the background
    READY = "ready"  # previewed: rows and their problems known, nothing stored yet
    FAILED = "failed"  # the file was refused (or the work stopped); nothing stored
    COMMITTED = "committed"  # the chosen rows are stored


class ImportBatch(Base):
    """One upload. The file stays here until commit (a preview and its commit read the same bytes,
    on any web worker); `problems` holds every refused row, `outcomes` each row's fate after commit."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # volunteer | organization | social_worker | resource
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.RUNNING.value, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # cleared once committed
    total_rows: Mapped[int] = mapped_column(default=0)  # rows read so far (all of them once ready)
    valid_rows: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    duplicate_rows: Mapped[int] = mapped_column(default=0)  # valid, but already registered
    committed_rows: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")  # why the file was refused
    problems: Mapped[list] = mapped_column(default=list)  # [{row, column, message}]
    outcomes: Mapped[list] = mapped_column(default=list)  # [[row, outcome, provider id, message]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(default=utcnow)  # the background work's heartbeat
    finished_at: Mapped[datetime | None]
