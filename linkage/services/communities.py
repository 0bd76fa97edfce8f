"""Communities (社区): registered by the district, maintained by their own staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.errors import Conflict
from linkage.models import Community
from linkage.permissions import Actor, require_admin, require_community_manager
from linkage.pinyin import searched
from linkage.policy.pages import may_choose_community
from linkage.policy.people import may_change_community_code
from linkage.uow import UnitOfWork, get_or_404

FIELDS = ("code", "name", "street", "district", "lat", "lon", "households", "population", "contact_phone")


def get_community(session: Session, community_id: int) -> Community:
    return get_or_404(session, Community, community_id)


def _flush(uow: UnitOfWork) -> None:
    try:
        uow.session.flush()
    except IntegrityError as exc:
        uow.rollback()
        raise Conflict("community.code_taken", {"code": ["field.already_used"]}) from exc


def register_community(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Community:
    require_admin(actor)
    community = Community(**{k: data[k] for k in FIELDS if k in data})
    uow.session.add(community)
    _flush(uow)
    uow.commit()
    return community


def update_community(uow: UnitOfWork, actor: Actor, community_id: int, changes: dict[str, Any]) -> Community:
    community = get_community(uow.session, community_id)
    require_community_manager(actor, community.id)
    if "code" in changes and not may_change_community_code(actor):
        raise Conflict("community.code_district", {"code": ["field.read_only"]})
    for field in FIELDS:
        if field in changes:
            setattr(community, field, changes[field])
    _flush(uow)
    uow.commit()
    return community


def list_communities(
    session: Session,
    *,
    district: str | None = None,
    street: str | None = None,
    page: int = 1,
    page_size: int = 20,
    q: str | None = None,
) -> tuple[list[Community], int]:
    """Communities by district and street; `q` searches the name (linkage.pinyin), best matches first."""
    query = select(Community)
    order: list[Any] = [Community.id]
    if (found := searched(session, Community, q)) is not None:
        query = query.where(found[0])
        order.insert(0, found[1])
    if district:
        query = query.where(Community.district == district)
    if street:
        query = query.where(Community.street == street)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.scalars(query.order_by(*order).limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def communities_to_post_for(session: Session, actor: Actor) -> list[Community]:
    """The communities whose needs `actor` may post: their own (community staff), else every one."""
    if not may_choose_community(actor):
        return [get_or_404(session, Community, actor.community_id)]  # community staff: theirs is set
    return list(session.scalars(select(Community).order_by(Community.district, Community.id)))
