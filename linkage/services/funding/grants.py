"""Venture philanthropy, part 3: a grant's money — milestones, tranches, expenditure, corrections, closing."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, Forbidden, InvalidInput, Message, NotFound
from linkage.formats import yuan
from linkage.models import CharityResource, utcnow
from linkage.models.funding import (
    REVERSIBLE,
    EntryKind,
    FundEntry,
    Grant,
    GrantStatus,
    Milestone,
    grant_account,
    replay,
    reversed_ids,
    round_pool,
)
from linkage.permissions import Actor, require_admin
from linkage.policy import funding as funding_policy
from linkage.services.funding.rounds import append_entry, chain, emit, lock_round
from linkage.services.providers import announce_provider
from linkage.uow import UnitOfWork, get_or_404

T = TypeVar("T")


def get_grant(session: Session, grant_id: int) -> Grant:
    return get_or_404(session, Grant, grant_id, what="grant")


def view_grant(session: Session, actor: Actor, grant_id: int) -> Grant:
    grant = get_grant(session, grant_id)
    if not funding_policy.may_view_grant(actor, grant):
        raise Forbidden("grant.view_forbidden")
    return grant


def milestones_of(session: Session, grant_id: int) -> list[Milestone]:
    return list(session.scalars(select(Milestone).where(Milestone.grant_id == grant_id).order_by(Milestone.n)))


def grant_entries(session: Session, grant: Grant) -> list[FundEntry]:
    return [e for e in chain(session, grant.round_id) if e.grant_id == grant.id]


def disbursed_tranches(entries: list[FundEntry]) -> set[int | None]:
    """Tranches paid and not reversed (FundEntry.tranche is nullable; a disbursement's is set)."""
    undone = reversed_ids(entries)
    return {e.tranche for e in entries if e.kind == EntryKind.DISBURSEMENT.value and e.id not in undone}


def _locked_grant(uow: UnitOfWork, grant_id: int) -> Grant:
    grant = get_grant(uow.session, grant_id)
    lock_round(uow, grant.round_id)
    uow.session.refresh(grant)  # re-read under the round's lock
    if grant.status != GrantStatus.ACTIVE.value:
        raise Conflict("grant.not_active", status=grant.status)
    return grant


def _one(matches: Iterator[T], missing: NotFound) -> T:
    """The first of a grant's rows that matches, or `missing` raised."""
    found = next(matches, None)
    if found is None:
        raise missing
    return found


def accept_milestone(uow: UnitOfWork, actor: Actor, grant_id: int, n: int, note: str = "") -> Milestone:
    """节点验收: the district or the community of the applicant's need accepts milestones in order."""
    grant = get_grant(uow.session, grant_id)
    if not funding_policy.may_accept_milestone(actor, grant):
        raise Forbidden("milestone.accept_forbidden")
    grant = _locked_grant(uow, grant_id)
    milestones = milestones_of(uow.session, grant_id)
    milestone = _one((m for m in milestones if m.n == n), NotFound("milestone.not_found", grant=grant_id, n=n))
    if milestone.accepted_at is not None:
        raise Conflict("milestone.already_accepted", n=n)
    if any(m.accepted_at is None for m in milestones if m.n < n):
        raise Conflict("milestone.in_order", {"n": [Message("milestone.accept_previous", n=n - 1)]})
    milestone.accepted_at, milestone.accepted_by = utcnow(), actor.user_id
    milestone.acceptance_note = note.strip()[:300]
    uow.session.flush()
    emit(uow, grant.round_id, "milestone.accepted", f"grant/{grant.id}",
         {"grant_id": grant.id, "n": n, "title": milestone.title, "tranche_fen": milestone.tranche_fen})
    uow.commit()
    return milestone


def disburse_tranche(uow: UnitOfWork, actor: Actor, grant_id: int) -> FundEntry:
    """拨付: pay the next tranche, only once its milestone is accepted."""
    require_admin(actor)
    grant = _locked_grant(uow, grant_id)
    paid = disbursed_tranches(grant_entries(uow.session, grant))
    pending = [m for m in milestones_of(uow.session, grant_id) if m.n not in paid]
    if not pending:
        raise Conflict("tranche.all_disbursed")
    milestone = pending[0]
    if milestone.accepted_at is None:
        raise Conflict("tranche.waits_for_milestone", {"milestone": [Message("milestone.not_accepted", n=milestone.n)]},
                       n=milestone.n, title=milestone.title)
    entry = append_entry(uow, actor, grant.round_id, EntryKind.DISBURSEMENT.value,
                         grant_account(grant.id, "committed"), grant_account(grant.id, "cash"),
                         dict(milestone.tranche_lines), grant_id=grant.id, tranche=milestone.n,
                         note=f"第{milestone.n}期拨付 / tranche {milestone.n}")
    uow.commit()
    return entry


def report_expenditure(uow: UnitOfWork, actor: Actor, grant_id: int, data: dict[str, Any]) -> FundEntry:
    """支出报告: the grantee reports spending on a budget line, with its receipt; never beyond what it was paid."""
    grant = get_grant(uow.session, grant_id)
    if not funding_policy.staffs(actor, grant.organization_id):
        raise Forbidden("expenditure.forbidden")
    grant = _locked_grant(uow, grant_id)
    line, amount = data["budget_line"], data["amount_fen"]
    if line not in {item["name"] for item in grant.lines}:
        raise InvalidInput("expenditure.unknown_line", {"budget_line": [Message("expenditure.not_a_line", grant=grant.id)]})
    cash = replay(chain(uow.session, grant.round_id)).get(f"{grant_account(grant.id, 'cash')}/{line}", 0)
    if amount > cash:
        raise Conflict("expenditure.exceeds_disbursed",
                       {"amount_fen": [Message("expenditure.only_left", line=line, cash=yuan(cash))]})
    entry = append_entry(uow, actor, grant.round_id, EntryKind.EXPENDITURE.value, grant_account(grant.id, "cash"),
                         grant_account(grant.id, "spent"), {line: amount}, grant_id=grant.id, budget_line=line,
                         receipt_ref=data["receipt_ref"].strip(), note=data.get("note", "").strip()[:300])
    uow.commit()
    return entry


def correct_entry(uow: UnitOfWork, actor: Actor, grant_id: int, entry_id: int, reason: str) -> FundEntry:
    """更正: a reversing entry that undoes an earlier one exactly; the original stays on the chain."""
    require_admin(actor)
    if not reason.strip():
        raise InvalidInput("reversal.reason_required", {"reason": ["field.required"]})
    grant = _locked_grant(uow, grant_id)
    entries = grant_entries(uow.session, grant)
    target = _one((e for e in entries if e.id == entry_id),
                  NotFound("ledger.entry_not_found", grant=grant_id, entry=entry_id))
    if target.kind not in REVERSIBLE:
        raise Conflict("reversal.kind", {"entry_id": [Message("reversal.only", kinds=", ".join(REVERSIBLE))]}, kind=target.kind)
    if target.id in reversed_ids(entries):
        raise Conflict("reversal.already", {"entry_id": ["field.already_reversed"]})
    entry = append_entry(uow, actor, grant.round_id, EntryKind.REVERSAL.value, target.destination, target.source,
                         dict(target.lines), grant_id=grant.id, tranche=target.tranche, target_id=target.id,
                         budget_line=target.budget_line, resource_id=target.resource_id,
                         note=reason.strip()[:300])
    if target.kind == EntryKind.COFUNDING.value:
        resource = uow.session.get_one(CharityResource, target.resource_id)  # a co-funding entry names it
        resource.remaining_fen = (resource.remaining_fen or 0) + target.amount_fen
        announce_provider(uow, "resource", resource)
    uow.commit()
    return entry


def close_grant(uow: UnitOfWork, actor: Actor, grant_id: int, summary: str) -> Grant:
    """结项报告: the grantee closes the grant; undisbursed money goes back to the round, unspent cash too."""
    grant = get_grant(uow.session, grant_id)
    if not funding_policy.may_close_grant(actor, grant):
        raise Forbidden("grant.close_forbidden")
    grant = _locked_grant(uow, grant_id)
    balances = replay(chain(uow.session, grant.round_id))
    for part, kind, label in (("committed", EntryKind.RELEASE.value, "未拨付资金收回 / undisbursed money released"),
                              ("cash", EntryKind.REFUND.value, "结余资金退回 / unspent money refunded")):
        account = grant_account(grant.id, part)
        left = {item["name"]: balances.get(f"{account}/{item['name']}", 0) for item in grant.lines}
        left = {k: v for k, v in left.items() if v}
        if left:
            append_entry(uow, actor, grant.round_id, kind, account, round_pool(), left, grant_id=grant.id, note=label)
    grant.status, grant.closed_at, grant.closing_summary = GrantStatus.CLOSED.value, utcnow(), summary.strip()
    uow.session.flush()
    emit(uow, grant.round_id, "grant.closed", f"grant/{grant.id}",
         {"grant_id": grant.id, "summary": grant.closing_summary})
    uow.commit()
    return grant
