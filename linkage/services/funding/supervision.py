"""Venture philanthropy, part 4: oversight — budget vs disbursed vs spent, the public summary (居民参与监督)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage import ledger
from linkage.errors import Forbidden
from linkage.models import Community, Organization
from linkage.models.funding import (
    EntryKind,
    FundEntry,
    FundingApplication,
    Grant,
    is_external,
    replay,
    reversed_ids,
    round_pool,
)
from linkage.permissions import Actor
from linkage.policy import funding as funding_policy
from linkage.services.funding.grants import disbursed_tranches, grant_entries, milestones_of, view_grant
from linkage.services.funding.rounds import chain, entry_record, get_round


def net_lines(entries: list[FundEntry], kind: str) -> dict[int, dict[str, int]]:
    """Per grant, per line: what entries of `kind` moved, less their reversals."""
    by_id: dict[int | None, FundEntry] = {e.id: e for e in entries}  # looked up by nullable target_id
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        sign = 1 if e.kind == kind else -1 if (e.kind == EntryKind.REVERSAL.value
                                               and by_id.get(e.target_id) is not None
                                               and by_id[e.target_id].kind == kind) else 0
        if sign and e.grant_id is not None:
            for line, fen in e.lines.items():
                totals[e.grant_id][line] += sign * fen
    return totals


def verify_chain(entries: list[FundEntry]) -> dict[str, Any]:
    """Recompute the chain; name the first entry whose hash or link does not match."""
    verdict = ledger.check(entries)
    return {"valid": verdict.valid, "entries": verdict.entries, "first_bad_entry_id": verdict.first_bad_id}


def _grant_figures(session: Session, grant: Grant, entries: list[FundEntry], disbursed: dict[int, dict[str, int]],
                   spent: dict[int, dict[str, int]], refunded: dict[int, dict[str, int]],
                   released: dict[int, dict[str, int]]) -> dict[str, Any]:
    paid = disbursed_tranches([e for e in entries if e.grant_id == grant.id])
    lines = [{"name": item["name"], "budget_fen": item["amount_fen"],
              "disbursed_fen": disbursed[grant.id].get(item["name"], 0),
              "spent_fen": spent[grant.id].get(item["name"], 0)} for item in grant.lines]
    return {"grant_id": grant.id, "application_id": grant.application_id, "organization_id": grant.organization_id,
            "community_id": grant.community_id, "title": grant.title, "category": grant.category,
            "status": grant.status, "awarded_fen": grant.awarded_fen,
            "disbursed_fen": sum(line["disbursed_fen"] for line in lines),
            "spent_fen": sum(line["spent_fen"] for line in lines),
            "refunded_fen": sum(refunded[grant.id].values()), "released_fen": sum(released[grant.id].values()),
            "cofunding_fen": grant.cofunding_fen, "lines": lines,
            "milestones": [{"n": m.n, "title": m.title, "due_on": m.due_on, "share_pct": m.share_pct, "tranche_fen": m.tranche_fen,
                            "accepted": m.accepted_at is not None, "disbursed": m.n in paid}
                           for m in milestones_of(session, grant.id)]}


def _figures(session: Session, round_id: int,
             grants: list[Grant]) -> tuple[dict[str, Any], list[dict[str, Any]], list[FundEntry]]:
    found = get_round(session, round_id)
    entries = chain(session, round_id)
    disbursed, spent = net_lines(entries, EntryKind.DISBURSEMENT.value), net_lines(entries, EntryKind.EXPENDITURE.value)
    refunded, released = net_lines(entries, EntryKind.REFUND.value), net_lines(entries, EntryKind.RELEASE.value)
    per_grant = [_grant_figures(session, g, entries, disbursed, spent, refunded, released) for g in grants]
    per_line: dict[str, dict[str, int]] = {}
    for figures in per_grant:
        for line in figures["lines"]:
            total = per_line.setdefault(line["name"], {"name": line["name"], "budget_fen": 0,
                                                       "disbursed_fen": 0, "spent_fen": 0})
            for key in ("budget_fen", "disbursed_fen", "spent_fen"):
                total[key] += line[key]
    balances = replay(entries)
    totals = {"round_id": found.id, "name": found.name, "status": found.status, "budget_fen": found.budget_fen,
              "awarded_fen": sum(f["awarded_fen"] for f in per_grant),
              "disbursed_fen": sum(f["disbursed_fen"] for f in per_grant),
              "spent_fen": sum(f["spent_fen"] for f in per_grant),
              "cofunding_fen": sum(f["cofunding_fen"] for f in per_grant),
              "unallocated_fen": balances.get(round_pool(), 0),
              "returned_fen": sum(e.amount_fen for e in entries if e.kind == EntryKind.RETURN.value),
              "lines": sorted(per_line.values(), key=lambda item: item["name"])}
    return totals, per_grant, entries


def _grants(session: Session, round_id: int) -> list[Grant]:
    return list(session.scalars(select(Grant).where(Grant.round_id == round_id).order_by(Grant.id)))


def supervision(session: Session, actor: Actor, round_id: int) -> dict[str, Any]:
    """Per round and per grant: budget vs disbursed vs spent per line, and whether the ledger holds.

    The district and auditors see every grant; an organization its own; a community those in it.
    """
    get_round(session, round_id)
    grants = funding_policy.supervised_grants(actor, _grants(session, round_id))
    if grants is None:
        raise Forbidden("supervision.forbidden")
    totals, per_grant, entries = _figures(session, round_id, _grants(session, round_id))
    balances = replay(entries)
    ledger = {**verify_chain(entries), "balanced": sum(balances.values()) == 0
              and all(v >= 0 for k, v in balances.items() if not is_external(k))}
    visible = {g.id for g in grants}
    return {**totals, "ledger": ledger, "grants": [f for f in per_grant if f["grant_id"] in visible]}


def ledger_view(session: Session, actor: Actor, round_id: int) -> dict[str, Any]:
    if not funding_policy.is_funding_overseer(actor):
        raise Forbidden("ledger.forbidden")
    get_round(session, round_id)
    entries = chain(session, round_id)
    undone = reversed_ids(entries)
    return {"round_id": round_id, **verify_chain(entries), "items": [entry_record(e, undone) for e in entries]}


def public_summary(session: Session, round_id: int) -> dict[str, Any]:
    """What residents may see: organizations, projects and money — no people, receipts or reviewers."""
    totals, per_grant, _ = _figures(session, round_id, _grants(session, round_id))
    found = get_round(session, round_id)
    applications = session.scalar(select(func.count()).select_from(FundingApplication)
                                  .where(FundingApplication.round_id == round_id))
    names = {f["organization_id"]: session.get_one(Organization, f["organization_id"]).name for f in per_grant}
    communities = {f["community_id"]: session.get_one(Community, f["community_id"]).name for f in per_grant}
    return {**{k: totals[k] for k in ("round_id", "name", "status", "budget_fen", "awarded_fen",
                                      "disbursed_fen", "spent_fen", "cofunding_fen", "returned_fen", "lines")},
            "description": found.description, "priority_categories": list(found.priority_categories),
            "cap_fen": found.cap_fen, "applications": applications or 0, "grants_count": len(per_grant),
            "grants": [{"organization": names.get(f["organization_id"], ""),
                        "community": communities.get(f["community_id"], ""), "title": f["title"],
                        "category": f["category"], "status": f["status"], "awarded_fen": f["awarded_fen"],
                        "disbursed_fen": f["disbursed_fen"], "spent_fen": f["spent_fen"],
                        "lines": f["lines"],
                        "milestones_accepted": sum(1 for m in f["milestones"] if m["accepted"]),
                        "milestones": len(f["milestones"])} for f in per_grant]}


def grant_view(session: Session, actor: Actor, grant_id: int) -> dict[str, Any]:
    """One grant: its lines (budget, disbursed, spent), milestones and tranches, closing summary."""
    grant = view_grant(session, actor, grant_id)
    _, per_grant, _ = _figures(session, grant.round_id, [grant])
    return {**per_grant[0], "closing_summary": grant.closing_summary}


def grant_movements(session: Session, actor: Actor, grant_id: int, kind: str) -> list[dict[str, Any]]:
    """A grant's disbursements or expenditures, each marked if a correction reversed it."""
    grant = view_grant(session, actor, grant_id)
    entries = grant_entries(session, grant)
    undone = reversed_ids(entries)
    return [entry_record(e, undone) for e in entries if e.kind == kind]
