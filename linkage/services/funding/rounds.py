"""Venture philanthropy (公益创投), part 1: rounds, applications (申报), reviewers and reviews (评审).

Awards are in `awards`, money after the award in `grants`, the oversight views in
`supervision`; the fund ledger's append lives here because every part writes to it.
"""
from __future__ import annotations

import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage import ledger
from linkage.catalogue import Topics, funding_type
from linkage.errors import Conflict, FieldErrors, Forbidden, InvalidInput, Message, NotFound
from linkage.formats import yuan
from linkage.messages import rfc3339
from linkage.models import CharityResource, Need, NeedStatus, Project, ProjectStatus, utcnow
from linkage.models.funding import (
    ROUND_LIFECYCLE,
    EntryKind,
    FundEntry,
    FundingApplication,
    FundingReview,
    FundingRound,
    Grant,
    GrantStatus,
    RoundStatus,
    apply_entry,
    district,
    replay,
    round_pool,
)
from linkage.permissions import Actor, require_admin
from linkage.policy import funding as funding_policy
from linkage.uow import UnitOfWork, get_or_404, lock_or_404

RUBRIC_FILE = Path(__file__).resolve().parents[2] / "funding_rubric.toml"

@lru_cache(maxsize=2)
def load_rubric(path: str = str(RUBRIC_FILE)) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def emit(uow: UnitOfWork, round_id: int, name: str, subject: str, data: dict[str, Any]) -> None:
    uow.emit(topic=Topics.FUNDING, key=str(round_id), type=funding_type(name), subject=subject, data=data)


# --- records: what events carry and routes return -----------------------------------------------

def _at(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


def round_record(r: FundingRound) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "description": r.description, "budget_fen": r.budget_fen,
            "cap_fen": r.cap_fen, "priority_categories": list(r.priority_categories),
            "cofunding_pct": r.cofunding_pct, "pass_score": r.pass_score,
            "min_partial_pct": r.min_partial_pct, "rubric_weights": dict(r.rubric_weights),
            "status": r.status, "created_at": _at(r.created_at), "reviewing_at": _at(r.reviewing_at),
            "awarded_at": _at(r.awarded_at), "closed_at": _at(r.closed_at)}


def application_record(a: FundingApplication) -> dict[str, Any]:
    return {"id": a.id, "round_id": a.round_id, "organization_id": a.organization_id, "need_id": a.need_id,
            "project_id": a.project_id, "community_id": a.community_id, "title": a.title,
            "category": a.category, "summary": a.summary, "requested_fen": a.requested_fen,
            "budget_lines": list(a.budget_lines), "milestones": list(a.milestones),
            "cofunding_resource_id": a.cofunding_resource_id, "cofunding_fen": a.cofunding_fen,
            "status": a.status, "score": a.score, "awarded_fen": a.awarded_fen,
            "award_reasons": list(a.award_reasons), "override_reason": a.override_reason,
            "created_at": _at(a.created_at)}


def review_record(r: FundingReview, anonymous: bool = False) -> dict[str, Any]:
    return {"id": r.id, "application_id": r.application_id,
            "reviewer_user_id": None if anonymous else r.reviewer_user_id, "scores": dict(r.scores),
            "total": r.total, "comments": r.comments, "created_at": _at(r.created_at)}


def entry_record(e: FundEntry, reversed_by: set[int] | frozenset[int] = frozenset()) -> dict[str, Any]:
    return {"id": e.id, "round_id": e.round_id, "seq": e.seq, "kind": e.kind, "grant_id": e.grant_id,
            "tranche": e.tranche, "source": e.source, "destination": e.destination,
            "amount_fen": e.amount_fen, "lines": dict(e.lines), "budget_line": e.budget_line,
            "receipt_ref": e.receipt_ref, "note": e.note, "target_id": e.target_id,
            "resource_id": e.resource_id, "reversed": e.id in reversed_by,
            "created_at": _at(e.created_at), "prev_hash": e.prev_hash, "hash": e.hash}


