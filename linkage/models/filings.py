"""Filings (备案) of community social organizations (社区社会组织) by groups of residents, before they exist."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class FilingStatus(str, enum.Enum):
    PENDING_COMMUNITY = "pending_community"  # filed: the community's staff review it
    PENDING_STREET = "pending_street"  # accepted by the community: the street (an admin) confirms it
    RETURNED = "returned"  # returned with a reason (by the community or the street); the group may file again
    CONFIRMED = "confirmed"  # confirmed: an Organization with registration "filed" exists

    def __str__(self) -> str:
        return self.value


OPEN_OR_CONFIRMED = (
    FilingStatus.PENDING_COMMUNITY.value,
    FilingStatus.PENDING_STREET.value,
    FilingStatus.CONFIRMED.value,
)  # a group filed once while one of these stands


class Filing(Base):
    """A group of residents (a dance team, an elderly mutual-aid group) filing with its community.
    The responsible person's phone and ID number are personal data: stored encrypted, shown masked;
    the members' phones are kept masked only (nothing needs them whole)."""

    __tablename__ = "filings"
    # One standing filing per group, held by the database too: two identical filings arriving at the
    # same moment both pass the service's look-up, and the second insert then fails on this index.
    __table_args__ = (
        Index(
            "uq_filings_standing_group",
            "community_id",
            "name_key",
            unique=True,
            sqlite_where=text("status != 'returned'"),
            postgresql_where=text("status != 'returned'"),
        ),
    )
    ENCRYPTED = {
        "responsible_phone": ("responsible_phone_cipher", None),
        "responsible_id_number": ("responsible_id_number_cipher", None),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), index=True)  # normalised name: one filing per group
    field: Mapped[str] = mapped_column(String(20))  # taxonomy.CATEGORIES
    members: Mapped[list] = mapped_column(default=list)  # [{"name": ..., "phone": "138****5678"}]
    responsible_name: Mapped[str] = mapped_column(String(50))
    responsible_phone_cipher: Mapped[str] = mapped_column(Text, default="")
    responsible_id_number_cipher: Mapped[str] = mapped_column(Text, default="")
    activity_place: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None]  # the activity place, when the group gave it; else the community's
    lon: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default=FilingStatus.PENDING_COMMUNITY.value, index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    receipt_nonce: Mapped[str] = mapped_column(String(32))  # in the signed receipt token
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
