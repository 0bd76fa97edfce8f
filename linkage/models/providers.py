"""The four societies a need is matched against: organizations, social workers, volunteers, resources."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow
from linkage.pinyin import Searchable, pinyin_indexes, track


class _Provider(Searchable):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float]
    lon: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Raised by one in SQL with each event announcing the provider (services.providers), so
    # the matcher can drop an update that reaches it after a newer one (docs/events.md).
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Organization(_Provider, Base):
    """社会组织: registered (登记) or filed (备案) with the civil-affairs bureau."""

    __tablename__ = "organizations"
    __table_args__ = pinyin_indexes("organizations")

    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码; None while only filed (备案)
    registration: Mapped[str] = mapped_column(String(12))  # registered | filed
    categories: Mapped[list] = mapped_column(default=list)
    skills: Mapped[list] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str] = mapped_column(String(100), default="", index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))  # 社区社会组织
    service_radius_km: Mapped[float] = mapped_column(default=5.0)
    capacity: Mapped[int] = mapped_column(default=3)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")


class SocialWorker(_Provider, Base):
    """社会工作者: holds 助理社会工作师 / 社会工作师 / 高级社会工作师."""

    __tablename__ = "social_workers"
    __table_args__ = pinyin_indexes("social_workers")
    SEARCH_PERSON = True

    certificate_level: Mapped[str] = mapped_column(String(12))  # assistant | intermediate | senior
    certificate_expires_on: Mapped[date | None]  # inclusive; none = not recorded (no expiry known)
    specialties: Mapped[list] = mapped_column(default=list)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    service_radius_km: Mapped[float] = mapped_column(default=10.0)


class Volunteer(_Provider, Base):
    """社区志愿者. The ID number and phone are stored encrypted, each with a keyed hash: the ID
    number's for uniqueness, the phone's for look-up (docs/security.md, data at rest)."""

    __tablename__ = "volunteers"
    __table_args__ = pinyin_indexes("volunteers")
    SEARCH_PERSON = True
    # Encrypted fields: name -> (cipher column, digest column). `linkage keys rotate` walks these.
    ENCRYPTED = {"id_number": ("id_number_cipher", "id_number_digest"), "phone": ("phone_cipher", "phone_digest")}

    code: Mapped[str] = mapped_column(String(20), unique=True)  # 志愿者编号
    phone_cipher: Mapped[str] = mapped_column(Text)
    phone_digest: Mapped[str] = mapped_column(String(64), index=True)
    id_number_cipher: Mapped[str] = mapped_column(Text)
    id_number_digest: Mapped[str] = mapped_column(String(64), unique=True)
    skills: Mapped[list] = mapped_column(default=list)
    travel_radius_km: Mapped[float] = mapped_column(default=3.0)
    availability: Mapped[list] = mapped_column(default=list)  # weekly slots: sat_am, ...
    # 请假: date ranges the volunteer is away, [{"from": "2026-12-01", "to": "2026-12-07"}] (inclusive)
    leave: Mapped[list] = mapped_column(default=list)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    # Set when the person's data was erased at their request (PIPL art. 47): the row stays so
    # their hour records still count, with every personal field anonymised.
    erased_at: Mapped[datetime | None]


class CharityResource(_Provider, Base):
    """社会慈善资源: funds, materials, venues or services offered by a donor."""

    __tablename__ = "resources"
    __table_args__ = pinyin_indexes("resources")

    donor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # fund | material | venue | service
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(default=list)
    amount_fen: Mapped[int | None]
    remaining_fen: Mapped[int | None]
    quantity: Mapped[int | None]
    remaining_quantity: Mapped[int | None]
    unit: Mapped[str] = mapped_column(String(10), default="")
    radius_km: Mapped[float] = mapped_column(default=10.0)
    restricted_categories: Mapped[list] = mapped_column(default=list)
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]


for _model in (Organization, SocialWorker, Volunteer, CharityResource):
    track(_model)
