"""Communities (社区): where needs are posted and what the indicators are measured over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow
from linkage.pinyin import Searchable, pinyin_indexes, track


class Community(Searchable, Base):
    __tablename__ = "communities"
    __table_args__ = pinyin_indexes("communities")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(100))  # 街道
    district: Mapped[str] = mapped_column(String(100), index=True)  # 区
    lat: Mapped[float]
    lon: Mapped[float]
    households: Mapped[int] = mapped_column(default=0)
    population: Mapped[int] = mapped_column(default=0)
    # 联系电话: a mobile or a landline with area code and extension (linkage.validators.normalise_phone)
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


track(Community)
