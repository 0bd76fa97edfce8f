"""/needs: what communities post, and the matches the matcher sends back."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import exports
from linkage.api.caller import write_as_caller
from linkage.api.paging import listed_page
from linkage.http.context import actor, platform, session
from linkage.services import matches as match_service
from linkage.services import needs as service
from schemas.needs import MatchesSchema, MatchQuerySchema, NeedPageSchema, NeedPatchSchema, NeedQuerySchema, NeedSchema

blp = Blueprint("needs", __name__, url_prefix="/api/v1/needs", description="需求 / needs")


@blp.route("")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.response(200, NeedPageSchema)
    def get(self, args):
        actor()
        return listed_page(service.list_needs, args, "status", "category", "community_id", "near", "q",
                           schema=NeedSchema, table=exports.NEEDS)

    @blp.arguments(NeedSchema)
    @blp.response(201, NeedSchema)
    def post(self, body):
        return write_as_caller(service.post_need, body)


@blp.route("/<int:need_id>")
class NeedById(MethodView):
    @blp.response(200, NeedSchema)
    def get(self, need_id):
        actor()
        return service.get_need(session(), need_id)

    @blp.arguments(NeedPatchSchema(partial=True))
    @blp.response(200, NeedSchema)
    def patch(self, body, need_id):
        """Change a need; `{"cancel": true}` cancels it."""
        who = actor()
        with platform().uow() as uow:
            if body.pop("cancel", False):
                return service.cancel_need(uow, who, need_id)
            return service.update_need(uow, who, need_id, body)


@blp.route("/<int:need_id>/matches")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, MatchesSchema)
def need_matches(args, need_id):
    who = actor()
    service.get_need(session(), need_id)
    return match_service.matches_for(session(), who, need_id, args.get("kind"), offset=args["offset"],
                                     limit=args.get("limit"))
