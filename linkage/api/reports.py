"""/reports/linkage: the monthly or yearly report (报表) of a district, street or community, as xlsx or PDF."""

from __future__ import annotations

from flask_smorest import Blueprint

from linkage.http.context import actor, session
from linkage.http.downloads import PDF_MIMETYPE, report_file
from linkage.services import reports
from linkage.spreadsheets import XLSX_MIMETYPE
from schemas.reports import ReportQuerySchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="报表 / monthly and yearly reports")

FILE = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/linkage")
@blp.arguments(ReportQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "the report file", "content": {XLSX_MIMETYPE: FILE, PDF_MIMETYPE: FILE}}})
def linkage(args):
    """The report of a scope (`?district=&street=&community_id=` as /stats/linkage) for `period`: the district
    and auditors any scope, a community's staff their own community (another's is a 404)."""
    report = reports.compile_report(
        session(),
        actor(),
        period=args["period"],
        district=args.get("district"),
        street=args.get("street"),
        community_id=args.get("community_id"),
    )
    return report_file(report, args["format"])
