"""/funding-rounds, /applications, /grants: venture philanthropy (公益创投) from the call to the closing report."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import read_as_caller as _read
from linkage.api.caller import write_as_caller as _write
from linkage.http.context import actor, session
from linkage.models.funding import EntryKind
from linkage.services import funding
from schemas.funding import (
    AcceptanceSchema,
    ApplicationRequestSchema,
    ApplicationSchema,
    AwardRequestSchema,
    AwardsSchema,
    ClosingReportSchema,
    CorrectionRequestSchema,
    EntrySchema,
    ExpenditureRequestSchema,
    FundingReviewRequestSchema,
    FundingReviewSchema,
    GrantSchema,
    LedgerSchema,
    PublicSummarySchema,
    ReviewerRequestSchema,
    ReviewerSchema,
    RoundQuerySchema,
    RoundRequestSchema,
    RoundSchema,
    RoundTransitionSchema,
    SupervisionSchema,
)

blp = Blueprint("funding", __name__, url_prefix="/api/v1", description="公益创投 / venture philanthropy")


def _entry(use_case, *args) -> dict:
    """A ledger movement, as its record."""
    return funding.rounds.entry_record(_write(use_case, *args))


@blp.route("/funding-rounds")
class Rounds(MethodView):
    @blp.arguments(RoundQuerySchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, args):
        actor()
        return funding.rounds.list_rounds(session(), args.get("status"))

    @blp.arguments(RoundRequestSchema)
    @blp.response(201, RoundSchema)
    def post(self, body):
        return _write(funding.rounds.open_round, body)


@blp.route("/funding-rounds/<int:round_id>")
@blp.response(200, RoundSchema)
def get_round(round_id):
    actor()
    return funding.rounds.get_round(session(), round_id)


@blp.route("/funding-rounds/<int:round_id>/transitions", methods=["POST"])
@blp.arguments(RoundTransitionSchema)
@blp.response(200, RoundSchema)
def transition(body, round_id):
    return _write(funding.rounds.transition_round, round_id, body["to"])


@blp.route("/funding-rounds/<int:round_id>/applications")
class Applications(MethodView):
    @blp.response(200, ApplicationSchema(many=True))
    def get(self, round_id):
        """The applications the caller may see: all for the district, its own for an organization."""
        return _read(funding.rounds.list_applications, round_id)

    @blp.arguments(ApplicationRequestSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, body, round_id):
        return _write(funding.rounds.apply_for_funding, round_id, body)


@blp.route("/applications/<int:application_id>")
@blp.response(200, ApplicationSchema)
def get_application(application_id):
    return _read(funding.rounds.view_application, application_id)


@blp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
@blp.arguments(ReviewerRequestSchema)
@blp.response(201, ReviewerSchema)
def assign_reviewer(body, application_id):
    return _write(funding.reviews.assign_reviewer, application_id, body["user_id"])


@blp.route("/applications/<int:application_id>/reviews")
class Reviews(MethodView):
    @blp.response(200, FundingReviewSchema(many=True))
    def get(self, application_id):
        return _read(funding.reviews.reviews_for, application_id)

    @blp.arguments(FundingReviewRequestSchema)
    @blp.response(201, FundingReviewSchema)
    def post(self, body, application_id):
        return funding.rounds.review_record(
            _write(funding.reviews.review_application, application_id, body["scores"], body["comments"])
        )


@blp.route("/funding-rounds/<int:round_id>/awards")
class Awards(MethodView):
    @blp.response(200, AwardsSchema)
    def get(self, round_id):
        """The allocation with each application's reasons: a preview until committed, then public to users."""
        return _read(funding.awards.awards_view, round_id)

    @blp.arguments(AwardRequestSchema)
    @blp.response(201, AwardsSchema)
    def post(self, body, round_id):
        """Commit the awards, optionally overriding amounts with a recorded reason."""
        return _write(funding.awards.award_round, round_id, body["overrides"])


@blp.route("/grants/<int:grant_id>")
@blp.response(200, GrantSchema)
def get_grant(grant_id):
    return _read(funding.supervision.grant_view, grant_id)


@blp.route("/grants/<int:grant_id>/milestones/<int:n>/acceptance", methods=["POST"])
@blp.arguments(AcceptanceSchema)
@blp.response(200, GrantSchema)
def accept_milestone(body, grant_id, n):
    _write(funding.grants.accept_milestone, grant_id, n, body["note"])
    return _read(funding.supervision.grant_view, grant_id)


@blp.route("/grants/<int:grant_id>/disbursements")
class Disbursements(MethodView):
    @blp.response(200, EntrySchema(many=True))
    def get(self, grant_id):
        return _read(funding.supervision.grant_movements, grant_id, EntryKind.DISBURSEMENT.value)

    @blp.response(201, EntrySchema)
    def post(self, grant_id):
        """Release the next tranche; 409 until its milestone is accepted."""
        return _entry(funding.grants.disburse_tranche, grant_id)


@blp.route("/grants/<int:grant_id>/expenditures")
class Expenditures(MethodView):
    @blp.response(200, EntrySchema(many=True))
    def get(self, grant_id):
        return _read(funding.supervision.grant_movements, grant_id, EntryKind.EXPENDITURE.value)

    @blp.arguments(ExpenditureRequestSchema)
    @blp.response(201, EntrySchema)
    def post(self, body, grant_id):
        return _entry(funding.grants.report_expenditure, grant_id, body)


@blp.route("/grants/<int:grant_id>/corrections", methods=["POST"])
@blp.arguments(CorrectionRequestSchema)
@blp.response(201, EntrySchema)
def correct(body, grant_id):
    """A reversing entry; the corrected entry stays on the chain, marked reversed."""
    return _entry(funding.grants.correct_entry, grant_id, body["entry_id"], body["reason"])


@blp.route("/grants/<int:grant_id>/closing-report", methods=["POST"])
@blp.arguments(ClosingReportSchema)
@blp.response(200, GrantSchema)
def closing_report(body, grant_id):
    _write(funding.grants.close_grant, grant_id, body["summary"])
    return _read(funding.supervision.grant_view, grant_id)


@blp.route("/funding-rounds/<int:round_id>/supervision")
@blp.response(200, SupervisionSchema)
def supervision(round_id):
    return _read(funding.supervision.supervision, round_id)


@blp.route("/funding-rounds/<int:round_id>/ledger")
@blp.response(200, LedgerSchema)
def ledger(round_id):
    return _read(funding.supervision.ledger_view, round_id)


@blp.route("/funding-rounds/<int:round_id>/public-summary")
@blp.response(200, PublicSummarySchema, description="no login: residents' oversight (居民参与监督)")
def public_summary(round_id):
    return funding.supervision.public_summary(session(), round_id)
