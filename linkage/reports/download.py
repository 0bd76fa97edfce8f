"""A report (报表) as a file answer: the workbook or the PDF, named after the report, its scope and period."""

from __future__ import annotations

from typing import Any

from flask import Response

from linkage.http.downloads import attachment
from linkage.reports.monthly_pdf import render_report_pdf
from linkage.reports.report_xlsx import render_workbook, report_title
from linkage.spreadsheets import XLSX_MIMETYPE

PDF_MIMETYPE = "application/pdf"


def report_file(report: dict[str, Any], file_format: str) -> Response:
    """The report as a download named e.g. 五社联动月报-和平街道-2026-11.xlsx (`file_format`: xlsx or pdf)."""
    name = f"{report_title(report)}-{report['scope']['name']}-{report['period']['label']}.{file_format}"
    if file_format == "pdf":
        return attachment(render_report_pdf(report), name, PDF_MIMETYPE)
    return attachment(render_workbook(report), name, XLSX_MIMETYPE)
