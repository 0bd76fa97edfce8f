"""/growth/brands and /growth/placements: brand organizations (品牌社会组织) and social workers placed
into social organizations (社工引入), the records behind the seeds' growth targets."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import write_as_caller
from linkage.http.context import actor, session
from linkage.services import growth as service
from schemas.growth import BrandQuerySchema, BrandRevocationSchema, BrandSchema, PlacementQuerySchema, PlacementSchema

blp = Blueprint(
    "growth",
    __name__,
    url_prefix="/api/v1/growth",
    description="培育发展 / growth records: brand organizations, social workers' placements",
)


@blp.route("/brands")
class Brands(MethodView):
    @blp.arguments(BrandQuerySchema, location="query")
    @blp.response(200, BrandSchema(many=True))
    def get(self, args):
        """Brand designations, newest first (revoked ones marked `standing` false); every logged-in role."""
        rows = service.list_brands(session(), actor(), standing_only=args["standing"])
        return service.brand_views(session(), rows)

    @blp.arguments(BrandSchema)
    @blp.response(201, BrandSchema)
    def post(self, body):
        """The district designates an organization 品牌社会组织 for a year, with a reason."""
        row = write_as_caller(service.designate_brand, body)
        return service.brand_views(session(), [row])[0]


@blp.route("/brands/<int:designation_id>/revocation", methods=["POST"])
@blp.arguments(BrandRevocationSchema)
@blp.response(200, BrandSchema)
def revoke_brand(body, designation_id):
    """The district revokes a designation (kept, with the reason)."""
    row = write_as_caller(service.revoke_brand, designation_id, body["reason"])
    return service.brand_views(session(), [row])[0]


@blp.route("/placements")
class Placements(MethodView):
    @blp.arguments(PlacementQuerySchema, location="query")
    @blp.response(200, PlacementSchema(many=True))
    def get(self, args):
        """Placements the caller may see: the district and auditors all, an organization's staff theirs,
        a social worker their own; other roles 403."""
        rows = service.list_placements(
            session(), actor(), organization_id=args.get("organization_id"), year=args.get("year")
        )
        return service.placement_views(session(), rows)

    @blp.arguments(PlacementSchema)
    @blp.response(201, PlacementSchema)
    def post(self, body):
        """The district, or the receiving organization's staff (into their own), record a placement."""
        row = write_as_caller(service.record_placement, body)
        return service.placement_views(session(), [row])[0]


@blp.route("/placements/<int:placement_id>", methods=["DELETE"])
@blp.response(204)
def remove_placement(placement_id):
    """A placement recorded in error, taken back by whoever may record it."""
    write_as_caller(service.remove_placement, placement_id)
