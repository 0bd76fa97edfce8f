"""Growth records behind the seeds' targets: the district names brand organizations (品牌社会组织) and
revokes them; the district or the receiving organization records social workers placed into social
organizations (社工引入社会组织). What they add up to is counted in linkage/services/stats.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.clock import local_year
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import BrandDesignation, Organization, Placement, SocialWorker, utcnow
from linkage.permissions import Actor
from linkage.policy.growth import (
    may_read_brands,
    may_remove_placement,
    may_see_placement,
    placement_organization,
    require_brand_designator,
    require_placement_reader,
    require_placement_recorder,
)
from linkage.services.qualifications import china_day
from linkage.uow import UnitOfWork

FIRST_YEAR = 2000  # the earliest year a designation or placement may be dated in


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _active_organization(session: Session, organization_id: int | None, code: str) -> Organization:
    org = session.get(Organization, organization_id) if organization_id is not None else None
    if org is None:
        raise InvalidInput(code, {"organization_id": ["field.no_such_organization"]})
    if not org.active:
        raise InvalidInput(code, {"organization_id": ["field.not_active"]})
    return org


# --- brand organizations (品牌社会组织) ----------------------------------------------------------------


def brand_views(session: Session, rows: list[BrandDesignation]) -> list[dict[str, Any]]:
    names = _names(session, Organization, {r.organization_id for r in rows})
    return [
        {
            "id": r.id,
            "organization_id": r.organization_id,
            "organization_name": names.get(r.organization_id, ""),
            "year": r.year,
            "reason": r.reason,
            "created_at": r.created_at,
            "standing": r.revoked_at is None,
            "revoked_at": r.revoked_at,
            "revoke_reason": r.revoke_reason,
        }
        for r in rows
    ]


def list_brands(session: Session, actor: Actor, *, standing_only: bool = False) -> list[BrandDesignation]:
    """Designations newest first (revoked ones kept, marked); every logged-in role reads them."""
    if not may_read_brands(actor):  # pragma: no cover - every role may; the policy says so
        return []
    query = select(BrandDesignation).order_by(BrandDesignation.year.desc(), BrandDesignation.id.desc())
    if standing_only:
        query = query.where(BrandDesignation.revoked_at.is_(None))
    return list(session.scalars(query))


def designate_brand(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> BrandDesignation:
    """The district names an organization a brand organization in a year, with its reason; one
    standing designation per organization (a second is a 409 until the first is revoked)."""
    require_brand_designator(actor)
    session = uow.session
    org = _active_organization(session, data.get("organization_id"), "brand.invalid")
    year, reason = data.get("year"), (data.get("reason") or "").strip()
    errors: dict[str, list[Any]] = {}
    if not reason:
        errors["reason"] = ["field.required"]
    if not isinstance(year, int) or not FIRST_YEAR <= year <= local_year(utcnow()):
        errors["year"] = ["brand.year_range"]
    if errors:
        raise InvalidInput("brand.invalid", errors)
    standing = session.scalar(
        select(BrandDesignation.id).where(
            BrandDesignation.organization_id == org.id, BrandDesignation.revoked_at.is_(None)
        )
    )
    if standing is not None:
        raise Conflict("brand.already", {"organization_id": ["brand.already_brand"]})
    row = BrandDesignation(organization_id=org.id, year=year, reason=reason[:500], designated_by=actor.user_id)
    session.add(row)
    session.flush()
    uow.commit()
    return row


def revoke_brand(uow: UnitOfWork, actor: Actor, designation_id: int, reason: str) -> BrandDesignation:
    """The district withdraws a designation; the row stays, with when, by whom and why."""
    require_brand_designator(actor)
    row = uow.session.get(BrandDesignation, designation_id)
    if row is None:
        raise NotFound("brand.not_found", id=designation_id)
    if not (reason or "").strip():
        raise InvalidInput("brand.invalid", {"reason": ["field.required"]})
    if row.revoked_at is not None:
        raise Conflict("brand.already_revoked")
    row.revoked_at, row.revoked_by, row.revoke_reason = utcnow(), actor.user_id, reason.strip()[:500]
    uow.commit()
    return row


# --- social workers placed into social organizations (社工引入) ------------------------------------------


def placement_views(session: Session, rows: list[Placement]) -> list[dict[str, Any]]:
    orgs = _names(session, Organization, {r.organization_id for r in rows})
    workers = _names(session, SocialWorker, {r.social_worker_id for r in rows})
    return [
        {
            "id": r.id,
            "social_worker_id": r.social_worker_id,
            "social_worker_name": workers.get(r.social_worker_id, ""),
            "organization_id": r.organization_id,
            "organization_name": orgs.get(r.organization_id, ""),
            "placed_on": r.placed_on,
            "note": r.note,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def list_placements(
    session: Session, actor: Actor, *, organization_id: int | None = None, year: int | None = None
) -> list[Placement]:
    """The placements the actor may see (the district and auditors: all; an organization's staff: into
    their organization; a social worker: their own), newest first; others are refused (403)."""
    require_placement_reader(actor)
    query = select(Placement).order_by(Placement.placed_on.desc(), Placement.id.desc())
    if organization_id is not None:
        query = query.where(Placement.organization_id == organization_id)
    if year is not None:
        query = query.where(Placement.placed_on >= date(year, 1, 1), Placement.placed_on <= date(year, 12, 31))
    return [row for row in session.scalars(query) if may_see_placement(actor, row)]


def record_placement(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Placement:
    """A social worker was placed into a social organization on a day (not in the future); the same
    worker into the same organization on the same day once (409)."""
    organization_id = placement_organization(actor, data.get("organization_id"))
    require_placement_recorder(actor, organization_id)
    session = uow.session
    org = _active_organization(session, organization_id, "placement.invalid")
    worker_id = data.get("social_worker_id")
    worker = session.get(SocialWorker, worker_id) if worker_id is not None else None
    errors: dict[str, list[Any]] = {}
    if worker is None:
        errors["social_worker_id"] = ["placement.no_such_social_worker"]
    elif not worker.active:
        errors["social_worker_id"] = ["field.not_active"]
    placed_on = data.get("placed_on")
    if not isinstance(placed_on, date):
        errors["placed_on"] = ["field.required"]
    elif placed_on > china_day():
        errors["placed_on"] = ["field.in_future"]
    elif placed_on.year < FIRST_YEAR:
        errors["placed_on"] = ["placement.too_early"]
    if errors:
        raise InvalidInput("placement.invalid", errors)
    assert worker is not None and isinstance(placed_on, date)
    twice = session.scalar(
        select(Placement.id).where(
            Placement.social_worker_id == worker.id,
            Placement.organization_id == org.id,
            Placement.placed_on == placed_on,
        )
    )
    if twice is not None:
        raise Conflict("placement.already", {"placed_on": ["placement.already_recorded"]})
    row = Placement(
        social_worker_id=worker.id,
        organization_id=org.id,
        placed_on=placed_on,
        note=(data.get("note") or "").strip()[:200],
        recorded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    uow.commit()
    return row


def remove_placement(uow: UnitOfWork, actor: Actor, placement_id: int) -> None:
    """A placement recorded in error is taken back by whoever may record it (another's: 404; a role
    that reads no placements: 403)."""
    require_placement_reader(actor)
    row = uow.session.get(Placement, placement_id)
    if row is None or not may_see_placement(actor, row):
        raise NotFound("placement.not_found", id=placement_id)
    if not may_remove_placement(actor, row):
        raise Forbidden("placement.forbidden")
    uow.session.delete(row)
    uow.session.flush()
    uow.commit()


def choices(session: Session, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """What the growth page's forms offer `actor`: the district every active organization and social
    worker; an organization's staff their own organization (placements into it) and the social workers."""
    require_placement_recorder(actor, actor.organization_id)
    found: dict[str, list[tuple[int, str]]] = {}
    for key, model in (("organizations", Organization), ("social_workers", SocialWorker)):
        query = select(model.id, model.name).where(model.active.is_(True)).order_by(model.name, model.id)
        if model is Organization and placement_organization(actor, None) is not None:
            query = query.where(Organization.id == actor.organization_id)
        found[key] = [(row_id, name) for row_id, name in session.execute(query)]
    return found
