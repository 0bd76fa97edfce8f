"""/stats/linkage: the district's linkage indicators against the policy targets."""
from __future__ import annotations

from flask_smorest import Blueprint

from linkage.http.context import actor, session
from linkage.services import stats
from schemas.stats import LinkageStatsSchema, StatsQuerySchema

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="联动指标 / linkage indicators")


@blp.route("/linkage")
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, LinkageStatsSchema)
def linkage(args):
    """Indicators per district, street or community (`?district=&street=&community_id=`)."""
    actor()
    return stats.linkage_stats(session(), district=args.get("district"), street=args.get("street"),
                               community_id=args.get("community_id"))
