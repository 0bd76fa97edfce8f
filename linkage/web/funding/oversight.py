"""Oversight pages: a round's supervision (budget vs disbursed vs spent) and the residents' public summary."""
from __future__ import annotations

from flask import render_template

from linkage import exports
from linkage.http.context import session as db_session
from linkage.http.downloads import exported
from linkage.services import funding
from linkage.web import queries
from linkage.web.auth import current_actor, login_required
from linkage.web.blueprint import bp


@bp.get("/funding/<int:round_id>/supervision")
@login_required
def funding_supervision_page(round_id: int):
    """Budget vs disbursed vs spent, scoped by the service: all for the district, one's own otherwise."""
    session = db_session()
    result = funding.supervision.supervision(session, current_actor(), round_id)
    return render_template(
        "funding_supervision.html", result=result,
        org_names=queries.organization_names(session, {g["organization_id"] for g in result["grants"]}),
        community_names=queries.community_names(session, {g["community_id"] for g in result["grants"]}))


@bp.get("/funding/<int:round_id>/public")
def funding_public(round_id: int):
    """居民参与监督: no login; organizations, projects and money only."""
    return render_template("funding_public.html",
                           summary=funding.supervision.public_summary(db_session(), round_id))


@bp.get("/funding/<int:round_id>/public.csv")
def funding_public_csv(round_id: int):
    """The public summary's ledger as csv (公示台账): no login, only what /funding/<id>/public shows."""
    summary = funding.supervision.public_summary(db_session(), round_id)
    items = exports.ledger_items(summary)
    return exported(exports.LEDGER, items, len(items), "csv")
