"""/filings: residents' groups file a community social organization (备案, public POST); community staff
review, the street confirms (docs/security.md)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.services import filings as service
from schemas.filings import (
    FilingConfirmationSchema,
    FilingPageSchema,
    FilingQuerySchema,
    FilingReceiptSchema,
    FilingReviewSchema,
    FilingSchema,
)

blp = Blueprint(
    "filings",
    __name__,
    url_prefix="/api/v1",
    description="社区社会组织备案 / filings of community social organizations (POST is public)",
)


def _view(filing, who=None):
    return service.filing_view(session(), filing, platform().cipher, who)


@blp.route("/filings")
class Filings(MethodView):
    @blp.arguments(FilingQuerySchema, location="query")
    @blp.response(200, FilingPageSchema)
    def get(self, args):
        """The filings the caller may see: their community's (community staff), every one (admin, auditor)."""
        who = actor()
        rows, total = service.list_filings(
            session(), who, status=args.get("status"), page=args["page"], page_size=args["page_size"]
        )
        return {
            "items": [_view(f, who) for f in rows],
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @blp.arguments(FilingSchema)
    @blp.response(201, FilingReceiptSchema)
    def post(self, body):
        """A group of residents files (no token): answered with its receipt page's address."""
        settings = platform().settings
        with platform().uow() as uow:
            filing = service.file_group(uow, platform().cipher, body, min_members=settings.filing_min_members)
            token = service.receipt_token(filing, settings.secret_key)
            answer = _view(filing)
        answer["receipt_url"] = f"/filings/t/{token}"  # the page (linkage.web.views_filings)
        return answer


@blp.route("/filings/<int:filing_id>")
class Filing(MethodView):
    @blp.response(200, FilingSchema)
    def get(self, filing_id):
        who = actor()
        return _view(service.get_filing(session(), who, filing_id), who)


@blp.route("/filings/<int:filing_id>/review")
class FilingReview(MethodView):
    @blp.arguments(FilingReviewSchema)
    @blp.response(200, FilingSchema)
    def post(self, body, filing_id):
        """The filing community's staff accept it (on to the street) or return it with a reason."""
        who = actor()
        with platform().uow() as uow:
            return _view(service.review_filing(uow, who, filing_id, body["decision"], body["reason"]), who)


@blp.route("/filings/<int:filing_id>/confirmation")
class FilingConfirmation(MethodView):
    @blp.arguments(FilingConfirmationSchema)
    @blp.response(200, FilingSchema)
    def post(self, body, filing_id):
        """The street (admin) confirms it, registering the organization as filed, or returns it with a reason."""
        who = actor()
        with platform().uow() as uow:
            filing = service.confirm_filing(uow, who, platform().cipher, filing_id, body["decision"], body["reason"])
            return _view(filing, who)
