"""/communities: the places needs come from."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import write_as_caller
from linkage.api.paging import page_body
from linkage.http.context import actor, session
from linkage.services import communities as service
from schemas.communities import CommunityPageSchema, CommunityQuerySchema, CommunitySchema

blp = Blueprint("communities", __name__, url_prefix="/api/v1/communities", description="社区 / communities")


@blp.route("")
class Communities(MethodView):
    @blp.arguments(CommunityQuerySchema, location="query")
    @blp.response(200, CommunityPageSchema)
    def get(self, args):
        actor()
        rows, total = service.list_communities(session(), district=args.get("district"),
                                               street=args.get("street"), page=args["page"],
                                               page_size=args["page_size"])
        return page_body(rows, total, args)

    @blp.arguments(CommunitySchema)
    @blp.response(201, CommunitySchema)
    def post(self, body):
        return write_as_caller(service.register_community, body)


@blp.route("/<int:community_id>")
class CommunityById(MethodView):
    @blp.response(200, CommunitySchema)
    def get(self, community_id):
        actor()
        return service.get_community(session(), community_id)

    @blp.arguments(CommunitySchema(partial=True))
    @blp.response(200, CommunitySchema)
    def patch(self, body, community_id):
        return write_as_caller(service.update_community, community_id, body)
