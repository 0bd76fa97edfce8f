"""培育发展 (/growth): the district names brand organizations and records social workers placed into social
organizations, and sees the four growth indicators against the seeds' targets; an organization's staff
record the social workers placed into their own organization."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.policy.growth import may_designate_brands
from linkage.services import growth as service
from linkage.services import stats
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.views_dashboard import GROWTH
from schemas.growth import BrandRevocationSchema, BrandSchema, PlacementSchema


def _page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who, session = current_actor(), db_session()
    figures = stats.linkage_stats(session)
    indicators = [{"key": key, "label": label, **figures["attainment"][key]} for key, label in GROWTH]
    return render_template(
        "growth.html",
        indicators=indicators,
        brands=service.brand_views(session, service.list_brands(session, who)),
        placements=service.placement_views(session, service.list_placements(session, who)),
        choices=service.choices(session, who),
        may_designate=may_designate_brands(who),
        today=service.china_day(),
        errors=errors or {},
        message=message,
        form=posted(),
    ), status


def _back() -> str:
    return url_for("web.growth")


@bp.get("/growth")
@roles("admin", "org_staff")
def growth():
    failed = failed_form()
    return _page(errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/growth/brands")
@roles("admin")
def designate_brand():
    who = current_actor()

    def add(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.designate_brand(uow, who, body)

    return act(_page, _back(), add, BrandSchema())


@bp.post("/growth/brands/<int:designation_id>/revocation")
@roles("admin")
def revoke_brand(designation_id: int):
    who = current_actor()

    def revoke(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.revoke_brand(uow, who, designation_id, body["reason"])

    return act(_page, _back(), revoke, BrandRevocationSchema())


@bp.post("/growth/placements")
@roles("admin", "org_staff")
def record_placement():
    who = current_actor()

    def add(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.record_placement(uow, who, body)

    return act(_page, _back(), add, PlacementSchema())


@bp.post("/growth/placements/<int:placement_id>/delete")
@roles("admin", "org_staff")
def remove_placement(placement_id: int):
    who = current_actor()

    def remove(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.remove_placement(uow, who, placement_id)

    return act(_page, _back(), remove)
