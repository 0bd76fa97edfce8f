"""/hours, /volunteers/{id}/hours, certificates: volunteer service records that a district can trust."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import exports
from linkage.api.caller import write_as_caller
from linkage.api.paging import answer_page
from linkage.errors import NotFound
from linkage.http.context import actor, platform, session
from linkage.http.downloads import attachment
from linkage.models import HourEntry, RecordStatus
from linkage.policy.service import may_download_certificate
from linkage.reports.certificate_pdf import render_certificate
from linkage.services import certificates, hour_reports, hours, transfer
from schemas.common import MAX_INTEGER
from schemas.hours import (
    CertificateCheckSchema,
    CertificateRequestSchema,
    CertificateSchema,
    ChainCheckSchema,
    CorrectionSchema,
    DisputeSchema,
    HourRecordSchema,
    HoursQuerySchema,
    HoursReportPageSchema,
    HoursReportQuerySchema,
    HoursReportRowSchema,
    LogHoursSchema,
    ReviewSchema,
    RevocationSchema,
    VolunteerHoursSchema,
)

blp = Blueprint("hours", __name__, url_prefix="/api/v1", description="志愿服务记录与证明 / hours and certificates")
TOTAL_HEADER = {"X-Total-Count": {"description": "records matching the filters, over all pages",
                                  "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}}}


def _record_view(entry: HourEntry) -> dict:
    return hours.entry_record(entry, hours.status_of(session(), entry))


@blp.route("/hours")
class Hours(MethodView):
    @blp.arguments(HoursQuerySchema, location="query")
    @blp.response(200, HourRecordSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Records the caller may see (their own, their organization's, their community's, …), newest
        first, a page at a time; X-Total-Count is how many match."""
        who = actor()
        return answer_page(
            lambda page, size: hours.list_records(session(), who, volunteer_id=args.get("volunteer_id"),
                                                  project_id=args.get("project_id"), status=args.get("status"),
                                                  page=page, page_size=size),
            args, HourRecordSchema, exports.HOURS, body=lambda rows, total, _args: (rows, {"X-Total-Count": str(total)}))

    @blp.arguments(LogHoursSchema)
    @blp.response(201, HourRecordSchema)
    def post(self, body):
        who = actor()
        with platform().uow() as uow:
            entry = hours.log_hours(uow, who, body)
            return hours.entry_record(entry, RecordStatus.PENDING)  # nobody has reviewed it yet


@blp.route("/hours/<int:entry_id>")
@blp.response(200, HourRecordSchema)
def get_record(entry_id):
    return _record_view(hours.read_record(session(), actor(), entry_id))


@blp.route("/hours/<int:entry_id>/verification", methods=["POST"])
@blp.arguments(ReviewSchema)
@blp.response(200, HourRecordSchema)
def review(body, entry_id):
    write_as_caller(hours.review_hours, entry_id, body["decision"], body["note"])
    return _record_view(hours.get_record(session(), entry_id))


@blp.route("/hours/<int:entry_id>/disputes", methods=["POST"])
@blp.arguments(DisputeSchema)
@blp.response(200, HourRecordSchema)
def dispute(body, entry_id):
    write_as_caller(hours.dispute_hours, entry_id, body["reason"])
    return _record_view(hours.get_record(session(), entry_id))


@blp.route("/hours/<int:entry_id>/corrections", methods=["POST"])
@blp.arguments(CorrectionSchema)
@blp.response(201, HourRecordSchema)
def correct(body, entry_id):
    """Returns the correcting entry; the corrected record becomes superseded (or reversed)."""
    entry = write_as_caller(hours.correct_hours, entry_id, body)
    return hours.entry_record(entry, hours.status_of(session(), entry) if entry.starts_at else None)


@blp.route("/volunteers/<int:volunteer_id>/hours")
@blp.response(200, VolunteerHoursSchema)
def volunteer_hours(volunteer_id):
    summary = hours.hours_of_volunteer(session(), actor(), volunteer_id)
    # Hours imported from other platforms (转入时长): shown beside, never in the totals above.
    return {**summary, "imported_minutes": transfer.imported_minutes(session(), volunteer_id)}


@blp.route("/volunteers/<int:volunteer_id>/hours/verify-chain")
@blp.response(200, ChainCheckSchema)
def verify_chain(volunteer_id):
    hours.read_volunteer(session(), actor(), volunteer_id)
    return hours.verify_chain(session(), volunteer_id)


@blp.route("/volunteers/<int:volunteer_id>/certificates", methods=["POST"])
@blp.arguments(CertificateRequestSchema)
@blp.response(201, CertificateSchema)
def issue_certificate(body, volunteer_id):
    """Issue a certificate; with `Accept: application/pdf` the PDF itself comes back."""
    certificate = write_as_caller(certificates.issue_certificate, platform().cipher, volunteer_id, body,
                                  platform().settings.public_base_url)
    if request.accept_mimetypes.best == "application/pdf":
        return _pdf(certificate)
    return certificate


def _pdf(certificate) -> Response:
    answer = attachment(render_certificate(certificate.snapshot), f"certificate-{certificate.code}.pdf",
                        "application/pdf")
    answer.status_code = 201 if request.method == "POST" else 200
    answer.headers["X-Certificate-Code"] = certificate.code
    return answer


@blp.route("/volunteers/<int:volunteer_id>/certificates/<code>.pdf")
def certificate_pdf(volunteer_id, code):
    who = actor()
    certificate = certificates.get_certificate(session(), code)
    if certificate.volunteer_id != volunteer_id:
        raise NotFound("certificate.unknown_code")
    if not may_download_certificate(who, certificate):  # another's certificate is not told to exist
        raise NotFound("certificate.unknown_code")
    return _pdf(certificate)


@blp.route("/certificates/<code>")
@blp.response(200, CertificateCheckSchema)
def check_certificate(code):
    """Public verification: no login."""
    return certificates.public_view(session(), certificates.get_certificate(session(), code))


@blp.route("/certificates/<code>/revocation", methods=["POST"])
@blp.arguments(RevocationSchema)
@blp.response(200, CertificateCheckSchema)
def revoke(body, code):
    certificate = write_as_caller(certificates.revoke_certificate, code, body["reason"])
    return certificates.public_view(session(), certificate)


def _report(args, **scope):
    who = actor()
    return answer_page(lambda page, size: hour_reports.hours_report(session(), who, month=args["month"], page=page,
                                                                    page_size=size, **scope),
                       args, HoursReportRowSchema, exports.HOURS_REPORT)


@blp.route("/organizations/<int:organization_id>/hours-report")
@blp.arguments(HoursReportQuerySchema, location="query")
@blp.response(200, HoursReportPageSchema)
def organization_hours_report(args, organization_id):
    """工时汇总: the organization's hour records of one month (its own staff, the district, auditors);
    format=xlsx|csv for the whole month as a file."""
    return _report(args, organization_id=organization_id)


@blp.route("/communities/<int:community_id>/hours-report")
@blp.arguments(HoursReportQuerySchema, location="query")
@blp.response(200, HoursReportPageSchema)
def community_hours_report(args, community_id):
    """工时汇总: the hour records of one month of the community's projects and volunteers (its own
    staff, the district, auditors); format=xlsx|csv for the whole month as a file."""
    return _report(args, community_id=community_id)