# --- lookups and locks ---------------------------------------------------------------------------

def get_round(session: Session, round_id: int) -> FundingRound:
    return get_or_404(session, FundingRound, round_id, what="round")


def lock_round(uow: UnitOfWork, round_id: int) -> FundingRound:
    """Row lock on the round: its ledger chain and its awards are written one at a time."""
    return lock_or_404(uow.session, FundingRound, round_id, what="round")


def get_application(session: Session, application_id: int) -> FundingApplication:
    return get_or_404(session, FundingApplication, application_id, what="application")


def list_rounds(session: Session, status: str | None = None) -> list[FundingRound]:
    query = select(FundingRound).order_by(FundingRound.id.desc())
    if status:
        query = query.where(FundingRound.status == status)
    return list(session.scalars(query))


# --- the fund ledger -----------------------------------------------------------------------------

def chain(session: Session, round_id: int) -> list[FundEntry]:
    return list(session.scalars(ledger.Chain(FundEntry, round_id).entries()))


def append_entry(uow: UnitOfWork, actor: Actor, round_id: int, kind: str, source: str, destination: str,
                 lines: dict[str, int], **fields: Any) -> FundEntry:
    """Append one movement to the round's chain; the caller holds the round lock.

    Replaying the chain with the new entry must leave no account the platform holds below zero
    (awarded ≤ budget, disbursed ≤ awarded, spent ≤ disbursed per line); otherwise 409.
    """
    entries = chain(uow.session, round_id)
    entry = FundEntry(round_id=round_id, kind=kind, source=source, destination=destination,
                      lines={k: v for k, v in lines.items()}, amount_fen=sum(lines.values()),
                      actor_user_id=actor.user_id, actor_role=actor.role, created_at=utcnow(), grant_id=None,
                      tranche=None, budget_line="", receipt_ref="", note="", target_id=None, resource_id=None)
    for name, value in fields.items():
        setattr(entry, name, value)
    apply_entry(replay(entries), entry)
    ledger.append(uow.session, entry)
    uow.session.flush()
    emit(uow, round_id, f"ledger.{kind}", f"fund-entry/{entry.id}", entry_record(entry))
    return entry


# --- rounds --------------------------------------------------------------------------------------

def _weights(data: dict[str, Any], rubric: dict[str, Any]) -> dict[str, int]:
    weights = data.get("rubric_weights") or dict(rubric["weights"])
    if set(weights) != set(rubric["weights"]):
        raise InvalidInput("rubric.fixed", {"rubric_weights": [Message("rubric.exactly", criteria=", ".join(rubric["weights"]))]})
    if any(int(w) != w or w < 0 for w in weights.values()) or sum(weights.values()) != 100:
        raise InvalidInput("rubric.weights", {"rubric_weights": ["rubric.whole_100"]})
    return {k: int(v) for k, v in weights.items()}


