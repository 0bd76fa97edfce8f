"""Safety at sign-up: a volunteer's accident insurance (意外保险) and a guardian's consent for a minor."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class Insurance(Base):
    """The volunteer's accident insurance policy: one per volunteer, edited by them."""

    __tablename__ = "insurances"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), unique=True)
    insurer: Mapped[str] = mapped_column(String(100))
    policy_number: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GuardianConsent(Base):
    """A guardian's consent (监护人同意) to a minor's volunteering: one per volunteer."""

    __tablename__ = "guardian_consents"
    # The guardian's phone is encrypted (linkage.security.FieldCipher.write); nobody looks it up.
    ENCRYPTED = {"phone": ("phone_cipher", None)}

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), unique=True)
    guardian_name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(12))
    phone_cipher: Mapped[str] = mapped_column(Text)
    given_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
