"""Consent to the privacy notice (个人信息处理告知, PIPL arts. 14, 31): who, which version, when, how."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class ConsentMethod(str, enum.Enum):
    SELF = "self"  # the person (or guardian) agreed on screen, through the web or the API
    PAPER = "paper"  # a signed paper form, confirmed by the staff member recorded in recorded_by


class Consent(Base):
    __tablename__ = "consents"
    # Encrypted fields (linkage.security.FieldCipher.read/write; `linkage keys rotate`): no digest,
    # nobody looks a guardian up by phone.
    ENCRYPTED = {"guardian_phone": ("guardian_phone_cipher", None)}

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the demo seeder
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A minor under 14 (PIPL art. 31): the guardian who consented. The phone is encrypted.
    guardian_name: Mapped[str] = mapped_column(String(50), default="")
    guardian_relation: Mapped[str] = mapped_column(String(12), default="")
    guardian_phone_cipher: Mapped[str] = mapped_column(Text, default="")
