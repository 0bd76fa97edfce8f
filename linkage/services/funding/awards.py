"""Venture philanthropy, part 2: awarding a round (立项) — explainable, within budget and cap, overridable."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, Forbidden, InvalidInput, Message
from linkage.models import CharityResource, utcnow
from linkage.models.funding import (
    ApplicationStatus,
    EntryKind,
    FundingApplication,
    FundingRound,
    Grant,
    Milestone,
    RoundStatus,
    grant_account,
    resource_account,
    round_pool,
    split_by_weights,
    tranche_plan,
)
from linkage.permissions import Actor, require_admin
from linkage.policy import funding as funding_policy
from linkage.services.funding.allocation import allocate
from linkage.services.funding.reviews import application_scores
from linkage.services.funding.rounds import append_entry, emit, get_round, lock_round, round_record
from linkage.services.providers import announce_provider
from linkage.uow import UnitOfWork

COFUNDING_GONE = ("配套资金来源余额不足，不予资助 / the co-funding resource no longer holds the pledged "
                  "amount: not funded")


def _applications(session: Session, round_id: int) -> list[FundingApplication]:
    return list(session.scalars(select(FundingApplication).where(FundingApplication.round_id == round_id)
                                .order_by(FundingApplication.id)))


def _cofunding_left(session: Session, resource_id: int | None) -> int:
    resource = session.get(CharityResource, resource_id)
    if resource is None or not resource.active or resource.kind != "fund":
        return 0
    return resource.remaining_fen or 0


def compute_allocation(session: Session, found: FundingRound,
                       overrides: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The allocation as it would be committed now, with each application's reasons.

    Co-funding is drawn at the award, so an application whose pledged resource cannot cover it
    (after the better-ranked ones drew on the same resource) is left out and the rest re-allocated.
    """
    overrides = overrides or {}
    apps = _applications(session, found.id)
    by_id = {a.id: a for a in apps}
    scores = application_scores(session, found.id)
    blocked: dict[int, str] = {}
    while True:
        result = allocate(found.budget_fen, found.cap_fen, list(found.priority_categories),
                          [{"id": a.id, "requested_fen": a.requested_fen, "category": a.category,
                            "score": scores.get(a.id), "blocked_reason": blocked.get(a.id)} for a in apps],
                          pass_score=found.pass_score, min_partial_pct=found.min_partial_pct, overrides=overrides)
        left: dict[int | None, int] = {}  # by co-funding resource (none for 自筹, own funds)
        short: int | None = None
        for entry in result:
            app = by_id[entry["application_id"]]
            if entry["amount_fen"] <= 0 or not app.cofunding_fen or app.cofunding_resource_id is None:
                continue  # 自筹 (own funds) draws on no charity resource
            rid = app.cofunding_resource_id
            left.setdefault(rid, _cofunding_left(session, rid))
            if left[rid] < app.cofunding_fen:
                short = app.id
                break
            left[rid] -= app.cofunding_fen
        if short is None:
            break
        if short in overrides:
            raise Conflict("override.cofunding_gone", {"overrides": [Message("override.cofunding_short", id=short)]})
        blocked[short] = COFUNDING_GONE
    for entry in result:
        app = by_id[entry["application_id"]]
        entry.update(title=app.title, organization_id=app.organization_id, category=app.category,
                     requested_fen=app.requested_fen, cofunding_fen=app.cofunding_fen)
    return result


def _view(found: FundingRound, allocations: list[dict[str, Any]], status: str) -> dict[str, Any]:
    awarded = sum(a["amount_fen"] for a in allocations)
    return {"round_id": found.id, "status": status, "budget_fen": found.budget_fen, "cap_fen": found.cap_fen,
            "priority_categories": list(found.priority_categories), "awarded_fen": awarded,
            "unallocated_fen": found.budget_fen - awarded, "allocations": allocations}


def awards_view(session: Session, actor: Actor, round_id: int) -> dict[str, Any]:
    """Committed awards are public to every user (公示); before that, a preview for the district."""
    found = get_round(session, round_id)
    if found.status in (RoundStatus.AWARDED.value, RoundStatus.CLOSED.value):
        apps = sorted(_applications(session, round_id),
                      key=lambda a: (a.award_rank is None, a.award_rank or 0, a.id))
        return _view(found, [{"application_id": a.id, "amount_fen": a.awarded_fen or 0, "rank": a.award_rank,
                              "priority": a.category in found.priority_categories, "score": a.score,
                              "reasons": list(a.award_reasons), "title": a.title,
                              "organization_id": a.organization_id, "category": a.category,
                              "requested_fen": a.requested_fen, "cofunding_fen": a.cofunding_fen}
                             for a in apps], "committed")
    if not funding_policy.is_funding_overseer(actor):
        raise Forbidden("allocation.unpublished")
    return _view(found, compute_allocation(session, found), "preview")