def open_round(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> FundingRound:
    """The district opens a round: its budget enters the ledger and applications may come in."""
    require_admin(actor)
    if data["cap_fen"] > data["budget_fen"]:
        raise InvalidInput("round.cap_over_budget", {"cap_fen": ["round.cap_greater"]})
    rubric = load_rubric()
    found = FundingRound(name=data["name"], description=data.get("description", ""),
                         budget_fen=data["budget_fen"], cap_fen=data["cap_fen"],
                         priority_categories=list(data.get("priority_categories", [])),
                         cofunding_pct=data.get("cofunding_pct", 0),
                         pass_score=data.get("pass_score", rubric["pass_score"]),
                         min_partial_pct=data.get("min_partial_pct", rubric["min_partial_pct"]),
                         rubric_weights=_weights(data, rubric), status=RoundStatus.OPEN.value,
                         created_by=actor.user_id)
    uow.session.add(found)
    uow.session.flush()
    append_entry(uow, actor, found.id, EntryKind.BUDGET.value, district(), round_pool(),
                 {"": found.budget_fen}, note="本轮预算 / the round's budget")
    emit(uow, found.id, "round.opened", f"funding-round/{found.id}", round_record(found))
    uow.commit()
    return found


def transition_round(uow: UnitOfWork, actor: Actor, round_id: int, target: str) -> FundingRound:
    """Move a round along its timeline; closing returns what the round did not spend to the district."""
    require_admin(actor)
    found = lock_round(uow, round_id)
    parties = ROUND_LIFECYCLE.require(found.status, target)
    if "admin" not in parties:
        raise Conflict("round.award_by_commit", {"to": ["round.use_awards"]})
    previous, now = found.status, utcnow()
    if target == RoundStatus.REVIEWING.value:
        found.reviewing_at = now
    elif target == RoundStatus.CLOSED.value:
        open_grants = list(uow.session.scalars(select(Grant.id).where(
            Grant.round_id == round_id, Grant.status == GrantStatus.ACTIVE.value)))
        if open_grants:
            raise Conflict("round.grants_open", {"to": [Message("round.grants_still_active", grants="、".join(f"#{g}" for g in open_grants))]})
        left = replay(chain(uow.session, round_id)).get(round_pool(), 0)
        if left:
            append_entry(uow, actor, round_id, EntryKind.RETURN.value, round_pool(), district(), {"": left},
                         note="结余资金退回 / unspent budget returned")
        found.closed_at = now
    found.status = target
    uow.session.flush()
    emit(uow, round_id, "round.transitioned", f"funding-round/{round_id}",
         {"round": round_record(found), "from": previous, "to": target})
    uow.commit()
    return found


# --- applications --------------------------------------------------------------------------------

def _target(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> tuple[Need, Project | None]:
    """The need or project applied for; a project must be the applicant's own."""
    if bool(data.get("need_id")) == bool(data.get("project_id")):
        raise InvalidInput("application.target", {"need_id": ["application.give_target"]})
    if data.get("project_id"):
        project = uow.session.get(Project, data["project_id"])
        if project is None:
            raise InvalidInput("project.unknown", {"project_id": ["field.no_such_project"]})
        need = uow.session.get_one(Need, project.need_id)  # a foreign key: it is there
    else:
        asked = uow.session.get(Need, data["need_id"])
        if asked is None:
            raise InvalidInput("need.unknown", {"need_id": ["field.no_such_need"]})
        need = asked
        project = uow.session.scalars(select(Project).where(Project.need_id == need.id)).first()
    if project is not None:
        if project.organization_id != actor.organization_id:
            raise Forbidden("application.other_org_project")
        if project.status not in (ProjectStatus.APPROVED.value, ProjectStatus.IN_PROGRESS.value):
            raise Conflict("project.not_fundable", status=project.status)
    elif need.status not in (NeedStatus.OPEN.value, NeedStatus.MATCHED.value):
        raise Conflict("need.not_fundable", status=need.status)
    return need, project


def least_cofunding(pct: int, requested_fen: int) -> int:
    """The least co-funding c (fen) with c ≥ pct % of the project budget (requested + c), rounded up."""
    return -(-pct * requested_fen // (100 - pct)) if 0 < pct < 100 else 0


def _check_plan(uow: UnitOfWork, found: FundingRound, data: dict[str, Any], category: str) -> None:
    """Budget lines add up to the request, milestone shares to 100 %, co-funding meets the round's share
    (from a charity resource open to the category, or 自筹, the organization's own funds)."""
    errors: FieldErrors = {}
    requested, lines, milestones = data["requested_fen"], data["budget_lines"], data["milestones"]
    if requested > found.cap_fen:
        errors["requested_fen"] = [Message("application.over_cap", cap=yuan(found.cap_fen))]
    if sum(line["amount_fen"] for line in lines) != requested:
        errors["budget_lines"] = ["application.lines_sum"]
    if len({line["name"] for line in lines}) != len(lines):
        errors.setdefault("budget_lines", []).append("application.lines_unique")
    if sum(m["share_pct"] for m in milestones) != 100:
        errors["milestones"] = ["application.shares_100"]
    cofunding, resource_id = data.get("cofunding_fen", 0), data.get("cofunding_resource_id")
    if found.cofunding_pct and cofunding * 100 < found.cofunding_pct * (requested + cofunding):
        least = yuan(least_cofunding(found.cofunding_pct, requested))
        errors["cofunding_fen"] = [Message("application.cofunding_share", pct=found.cofunding_pct, least=least)]
    own = bool(data.get("cofunding_own"))  # 自筹: no charity resource to draw on, no category restriction
    if own and resource_id is not None:
        errors["cofunding_resource_id"] = ["application.cofunding_own_or_resource"]
    elif cofunding and resource_id is None and not own:
        errors["cofunding_resource_id"] = ["application.cofunding_source"]
    if resource_id is not None and not own:
        resource = uow.session.get(CharityResource, resource_id)
        if resource is None or not resource.active or resource.kind != "fund":
            errors["cofunding_resource_id"] = ["application.cofunding_fund"]
        elif resource.restricted_categories and category not in resource.restricted_categories:
            errors["cofunding_resource_id"] = [Message("application.cofunding_restricted",
                                                       categories="、".join(resource.restricted_categories))]
        elif (resource.remaining_fen or 0) < cofunding:
            errors["cofunding_fen"] = [Message("application.cofunding_left", left=yuan(resource.remaining_fen))]
    if errors:
        raise InvalidInput("application.plan", errors)


def apply_for_funding(uow: UnitOfWork, actor: Actor, round_id: int, data: dict[str, Any]) -> FundingApplication:
    """Org staff apply while the round is open, for a need or their own project."""
    if not funding_policy.may_apply_for_funding(actor):
        raise Forbidden("application.org_staff_only")
    found = get_round(uow.session, round_id)
    if found.status != RoundStatus.OPEN.value:
        raise Conflict("round.applications_closed", status=found.status)
    need, project = _target(uow, actor, data)
    _check_plan(uow, found, data, need.category)
    duplicate = select(FundingApplication.id).where(FundingApplication.round_id == round_id,
                                                    FundingApplication.organization_id == actor.organization_id,
                                                    FundingApplication.need_id == need.id)
    if uow.session.scalars(duplicate).first() is not None:
        raise Conflict("application.duplicate")
    application = FundingApplication(
        round_id=round_id, organization_id=actor.organization_id, need_id=need.id,
        project_id=project.id if project else None, community_id=need.community_id,
        title=data.get("title") or (project.title if project else need.title), category=need.category,
        summary=data.get("summary", ""), requested_fen=data["requested_fen"],
        budget_lines=[dict(line) for line in data["budget_lines"]],
        milestones=[dict(m) for m in data["milestones"]],
        cofunding_resource_id=data.get("cofunding_resource_id"), cofunding_fen=data.get("cofunding_fen", 0),
        created_by=actor.user_id)
    uow.session.add(application)
    try:
        uow.session.flush()
    except IntegrityError as exc:  # a concurrent duplicate
        uow.rollback()
        raise Conflict("application.duplicate") from exc
    emit(uow, round_id, "application.submitted", f"application/{application.id}",
         application_record(application))
    uow.commit()
    return application


def view_application(session: Session, actor: Actor, application_id: int) -> FundingApplication:
    """The applicant, its community, its untied reviewers and the district see it; others a 404."""
    application = get_application(session, application_id)
    if not funding_policy.may_view_application(session, actor, application):
        raise NotFound("application.not_found", id=application_id)
    return application


def list_applications(session: Session, actor: Actor, round_id: int) -> list[FundingApplication]:
    get_round(session, round_id)
    rows = session.scalars(select(FundingApplication).where(FundingApplication.round_id == round_id)
                           .order_by(FundingApplication.id))
    return [a for a in rows if funding_policy.may_view_application(session, actor, a)]
