"""/organizations, /social-workers, /volunteers, /resources: one blueprint per provider kind."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import exports
from linkage.api.paging import answer_page
from linkage.http.context import actor, platform, session
from linkage.services import providers as service
from schemas.providers import PAGES, QUERIES, SCHEMAS, VIEWS

PATHS = {"organization": "organizations", "social_worker": "social-workers",
         "volunteer": "volunteers", "resource": "resources"}
TITLES = {"organization": "社会组织 / social organizations", "social_worker": "社会工作者 / social workers",
          "volunteer": "社区志愿者 / volunteers", "resource": "社会慈善资源 / charity resources"}


def _shown(db, who, kind: str, obj):
    """One provider as the policy lets `who` see it (linkage.services.providers.shown)."""
    return service.shown(db, who, kind, [obj], platform().cipher)[0]


def make_blueprint(kind: str) -> Blueprint:
    schema, view, page_schema = SCHEMAS[kind], VIEWS[kind], PAGES[kind]
    blp = Blueprint(PATHS[kind], __name__, url_prefix=f"/api/v1/{PATHS[kind]}",
                    description=TITLES[kind])

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(QUERIES[kind], location="query")
        @blp.response(200, page_schema)
        def get(self, args):
            filters = {k: args.get(k) for k in ("organization_id", "community_id", "phone")}
            who = actor()

            def fetch(page, page_size):
                rows, total = service.list_providers(session(), who, kind, filters=filters, page=page,
                                                     page_size=page_size,
                                                     include_inactive=args["include_inactive"],
                                                     cipher=platform().cipher, q=args.get("q"))
                return service.shown(session(), who, kind, rows, platform().cipher), total
            return answer_page(fetch, args, view, exports.PROVIDERS[kind])

        @blp.arguments(schema)
        @blp.response(201, view)
        def post(self, body):
            who = actor()
            with platform().uow() as uow:
                return _shown(uow.session, who, kind,
                              service.register_provider(uow, who, kind, body, platform().cipher))

    @blp.route("/<int:provider_id>")
    class Item(MethodView):
        @blp.response(200, view)
        def get(self, provider_id):
            who = actor()
            return _shown(session(), who, kind, service.read_provider(session(), who, kind, provider_id))

        @blp.arguments(schema(partial=True))
        @blp.response(200, view)
        def patch(self, body, provider_id):
            who = actor()
            with platform().uow() as uow:
                return _shown(uow.session, who, kind, service.update_provider(uow, who, kind, provider_id,
                                                                              body, platform().cipher))

        @blp.response(200, view)
        def delete(self, provider_id):
            """Deactivate: the provider stops ranking; its history stays."""
            who = actor()
            with platform().uow() as uow:
                return _shown(uow.session, who, kind, service.deactivate_provider(uow, who, kind, provider_id))

    Collection.__name__ = f"{kind.title().replace('_', '')}Collection"
    Item.__name__ = f"{kind.title().replace('_', '')}Item"
    return blp


BLUEPRINTS = [make_blueprint(kind) for kind in PATHS]