def _overrides(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    ids = [item["application_id"] for item in items]
    if len(ids) != len(set(ids)):
        raise InvalidInput("override.twice", {"overrides": ["override.appears_twice"]})
    return {item["application_id"]: {"amount_fen": item["amount_fen"], "reason": item.get("reason", "")}
            for item in items}


def _draw_cofunding(uow: UnitOfWork, actor: Actor, found: FundingRound, grant: Grant) -> None:
    """配套资金: reduce the charity resource by the pledge and tell the matcher it has less to offer."""
    resource = uow.session.scalars(select(CharityResource).where(CharityResource.id == grant.cofunding_resource_id)
                                   .with_for_update()).one()  # the grant's pledged resource: a foreign key
    if (resource.remaining_fen or 0) < grant.cofunding_fen:  # checked in compute_allocation; a race lands here
        raise Conflict("cofunding.short")
    resource.remaining_fen = (resource.remaining_fen or 0) - grant.cofunding_fen
    append_entry(uow, actor, found.id, EntryKind.COFUNDING.value, resource_account(resource.id),
                 grant_account(grant.id, "cofunding"), {"": grant.cofunding_fen}, grant_id=grant.id,
                 resource_id=resource.id, note=f"配套资金：{resource.name} / co-funding from {resource.donor}")
    announce_provider(uow, "resource", resource)


def _make_grant(uow: UnitOfWork, actor: Actor, found: FundingRound, app: FundingApplication,
                amount: int) -> Grant:
    names = [line["name"] for line in app.budget_lines]
    # A partial award shrinks every budget line in proportion; the split is exact to the fen.
    shares = split_by_weights(amount, [line["amount_fen"] for line in app.budget_lines])
    lines = dict(zip(names, shares))
    grant = Grant(round_id=found.id, application_id=app.id, organization_id=app.organization_id,
                  community_id=app.community_id, title=app.title, category=app.category, awarded_fen=amount,
                  lines=[{"name": n, "amount_fen": f} for n, f in lines.items()],
                  cofunding_resource_id=app.cofunding_resource_id if app.cofunding_fen else None,
                  cofunding_fen=app.cofunding_fen)
    uow.session.add(grant)
    uow.session.flush()
    plan = tranche_plan(lines, [m["share_pct"] for m in app.milestones])
    for n, (milestone, tranche) in enumerate(zip(app.milestones, plan), start=1):
        due_on = date.fromisoformat(milestone["due_on"]) if milestone.get("due_on") else None
        uow.session.add(Milestone(grant_id=grant.id, n=n, title=milestone["title"], due_on=due_on,
                                  share_pct=milestone["share_pct"], tranche_lines=tranche))
    append_entry(uow, actor, found.id, EntryKind.AWARD.value, round_pool(), grant_account(grant.id, "committed"),
                 lines, grant_id=grant.id, note=f"立项资助：{app.title} / grant awarded")
    if grant.cofunding_fen and grant.cofunding_resource_id is not None:  # 自筹 is the grantee's own money
        _draw_cofunding(uow, actor, found, grant)
    return grant


def award_round(uow: UnitOfWork, actor: Actor, round_id: int,
                overrides: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The district commits the awards: grants, their tranches, co-funding draws, the round becomes awarded."""
    require_admin(actor)
    found = lock_round(uow, round_id)
    if found.status != RoundStatus.REVIEWING.value:
        raise Conflict("round.not_awardable", {"status": ["round.must_be_reviewing"]}, status=found.status)
    chosen = _overrides(overrides or [])
    result = compute_allocation(uow.session, found, chosen)
    apps = {a.id: a for a in _applications(uow.session, round_id)}
    for entry in result:
        app = apps[entry["application_id"]]
        app.score, app.award_rank, app.awarded_fen = entry["score"], entry["rank"], entry["amount_fen"]
        app.award_reasons = list(entry["reasons"])
        app.override_reason = chosen[app.id]["reason"].strip()[:300] if app.id in chosen else ""
        app.status = ApplicationStatus.AWARDED.value if entry["amount_fen"] > 0 \
            else ApplicationStatus.NOT_AWARDED.value
        if entry["amount_fen"] > 0:
            entry["grant_id"] = _make_grant(uow, actor, found, app, entry["amount_fen"]).id
    found.status, found.awarded_at = RoundStatus.AWARDED.value, utcnow()
    uow.session.flush()
    emit(uow, round_id, "round.awarded", f"funding-round/{round_id}",
         {"round": round_record(found),
          "awards": [{"application_id": e["application_id"], "amount_fen": e["amount_fen"], "rank": e["rank"],
                      "grant_id": e.get("grant_id"), "reasons": e["reasons"]} for e in result]})
    uow.commit()
    return _view(found, result, "committed")
