"""Volunteers' qualifications (资质: 急救证, 驾驶证, 社工证 …) with their expiry dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class Qualification(Base):
    """One certificate a volunteer holds; it counts from `issued_on` through `expires_on` (inclusive,
    none = no expiry). The certificate number is personal data: stored encrypted, shown masked."""

    __tablename__ = "qualifications"
    ENCRYPTED = {"number": ("number_cipher", None)}

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # taxonomy.QUALIFICATION_KINDS
    level: Mapped[str] = mapped_column(String(12), default="")  # social_work only: assistant | intermediate | senior
    number_cipher: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)
