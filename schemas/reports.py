"""A report (报表) request: GET /reports/linkage, the dashboard's scope plus a period and a file format."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.stats import PERIOD_PATTERN, StatsQuerySchema

FORMATS = ("xlsx", "pdf")


class ReportQuerySchema(StatsQuerySchema):
    period = fields.String(
        required=True,
        validate=validate.Regexp(PERIOD_PATTERN, error="report.period_format"),
        metadata={"description": "a month YYYY-MM or a year YYYY, in China's time"},
    )
    format = fields.String(
        load_default="xlsx",
        validate=validate.OneOf(FORMATS, error="report.format_choice"),
        metadata={"description": "xlsx (one sheet per section, =SUM totals) or pdf (with charts)"},
    )
