"""Record transfer (转移接续): platforms whose exports are trusted, and the hours imported from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class TrustedPlatform(Base):
    """Another Linkage deployment whose signed exports this one imports, known by its public key."""

    __tablename__ = "trusted_platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # base64 of the 32 raw bytes
    fingerprint: Mapped[str] = mapped_column(String(80), unique=True)  # linkage.signing.fingerprint
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportedHours(Base):
    """One verified record of another platform, imported: kept apart from the local ledger (转入时长)."""

    __tablename__ = "imported_hours"
    __table_args__ = (UniqueConstraint("platform_id", "original_hash", name="uq_imported_hours_platform_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("trusted_platforms.id"), index=True)
    original_record_id: Mapped[int]
    original_hash: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    minutes: Mapped[int]
    organization_name: Mapped[str] = mapped_column(String(100), default="")
    activity_title: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[str] = mapped_column(String(10))  # credit | honour, as the issuing platform said
    import_batch: Mapped[str] = mapped_column(String(32), index=True)  # one upload's rows share it
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
