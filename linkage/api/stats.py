"""/stats/linkage: the district's linkage indicators against the policy targets."""
from __future__ import annotations

from flask_smorest import Blueprint

from linkage.http.context import actor, session
from linkage.services import stats
from linkage.services.periods import parse_period
from schemas.stats import LinkageStatsSchema, StatsQuerySchema

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="联动指标 / linkage indicators")


@blp.route("/linkage")
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, LinkageStatsSchema)
def linkage(args):
    """Indicators per district, street or community (`?district=&street=&community_id=`); with
    `period` (2026-11 or 2026) the flows of that period, as its report (报表) counts them."""
    actor()
    window = parse_period(args["period"]).window if args.get("period") else None
    return stats.linkage_stats(session(), district=args.get("district"), street=args.get("street"),
                               community_id=args.get("community_id"), window=window)
