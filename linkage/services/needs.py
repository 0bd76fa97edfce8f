"""Posting, changing and cancelling needs (需求); each change announces itself on linkage.needs."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, Forbidden, InvalidInput
from linkage.geo import bounding_box, haversine_km
from linkage.messages import rfc3339
from linkage.models import Community, Need, NeedStatus, Organization
from linkage.permissions import Actor, require_community_writer
from linkage.pinyin import searched
from linkage.uow import UnitOfWork, get_or_404

EDITABLE_FIELDS = ("title", "description", "category", "skills", "target_groups", "lat", "lon",
                   "starts_at", "ends_at", "volunteers_needed", "hours_estimate", "budget_fen",
                   "urgency", "qualification_required")


def need_record(need: Need) -> dict[str, Any]:
    """The need as the API returns it and as its events carry it (DESIGN §3)."""
    return {
        "id": need.id, "community_id": need.community_id, "title": need.title,
        "description": need.description, "category": need.category,
        "skills": list(need.skills), "target_groups": list(need.target_groups),
        "lat": need.lat, "lon": need.lon,
        "starts_at": rfc3339(need.starts_at), "ends_at": rfc3339(need.ends_at),
        "volunteers_needed": need.volunteers_needed, "hours_estimate": need.hours_estimate,
        "budget_fen": need.budget_fen, "urgency": need.urgency, "status": need.status,
        # the matcher keeps only volunteers / social workers holding it, valid on the need's day
        "qualification_required": need.qualification_required,
    }


def _announce(uow: UnitOfWork, need: Need, type: str) -> None:
    uow.emit(topic=Topics.NEEDS, key=str(need.id), type=type, subject=f"need/{need.id}",
             data=need_record(need))


def _check_window(data: dict[str, Any]) -> None:
    if data["starts_at"] >= data["ends_at"]:
        raise InvalidInput("need.empty_window", {"ends_at": ["field.after_start"]})


def post_need(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Need:
    need = place_need(uow, actor, data)
    uow.commit()
    return need


def place_need(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Need:
    """post_need without the commit: for a caller that records more in the same transaction
    (a consultation's item that becomes this need)."""
    community = uow.session.get(Community, data["community_id"])
    if community is None:
        raise InvalidInput("community.unknown", {"community_id": ["field.no_such_community"]})
    require_community_writer(actor, community.id)
    values = {k: data[k] for k in EDITABLE_FIELDS if k in data}
    # A need without its own place is served at the community's centre.
    values.setdefault("lat", community.lat)
    values.setdefault("lon", community.lon)
    _check_window(values)
    need = Need(community=community, created_by=actor.user_id, **values)
    uow.session.add(need)
    uow.session.flush()
    _announce(uow, need, Types.NEED_POSTED)
    return need


def get_need(session: Session, need_id: int) -> Need:
    return get_or_404(session, Need, need_id)


def update_need(uow: UnitOfWork, actor: Actor, need_id: int, changes: dict[str, Any]) -> Need:
    need = get_need(uow.session, need_id)
    require_community_writer(actor, need.community_id)
    if not NeedStatus(need.status).editable:
        raise Conflict("need.not_editable", status=need.status)
    merged = {k: changes.get(k, getattr(need, k)) for k in ("starts_at", "ends_at")}
    _check_window(merged)
    for field in EDITABLE_FIELDS:
        if field in changes:
            setattr(need, field, changes[field])
    uow.session.flush()
    _announce(uow, need, Types.NEED_UPDATED)
    uow.commit()
    return need


def cancel_need(uow: UnitOfWork, actor: Actor, need_id: int) -> Need:
    need = get_need(uow.session, need_id)
    require_community_writer(actor, need.community_id)
    if not NeedStatus(need.status).editable:
        raise Conflict("need.not_cancellable", status=need.status)
    need.status = NeedStatus.CANCELLED.value
    uow.session.flush()
    _announce(uow, need, Types.NEED_CANCELLED)
    uow.commit()
    return need


def list_needs(session: Session, *, status: str | None = None, category: str | None = None,
               community_id: int | None = None, near: tuple[float, float, float] | None = None,
               page: int = 1, page_size: int = 20,
               statuses: Iterable[str] | None = None, q: str | None = None) -> tuple[list[Need], int]:
    """Filtered needs, newest first; `near=(lat, lon, km)` filters by true distance; `statuses`
    keeps those in any of them; `q` searches the title (linkage.pinyin), best matches first."""
    conditions = [column == value for column, value in
                  ((Need.status, status), (Need.category, category), (Need.community_id, community_id))
                  if value]
    if statuses is not None:
        conditions.append(Need.status.in_(list(statuses)))
    order: list[Any] = [Need.created_at.desc(), Need.id.desc()]
    if (found := searched(session, Need, q)) is not None:
        conditions.append(found[0])
        order.insert(0, found[1])
    newest_first = select(Need).where(*conditions).order_by(*order)
    if near is None:
        # Counted without the ORDER BY: inside a subquery it made SQLite sort every match.
        total = session.scalar(select(func.count(Need.id)).where(*conditions)) or 0
        rows = session.scalars(newest_first.limit(page_size).offset((page - 1) * page_size)).all()
        return list(rows), total
    lat, lon, km = near
    lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(lat, lon, km)
    query = newest_first.where(Need.lat.between(lo_lat, hi_lat), Need.lon.between(lo_lon, hi_lon))
    within = [n for n in session.scalars(query) if haversine_km(lat, lon, n.lat, n.lon) <= km]
    start = (page - 1) * page_size
    return within[start:start + page_size], len(within)


EDITABLE = tuple(s.value for s in NeedStatus if s.editable)


def needs_near_organization(session: Session, actor: Actor, km: float | None = None, *, page: int = 1,
                            page_size: int = 50, q: str | None = None) -> dict[str, Any]:
    """The needs an organization may still take on within `km` of it (by default its service
    radius, at least 10 km), newest first; one page of them."""
    organization = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if organization is None:
        raise Forbidden("needs.near_org_only")
    km = min(max(km if km is not None else max(organization.service_radius_km, 10), 0.5), 200)
    rows, total = list_needs(session, near=(organization.lat, organization.lon, km), statuses=EDITABLE,
                             page=page, page_size=page_size, q=q)
    return {"rows": rows, "total": total, "km": km, "page": page, "page_size": page_size}
