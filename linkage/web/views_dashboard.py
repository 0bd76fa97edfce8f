"""The district's linkage dashboard: indicators against targets, charts and a map."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request

from linkage.http.context import session as db_session
from linkage.services import dashboard as dashboard_service
from linkage.services.stats import GROWTH_INDICATORS
from linkage.web import charts
from linkage.web.auth import current_actor, login_required
from linkage.web.blueprint import bp
from linkage.web.i18n import t

CHARTS = (("organizations_per_10k", "ind_orgs_per_10k"),
          ("social_workers_per_community", "ind_sw_per_community"),
          ("community_organizations_per_community", "ind_corgs_per_community"))
# The seeds' growth targets (services/stats.py GROWTH_TARGETS), in GROWTH_INDICATORS' order.
GROWTH_LABELS = {"new_community_organizations_per_community": "ind_new_corgs_per_community",
                 "organizations_per_10k": "ind_orgs_per_10k",
                 "brand_organizations_per_district": "ind_brands_per_district",
                 "organizations_with_social_workers_per_street": "ind_placed_orgs_per_street"}
GROWTH = tuple((key, GROWTH_LABELS[key]) for key in GROWTH_INDICATORS)


def _filters() -> dict:
    filters = {}
    if request.args.get("district"):
        filters["district"] = request.args["district"][:100]
    if request.args.get("street"):
        filters["street"] = request.args["street"][:100]
    if request.args.get("community_id", "").isdigit():
        filters["community_id"] = int(request.args["community_id"])
    return filters


@bp.get("/dashboard")
@login_required
def dashboard():
    shown = dashboard_service.dashboard(db_session(), current_actor(), **_filters())
    filters = shown["filters"]  # those that fit together; the others are named in shown["ignored"]
    result = shown["stats"]
    rows = result["breakdown"]
    figures = []
    for name, label in CHARTS:
        if rows:
            points = [(row["name"], row["indicators"][name]) for row in rows]
        else:
            points = [(t("all"), result["indicators"][name])]
        figures.append({"label": t(label), "svg": charts.bar_chart(
            points, target=result["targets"][name], title=t(label), target_label=t("targets"))})
    labels = {"need": t("legend_needs"), **{k: t(f"kind_{k}") for k in charts.KIND_COLOURS}}
    maps = [{"district": layer["district"], "svg": charts.map_svg(layer)} for layer in shown["maps"]]
    return render_template("dashboard.html", result=result, figures=figures, maps=maps, growth=GROWTH,
                           legend=charts.legend(labels),
                           options=shown["options"], streets=shown["streets"], communities=shown["communities"],
                           filters=filters, ignored=shown["ignored"], query=urlencode(filters))
