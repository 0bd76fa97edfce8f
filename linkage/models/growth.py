"""Growth records behind the seeds' targets: brand organizations (品牌社会组织) and social workers
placed into social organizations (社工引入社会组织)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class BrandDesignation(Base):
    """The district names an organization a brand organization (品牌社会组织) in a year, with a reason;
    it counts until revoked (revoking keeps the row, with when, by whom and why)."""

    __tablename__ = "brand_designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    designated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    def standing_at(self, moment: datetime) -> bool:
        """Designated before `moment` and not revoked by then."""
        return self.created_at < moment and (self.revoked_at is None or self.revoked_at >= moment)


class Placement(Base):
    """A social worker placed into a social organization (引入社工) on a day: what each street's
    "at least 3 social organizations a year" counts."""

    __tablename__ = "social_worker_placements"
    __table_args__ = (
        UniqueConstraint("social_worker_id", "organization_id", "placed_on", name="uq_placement_worker_org_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    social_worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    placed_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
