"""Residents' voice (议事协商): a community's consultation, its one-time codes, proposed items and votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class Consultation(Base):
    """A question a community puts to its residents (e.g. 楼道加装扶手 or 老年餐桌), open from `opens_at`
    until `closes_at` or until its staff close it."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    max_proposals: Mapped[int] = mapped_column(default=20)  # items residents may propose, all codes together
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed (by its staff)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class ConsultationCode(Base):
    """A one-time code (议事码) for one household: it proposes once and votes once; only its hash is kept.
    The vote it cast is not linked to it (the code only records that it voted)."""

    __tablename__ = "consultation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    proposed_at: Mapped[datetime | None]
    voted_at: Mapped[datetime | None]


class ConsultationItem(Base):
    """A proposal residents vote on; once turned into a need (需求) it keeps the need's id."""

    __tablename__ = "consultation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), unique=True)
    converted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    converted_at: Mapped[datetime | None]


class ConsultationVote(Base):
    """One vote for one item, known publicly by its anonymous receipt (回执) only."""

    __tablename__ = "consultation_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("consultation_items.id"), index=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)  # random; no time kept, to pair it with no code
