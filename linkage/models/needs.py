"""Needs (需求) posted by communities, and the match set the matcher sends back for each."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.models.base import Base, utcnow
from linkage.models.places import Community
from linkage.pinyin import Searchable, pinyin_indexes, track


class NeedStatus(str, enum.Enum):
    OPEN = "open"  # posted, waiting for matches
    MATCHED = "matched"  # ranked providers are in
    CLAIMED = "claimed"  # an organization's claim was approved: it is a project now
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def editable(self) -> bool:
        return self in (NeedStatus.OPEN, NeedStatus.MATCHED)


class Need(Searchable, Base):
    __tablename__ = "needs"
    # Lists are newest first under one filter: with these the database walks the first page
    # in order instead of sorting every open need for each request.
    __table_args__ = (
        Index("ix_needs_status_created", "status", "created_at", "id"),
        Index("ix_needs_category_created", "category", "created_at", "id"),
        Index("ix_needs_community_created", "community_id", "created_at", "id"),
        *pinyin_indexes("needs"),
    )
    SEARCH_FIELD = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    skills: Mapped[list] = mapped_column(default=list)
    target_groups: Mapped[list] = mapped_column(default=list)
    lat: Mapped[float]
    lon: Mapped[float]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    volunteers_needed: Mapped[int] = mapped_column(default=0)
    hours_estimate: Mapped[float] = mapped_column(default=0)
    budget_fen: Mapped[int] = mapped_column(default=0)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    # A qualification (taxonomy.QUALIFICATION_KINDS) every ranked volunteer / social worker must hold; "" = none
    qualification_required: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(12), default=NeedStatus.OPEN.value, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    matched_at: Mapped[datetime | None]

    community: Mapped[Community] = relationship(lazy="joined", innerjoin=True)


track(Need)


class MatchSet(Base):
    """The latest ranking of one need; one row per need, replaced when a newer ranking arrives."""

    __tablename__ = "match_sets"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    need_version: Mapped[str] = mapped_column(String(64), default="")  # the need event it ranks
    ranked_at: Mapped[datetime]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    matches: Mapped[dict] = mapped_column(default=dict)  # kind -> ranked list (DESIGN §8)
