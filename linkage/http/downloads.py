"""A file as an answer: the body, its media type and a download name that may be Chinese (RFC 6266
filename* with an ASCII fallback), in one place for every page and endpoint that hands out a file."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(body: bytes, filename: str, mimetype: str) -> Response:
    """`body` served as a download named `filename` (e.g. 志愿者名册-2026-12.xlsx)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    if ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def exported(table, items, total: int, fmt: str) -> Response:
    """A list's items (already filtered, permitted and masked) as an xlsx or csv download named in
    Chinese; X-Export-Rows / X-Export-Total say how many rows it holds of how many match, and
    X-Export-Truncated: true that the export cap cut it short."""
    from linkage.clock import LOCAL_TZ
    from linkage.exports import EXPORT_CAP, export_file
    from linkage.models.base import utcnow

    stamp = utcnow().astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    made = export_file(table, items, total, fmt, stamp)
    answer = attachment(made.body, made.filename, made.mimetype)
    answer.headers["X-Export-Rows"] = str(made.rows)
    answer.headers["X-Export-Total"] = str(made.total)
    answer.headers["X-Export-Limit"] = str(EXPORT_CAP)
    answer.headers["X-Export-Truncated"] = "true" if made.truncated else "false"
    answer.headers["Cache-Control"] = "no-store"
    return answer


PDF_MIMETYPE = "application/pdf"


def report_file(report: dict, file_format: str) -> Response:
    """A report (报表) as a download named e.g. 五社联动月报-和平街道-2026-11.xlsx (`file_format`: xlsx or pdf)."""
    from linkage.reports.monthly_pdf import render_report_pdf
    from linkage.reports.report_xlsx import render_workbook, report_title
    from linkage.spreadsheets import XLSX_MIMETYPE

    name = f"{report_title(report)}-{report['scope']['name']}-{report['period']['label']}.{file_format}"
    if file_format == "pdf":
        return attachment(render_report_pdf(report), name, PDF_MIMETYPE)
    return attachment(render_workbook(report), name, XLSX_MIMETYPE)
