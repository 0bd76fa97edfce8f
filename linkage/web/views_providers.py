"""The provider lists: 志愿者名册, 社会组织, 社会工作者, 慈善资源 — paged, searched (q), filtered, masked as the API masks them."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from linkage import exports
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import Community
from linkage.policy.imports import importable_kinds
from linkage.policy.pages import MENU
from linkage.services import providers as provider_service
from linkage.taxonomy import CERTIFICATE_LEVELS, RESOURCE_KINDS
from linkage.web import queries
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.i18n import t
from linkage.web.paging import list_window, page_export, pager, search_arg
from schemas.providers import VIEWS

PAGE = 50


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None


def _choice_arg(name: str, choices) -> str | None:
    value = request.args.get(name) or None
    return value if value in choices else None


def _listed(kind: str, template: str, heading: str, filters: dict, **context):
    who = current_actor()
    (page, size), q = list_window(PAGE), search_arg()
    rows, total = provider_service.list_providers(
        db_session(), who, kind, filters=filters, page=page, page_size=size, q=q or None, cipher=platform().cipher
    )
    shown = provider_service.shown(db_session(), who, kind, rows, platform().cipher)
    # 导出: what the page shows (its search and filter, masked as on screen), as the API's export lays it out
    if file := page_export(exports.PROVIDERS[kind], VIEWS[kind](many=True).dump(shown), total):
        return file
    communities = queries.community_names(db_session(), {_get(r, "community_id") for r in shown} - {None})
    organizations = queries.organization_names(db_session(), {_get(r, "organization_id") for r in shown} - {None})
    return render_template(
        template,
        rows=shown,
        heading=heading,
        q=q,
        kind=kind,
        filters=filters,
        community_names=communities,
        organization_names=organizations,
        pages=pager(page, PAGE, total),
        importable=importable_kinds(who),
        **context,
    )


def _get(row, field: str):
    """A field of a shown provider: a volunteer comes as a dict (masked), the others as rows."""
    return row.get(field) if isinstance(row, dict) else getattr(row, field, None)


@bp.get("/volunteers")
@roles(*MENU["volunteers"])
def volunteers():
    filters = {"community_id": _int_arg("community_id")}
    communities = list(db_session().execute(select(Community.id, Community.name).order_by(Community.id)))
    return _listed("volunteer", "providers.html", t("volunteers"), filters, communities=communities)


@bp.get("/organizations")
@roles(*MENU["organizations"])
def organizations():
    districts = [d for d in db_session().scalars(select(Community.district).distinct().order_by(Community.district))]
    filters = {"district": _choice_arg("district", districts)}
    return _listed("organization", "providers.html", t("organizations"), filters, districts=districts)


@bp.get("/social-workers")
@roles(*MENU["social_workers"])
def social_workers():
    filters = {"certificate_level": _choice_arg("certificate_level", CERTIFICATE_LEVELS)}
    return _listed("social_worker", "providers.html", t("social_workers"), filters, levels=CERTIFICATE_LEVELS)


@bp.get("/resources")
@roles(*MENU["resources"])
def resources():
    filters = {"kind": _choice_arg("kind", RESOURCE_KINDS)}
    return _listed("resource", "providers.html", t("resources"), filters, resource_kinds=RESOURCE_KINDS)
