"""Venture philanthropy (公益创投): rounds, applications, reviews, grants and the fund ledger (资金台账).

The money rules live here as pure functions (splitting fen, replaying the ledger), so they are
tested without a database; the service layer only decides who may do what and when.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.errors import Conflict, Message
from linkage.ledger import GENESIS, Chained  # noqa: F401 (GENESIS: re-exported)
from linkage.models.base import Base, utcnow
from linkage.models.state_machine import StateMachine


class RoundStatus(str, enum.Enum):
    OPEN = "open"            # taking applications (申报)
    REVIEWING = "reviewing"  # experts score them (评审)
    AWARDED = "awarded"      # grants made (立项); money flows by milestone
    CLOSED = "closed"        # every grant closed, leftovers returned (结项)


# The round's timeline: each legal move and who may make it. `awarded` is reached only by
# committing the awards (POST /funding-rounds/{id}/awards), never by a bare transition.
ROUND_LIFECYCLE = StateMachine("round", {
    ("open", "reviewing"): frozenset({"admin"}),
    ("reviewing", "awarded"): frozenset({"award"}),
    ("awarded", "closed"): frozenset({"admin"}),
})


class FundingRound(Base):
    __tablename__ = "funding_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int]
    cap_fen: Mapped[int]                                     # 单项资助上限
    priority_categories: Mapped[list] = mapped_column(default=list)
    cofunding_pct: Mapped[int] = mapped_column(default=0)    # 配套资金比例, % of the project budget
    pass_score: Mapped[int] = mapped_column(default=60)      # 及格分: below it, no award
    min_partial_pct: Mapped[int] = mapped_column(default=50)
    rubric_weights: Mapped[dict] = mapped_column(default=dict)  # snapshot: later config changes don't rescore
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.OPEN.value, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewing_at: Mapped[datetime | None]
    awarded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ApplicationStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class FundingApplication(Base):
    """申报书: an organization asks a round to fund its work on a need or project."""

    __tablename__ = "funding_applications"
    __table_args__ = (UniqueConstraint("round_id", "organization_id", "need_id",
                                       name="uq_funding_applications_round_org_need"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    requested_fen: Mapped[int]
    budget_lines: Mapped[list] = mapped_column(default=list)   # [{name, amount_fen, description}]
    milestones: Mapped[list] = mapped_column(default=list)     # [{title, share_pct, description}]
    cofunding_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    cofunding_fen: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.SUBMITTED.value)
    score: Mapped[float | None]
    awarded_fen: Mapped[int | None]
    award_rank: Mapped[int | None]
    award_reasons: Mapped[list] = mapped_column(default=list)
    override_reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class _ReviewerOnApplication:
    """One expert reviewer on one application (each pair at most once: the tables' unique keys)."""

    # sort_order: these columns come first in each table, as they did before they were shared.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id"), index=True, sort_order=-2)
    reviewer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, sort_order=-1)


