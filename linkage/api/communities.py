"""/communities: the places needs come from."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import exports
from linkage.api.caller import write_as_caller
from linkage.api.paging import listed_page
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
        return listed_page(service.list_communities, args, "district", "street", "q",
                           schema=CommunitySchema, table=exports.COMMUNITIES)

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
