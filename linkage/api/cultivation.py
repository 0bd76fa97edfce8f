"""/cohorts…, /cultivation-rubric, /annual-reports: the incubation track (孵化) and annual reports (年报)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.services import annual_reports, cultivation
from schemas.cultivation import (
    AdmitSchema,
    AnnualReportQuerySchema,
    AnnualReportSchema,
    AssessmentSchema,
    CohortDetailSchema,
    CohortSchema,
    CultivationRecordSchema,
    MemberSchema,
    OverdueQuerySchema,
    OverdueSchema,
    RubricSchema,
    UpgradeSchema,
)

blp = Blueprint(
    "cultivation",
    __name__,
    url_prefix="/api/v1",
    description="孵化批次与年报 / incubation cohorts of filed organizations, capacity rubric, annual reports",
)


@blp.route("/cultivation-rubric")
class Rubric(MethodView):
    @blp.response(200, RubricSchema)
    def get(self):
        """The published capacity rubric (能力评估标准): criteria, weights, pass mark. Public."""
        return cultivation.rubric_view()


@blp.route("/cohorts")
class Cohorts(MethodView):
    @blp.response(200, CohortSchema(many=True))
    def get(self):
        """Cohorts: all for the district and auditors, their own organization's for its staff, none otherwise."""
        return [cultivation.cohort_record(c) for c in cultivation.list_cohorts(session(), actor())]

    @blp.arguments(CohortSchema)
    @blp.response(201, CohortSchema)
    def post(self, body):
        """Open a cohort (the street's cultivation centre: admin)."""
        with platform().uow() as uow:
            return cultivation.cohort_record(cultivation.open_cohort(uow, actor(), body))


@blp.route("/cohorts/<int:cohort_id>")
class Cohort(MethodView):
    @blp.response(200, CohortDetailSchema)
    def get(self, cohort_id):
        """A cohort with the members the caller may see (an organization's staff: their own only)."""
        return cultivation.read_cohort(session(), actor(), cohort_id)


@blp.route("/cohorts/<int:cohort_id>/close")
class CloseCohort(MethodView):
    @blp.response(200, CohortSchema)
    def post(self, cohort_id):
        with platform().uow() as uow:
            return cultivation.cohort_record(cultivation.close_cohort(uow, actor(), cohort_id))


def _member(cohort_id: int, organization_id: int) -> dict:
    with platform().read_session() as s:
        return cultivation.read_member(s, actor(), cohort_id, organization_id)


@blp.route("/cohorts/<int:cohort_id>/members")
class Members(MethodView):
    @blp.arguments(AdmitSchema)
    @blp.response(201, MemberSchema)
    def post(self, body, cohort_id):
        """Admit a filed (备案) organization; a registered one, or one in another open cohort, is refused (409)."""
        with platform().uow() as uow:
            member = cultivation.admit_organization(uow, actor(), cohort_id, body["organization_id"])
        return _member(cohort_id, member.organization_id)


@blp.route("/cohorts/<int:cohort_id>/members/<int:organization_id>")
class Member(MethodView):
    @blp.response(200, MemberSchema)
    def get(self, cohort_id, organization_id):
        """A member's records and assessments: the district, auditors, the organization's own staff."""
        return cultivation.read_member(session(), actor(), cohort_id, organization_id)


@blp.route("/cohorts/<int:cohort_id>/members/<int:organization_id>/records")
class Records(MethodView):
    @blp.arguments(CultivationRecordSchema)
    @blp.response(201, CultivationRecordSchema)
    def post(self, body, cohort_id, organization_id):
        """Record a mentoring session (辅导), training (培训) or milestone (里程碑)."""
        with platform().uow() as uow:
            return cultivation.record_view(cultivation.add_record(uow, actor(), cohort_id, organization_id, body))


@blp.route("/cohorts/<int:cohort_id>/members/<int:organization_id>/assessments")
class Assessments(MethodView):
    @blp.arguments(AssessmentSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, cohort_id, organization_id):
        """Assess capacity on the published rubric: every criterion scored 0–100; total and outcome computed."""
        with platform().uow() as uow:
            return cultivation.assessment_view(cultivation.assess(uow, actor(), cohort_id, organization_id, body))


@blp.route("/cohorts/<int:cohort_id>/members/<int:organization_id>/graduate")
class Graduate(MethodView):
    @blp.response(200, MemberSchema)
    def post(self, cohort_id, organization_id):
        """出壳: when the latest assessment passed (else 409 with the reason)."""
        with platform().uow() as uow:
            cultivation.graduate(uow, actor(), cohort_id, organization_id)
        return _member(cohort_id, organization_id)


@blp.route("/cohorts/<int:cohort_id>/members/<int:organization_id>/upgrade")
class Upgrade(MethodView):
    @blp.arguments(UpgradeSchema)
    @blp.response(200, MemberSchema)
    def post(self, body, cohort_id, organization_id):
        """Upgrade to registered (登记) with a valid USCC; the matcher hears of it."""
        with platform().uow() as uow:
            cultivation.upgrade(uow, actor(), platform().cipher, cohort_id, organization_id, body["uscc"])
        return _member(cohort_id, organization_id)


@blp.route("/annual-reports")
class AnnualReports(MethodView):
    @blp.arguments(AnnualReportQuerySchema, location="query")
    @blp.response(200, AnnualReportSchema(many=True))
    def get(self, args):
        """Annual reports (年报): the organization's own for its staff; all for the district and auditors."""
        return annual_reports.list_reports(session(), actor(), **args)

    @blp.arguments(AnnualReportSchema)
    @blp.response(201, AnnualReportSchema)
    def post(self, body):
        """Submit the organization's report on a year that has ended (its own staff; once per year)."""
        with platform().uow() as uow:
            row = annual_reports.submit_report(uow, actor(), body)
        with platform().read_session() as s:
            return annual_reports.read_report(s, actor(), row.id)


@blp.route("/annual-reports/overdue")
class Overdue(MethodView):
    @blp.arguments(OverdueQuerySchema, location="query")
    @blp.response(200, OverdueSchema(many=True))
    def get(self, args):
        """Organizations whose report on `year` (last year by default) is missing after its due date."""
        return annual_reports.overdue(session(), actor(), args.get("year"))


@blp.route("/annual-reports/<int:report_id>")
class AnnualReport(MethodView):
    @blp.response(200, AnnualReportSchema)
    def get(self, report_id):
        return annual_reports.read_report(session(), actor(), report_id)
