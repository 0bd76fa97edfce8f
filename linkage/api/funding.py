"""/funding-rounds, /applications, /grants: venture philanthropy (公益创投) from the call to the closing report."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.models.funding import EntryKind
from linkage.services import funding, funding_awards, funding_grants, funding_reviews, funding_supervision
from schemas.funding import (AcceptanceSchema, ApplicationRequestSchema, ApplicationSchema, AwardRequestSchema,
                             AwardsSchema, ClosingReportSchema, CorrectionRequestSchema, EntrySchema,
                             ExpenditureRequestSchema, GrantSchema, LedgerSchema, PublicSummarySchema,
                             ReviewerRequestSchema, ReviewerSchema, FundingReviewRequestSchema, FundingReviewSchema,
                             RoundQuerySchema, RoundRequestSchema, RoundSchema, RoundTransitionSchema,
                             SupervisionSchema)

blp = Blueprint("funding", __name__, url_prefix="/api/v1", description="公益创投 / venture philanthropy")


def _entry(entry) -> dict:
    return funding.entry_record(entry)


@blp.route("/funding-rounds")
class Rounds(MethodView):
    @blp.arguments(RoundQuerySchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, args):
        actor()
        return funding.list_rounds(session(), args.get("status"))

    @blp.arguments(RoundRequestSchema)
    @blp.response(201, RoundSchema)
    def post(self, body):
        who = actor()
        with platform().uow() as uow:
            return funding.open_round(uow, who, body)


@blp.route("/funding-rounds/<int:round_id>")
@blp.response(200, RoundSchema)
def get_round(round_id):
    actor()
    return funding.get_round(session(), round_id)


@blp.route("/funding-rounds/<int:round_id>/transitions", methods=["POST"])
@blp.arguments(RoundTransitionSchema)
@blp.response(200, RoundSchema)
def transition(body, round_id):
    who = actor()
    with platform().uow() as uow:
        return funding.transition_round(uow, who, round_id, body["to"])


@blp.route("/funding-rounds/<int:round_id>/applications")
class Applications(MethodView):
    @blp.response(200, ApplicationSchema(many=True))
    def get(self, round_id):
        """The applications the caller may see: all for the district, its own for an organization."""
        return funding.list_applications(session(), actor(), round_id)

    @blp.arguments(ApplicationRequestSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, body, round_id):
        who = actor()
        with platform().uow() as uow:
            return funding.apply_for_funding(uow, who, round_id, body)


@blp.route("/applications/<int:application_id>")
@blp.response(200, ApplicationSchema)
def get_application(application_id):
    return funding.view_application(session(), actor(), application_id)


@blp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
@blp.arguments(ReviewerRequestSchema)
@blp.response(201, ReviewerSchema)
def assign_reviewer(body, application_id):
    who = actor()
    with platform().uow() as uow:
        return funding_reviews.assign_reviewer(uow, who, application_id, body["user_id"])


@blp.route("/applications/<int:application_id>/reviews")
class Reviews(MethodView):
    @blp.response(200, FundingReviewSchema(many=True))
    def get(self, application_id):
        return funding_reviews.reviews_for(session(), actor(), application_id)

    @blp.arguments(FundingReviewRequestSchema)
    @blp.response(201, FundingReviewSchema)
    def post(self, body, application_id):
        who = actor()
        with platform().uow() as uow:
            return funding.review_record(funding_reviews.review_application(uow, who, application_id, body["scores"],
                                                                    body["comments"]))


@blp.route("/funding-rounds/<int:round_id>/awards")
class Awards(MethodView):
    @blp.response(200, AwardsSchema)
    def get(self, round_id):
        """The allocation with each application's reasons: a preview until committed, then public to users."""
        return funding_awards.awards_view(session(), actor(), round_id)

    @blp.arguments(AwardRequestSchema)
    @blp.response(201, AwardsSchema)
    def post(self, body, round_id):
        """Commit the awards, optionally overriding amounts with a recorded reason."""
        who = actor()
        with platform().uow() as uow:
            return funding_awards.award_round(uow, who, round_id, body["overrides"])


@blp.route("/grants/<int:grant_id>")
@blp.response(200, GrantSchema)
def get_grant(grant_id):
    return funding_supervision.grant_view(session(), actor(), grant_id)


@blp.route("/grants/<int:grant_id>/milestones/<int:n>/acceptance", methods=["POST"])
@blp.arguments(AcceptanceSchema)
@blp.response(200, GrantSchema)
def accept_milestone(body, grant_id, n):
    who = actor()
    with platform().uow() as uow:
        funding_grants.accept_milestone(uow, who, grant_id, n, body["note"])
    return funding_supervision.grant_view(session(), who, grant_id)


@blp.route("/grants/<int:grant_id>/disbursements")
class Disbursements(MethodView):
    @blp.response(200, EntrySchema(many=True))
    def get(self, grant_id):
        return funding_supervision.grant_movements(session(), actor(), grant_id, EntryKind.DISBURSEMENT.value)

    @blp.response(201, EntrySchema)
    def post(self, grant_id):
        """Release the next tranche; 409 until its milestone is accepted."""
        who = actor()
        with platform().uow() as uow:
            return _entry(funding_grants.disburse_tranche(uow, who, grant_id))


@blp.route("/grants/<int:grant_id>/expenditures")
class Expenditures(MethodView):
    @blp.response(200, EntrySchema(many=True))
    def get(self, grant_id):
        return funding_supervision.grant_movements(session(), actor(), grant_id, EntryKind.EXPENDITURE.value)

    @blp.arguments(ExpenditureRequestSchema)
    @blp.response(201, EntrySchema)
    def post(self, body, grant_id):
        who = actor()
        with platform().uow() as uow:
            return _entry(funding_grants.report_expenditure(uow, who, grant_id, body))


@blp.route("/grants/<int:grant_id>/corrections", methods=["POST"])
@blp.arguments(CorrectionRequestSchema)
@blp.response(201, EntrySchema)
def correct(body, grant_id):
    """A reversing entry; the corrected entry stays on the chain, marked reversed."""
    who = actor()
    with platform().uow() as uow:
        return _entry(funding_grants.correct_entry(uow, who, grant_id, body["entry_id"], body["reason"]))


@blp.route("/grants/<int:grant_id>/closing-report", methods=["POST"])
@blp.arguments(ClosingReportSchema)
@blp.response(200, GrantSchema)
def closing_report(body, grant_id):
    who = actor()
    with platform().uow() as uow:
        funding_grants.close_grant(uow, who, grant_id, body["summary"])
    return funding_supervision.grant_view(session(), who, grant_id)


@blp.route("/funding-rounds/<int:round_id>/supervision")
@blp.response(200, SupervisionSchema)
def supervision(round_id):
    return funding_supervision.supervision(session(), actor(), round_id)


@blp.route("/funding-rounds/<int:round_id>/ledger")
@blp.response(200, LedgerSchema)
def ledger(round_id):
    return funding_supervision.ledger_view(session(), actor(), round_id)


@blp.route("/funding-rounds/<int:round_id>/public-summary")
@blp.response(200, PublicSummarySchema, description="no login: residents' oversight (居民参与监督)")
def public_summary(round_id):
    return funding_supervision.public_summary(session(), round_id)