class ReviewAssignment(_ReviewerOnApplication, Base):
    __tablename__ = "funding_review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_user_id",
                                       name="uq_funding_review_assignments_app_reviewer"),)

    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class FundingReview(_ReviewerOnApplication, Base):
    """One expert's rubric scores (0–100 per criterion) and comments on one application."""

    __tablename__ = "funding_reviews"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_user_id",
                                       name="uq_funding_reviews_app_reviewer"),)

    scores: Mapped[dict] = mapped_column(default=dict)
    total: Mapped[float]
    comments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GrantStatus(str, enum.Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class Grant(Base):
    """资助协议: the awarded money, split over the application's budget lines and milestones."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    awarded_fen: Mapped[int]
    lines: Mapped[list] = mapped_column(default=list)  # [{name, amount_fen}]: the award per budget line
    cofunding_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    cofunding_fen: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(8), default=GrantStatus.ACTIVE.value)
    closing_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class Milestone(Base):
    """A grant's milestone and the tranche (拨付批次) its acceptance unlocks."""

    __tablename__ = "grant_milestones"
    __table_args__ = (UniqueConstraint("grant_id", "n", name="uq_grant_milestones_grant_n"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    n: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    share_pct: Mapped[int]
    tranche_lines: Mapped[dict] = mapped_column(default=dict)  # budget line -> fen of this tranche
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acceptance_note: Mapped[str] = mapped_column(String(300), default="")
    due_on: Mapped[date | None]  # the agreed date; the notifier reminds the organization 7 days before

    @property
    def tranche_fen(self) -> int:
        return sum(self.tranche_lines.values())


class EntryKind(str, enum.Enum):
    BUDGET = "budget"              # district → round: the round's budget, when it opens
    AWARD = "award"                # round → grant committed, per line
    COFUNDING = "cofunding"        # charity resource → grant co-funding (配套资金)
    DISBURSEMENT = "disbursement"  # grant committed → grant cash, one tranche, per line
    EXPENDITURE = "expenditure"    # grant cash → grant spent, one line
    RELEASE = "release"            # grant committed → round: undisbursed money at closing
    REFUND = "refund"              # grant cash → round: unspent money returned at closing (结余退回)
    RETURN = "return"              # round → district: what the round did not spend, at closing
    REVERSAL = "reversal"          # the exact opposite of an earlier entry, with a reason


REVERSIBLE = (EntryKind.COFUNDING.value, EntryKind.DISBURSEMENT.value, EntryKind.EXPENDITURE.value)


def district() -> str:
    return "district"


def round_pool() -> str:
    return "round"


def grant_account(grant_id: int, part: str) -> str:
    """part: committed | cash | spent (kept per budget line) or cofunding."""
    return f"grant:{grant_id}:{part}"


def resource_account(resource_id: int) -> str:
    return f"resource:{resource_id}"


def _per_line(account: str) -> bool:
    return account.rsplit(":", 1)[-1] in ("committed", "cash", "spent")


def is_external(account: str) -> bool:
    # Money's outside sources: they go negative by what they gave.
    return account == "district" or account.startswith("resource:")


class FundEntry(Chained, Base):
    """One movement of money, appended to its round's hash chain; never updated or deleted."""

    __tablename__ = "fund_entries"
    __table_args__ = (UniqueConstraint("round_id", "seq", name="uq_fund_entries_round_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"), index=True)
    tranche: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(40))
    destination: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int]
    lines: Mapped[dict] = mapped_column(default=dict)  # budget line -> fen; {"": amount} if not per line
    budget_line: Mapped[str] = mapped_column(String(50), default="")
    receipt_ref: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    target_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entries.id"))  # what a reversal undoes
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # seq, prev_hash and hash come from Chained: one chain per round.
    CHAIN_KEY = "round_id"
    HASHED = ("round_id", "seq", "kind", "grant_id", "tranche", "source", "destination", "amount_fen",
              "lines", "budget_line", "receipt_ref", "note", "target_id", "resource_id",
              "actor_user_id", "actor_role", "created_at", "prev_hash")


# --- pure money rules -----------------------------------------------------------------------

def split_by_weights(total: int, weights: list[int]) -> list[int]:
    """Split `total` fen in proportion to `weights` (largest remainder): exact sum, no floats."""
    if total < 0 or not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("a non-negative total and non-negative weights with a positive sum")
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def tranche_plan(line_amounts: dict[str, int], shares_pct: list[int]) -> list[dict[str, int]]:
    """Each tranche's fen per line, by cumulative rounding: a line's tranches add up to it exactly."""
    plan: list[dict[str, int]] = [{} for _ in shares_pct]
    for line, amount in line_amounts.items():
        cumulative, paid = 0, 0
        for n, share in enumerate(shares_pct):
            cumulative += share
            upto = amount * cumulative // 100
            plan[n][line] = upto - paid
            paid = upto
    return plan


def movement(entry) -> list[tuple[str, str, int]]:
    """(from key, to key, fen) for each line an entry moves; per-line accounts are keyed by line."""
    moves = []
    for line, fen in entry.lines.items():
        src = f"{entry.source}/{line}" if _per_line(entry.source) else entry.source
        dst = f"{entry.destination}/{line}" if _per_line(entry.destination) else entry.destination
        moves.append((src, dst, fen))
    return moves


def apply_entry(balances: dict[str, int], entry) -> dict[str, int]:
    """Balances after `entry`; Conflict if it would overdraw any account the platform holds."""
    after = dict(balances)
    for src, dst, fen in movement(entry):
        after[src] = after.get(src, 0) - fen
        after[dst] = after.get(dst, 0) + fen
    short = sorted(k for k, v in after.items() if v < 0 and not is_external(k))
    if short:
        raise Conflict("ledger.overdrawn", {"amount_fen": [Message("ledger.negative", account=k) for k in short]})
    return after


def replay(entries) -> dict[str, int]:
    """Every account's balance after the entries, in order (a round's chain)."""
    balances: dict[str, int] = {}
    for entry in entries:
        balances = apply_entry(balances, entry)
    return balances


def reversed_ids(entries) -> set[int]:
    return {e.target_id for e in entries if e.kind == EntryKind.REVERSAL.value and e.target_id}
