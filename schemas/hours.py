"""Hour records, reviews, corrections, totals, and certificates."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import LocalDateTime, PageArgs, WholeNumber, decision_schema, page_of


class _Window(Schema):
    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] >= data["ends_at"]:
            raise ValidationError("field.ends_after_starts", "ends_at")


class LogHoursSchema(_Window):
    activity_id = WholeNumber(required=True, validate=validate.Range(min=1))
    volunteer_id = WholeNumber(
        validate=validate.Range(min=1), metadata={"description": "org staff entering hours for a volunteer"}
    )
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    content = fields.String(load_default="", validate=validate.Length(max=500))
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "why the hours are entered afterwards (补录); required of org staff"},
    )


class HourRecordSchema(Schema):
    id = WholeNumber()
    volunteer_id = WholeNumber()
    seq = WholeNumber()
    action = fields.String()
    target_id = WholeNumber(allow_none=True)
    project_id = WholeNumber(allow_none=True)
    activity_id = WholeNumber(allow_none=True)
    organization_id = WholeNumber(allow_none=True)
    starts_at = fields.String(allow_none=True)
    ends_at = fields.String(allow_none=True)
    minutes = WholeNumber()
    content = fields.String()
    source = fields.String()
    reason = fields.String()
    status = fields.String(allow_none=True)
    hash = fields.String()


ReviewSchema = decision_schema(
    "ReviewSchema", ("verify", "reject"), reason="note", max_len=300, message="hours.reject_reason_field"
)


class DisputeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class CorrectionSchema(_Window):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))
    reverse = fields.Boolean(load_default=False, metadata={"description": "true cancels the record"})
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    content = fields.String(validate=validate.Length(max=500))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data.get("reverse") and not any(k in data for k in ("starts_at", "ends_at", "content")):
            raise ValidationError("hours.correction_content", "reverse")


class HoursQuerySchema(PageArgs):
    """The list stays a JSON array; its pages follow the other lists' page/page_size, and the
    X-Total-Count header says how many records match. A page holds up to 500 (the old whole list)."""

    page_size = WholeNumber(load_default=500, validate=validate.Range(min=1, max=500))
    volunteer_id = WholeNumber(validate=validate.Range(min=1))
    project_id = WholeNumber(validate=validate.Range(min=1))
    status = fields.String(
        validate=validate.OneOf(["pending", "verified", "rejected", "disputed", "superseded", "reversed"])
    )


class YearTotalSchema(Schema):
    year = WholeNumber()
    verified_minutes = WholeNumber()


class HourKindSchema(Schema):
    minutes = WholeNumber(metadata={"description": "standing (pending, verified, disputed) minutes"})
    verified_minutes = WholeNumber()


class VolunteerHoursSchema(Schema):
    volunteer_id = WholeNumber()
    total_minutes = WholeNumber()
    verified_minutes = WholeNumber()
    verified_hours = fields.Float()
    credit = fields.Nested(HourKindSchema, metadata={"description": "信用时长: recorded by check-in and check-out"})
    honour = fields.Nested(
        HourKindSchema, metadata={"description": "荣誉时长: entered afterwards by staff (补录) or self-reported"}
    )
    per_year = fields.List(fields.Nested(YearTotalSchema))
    star_level = WholeNumber()
    star_thresholds_hours = fields.List(WholeNumber())
    # The next star level and the verified minutes still to serve for it; null at the top level.
    star_next = fields.Dict(keys=fields.String(), values=WholeNumber(), allow_none=True)
    records = fields.List(fields.Nested(HourRecordSchema))
    # Imported from other platforms (转入时长, GET .../imported-hours): apart from every total above.
    imported_minutes = WholeNumber()


class ChainCheckSchema(Schema):
    volunteer_id = WholeNumber()
    valid = fields.Boolean()
    entries = WholeNumber()
    first_bad_entry_id = WholeNumber(allow_none=True)
    first_bad_seq = WholeNumber(allow_none=True)


class CertificateRequestSchema(Schema):
    organization_id = WholeNumber(validate=validate.Range(min=1))
    person_in_charge = fields.String(validate=validate.Length(max=50))
    handler = fields.String(validate=validate.Length(max=50))
    contact = fields.String(validate=validate.Length(max=50))


class CertificateSchema(Schema):
    code = fields.String()
    volunteer_id = WholeNumber()
    verified_minutes = WholeNumber()
    issued_at = LocalDateTime()
    verify_url = fields.Function(lambda c: c.snapshot["verify_url"])
    pdf_url = fields.Function(lambda c: f"/api/v1/volunteers/{c.volunteer_id}/certificates/{c.code}.pdf")
    issuer = fields.Function(lambda c: c.snapshot["issuer"]["name"])


class CertificateCheckSchema(Schema):
    code = fields.String()
    valid = fields.Boolean()
    status = fields.String()
    volunteer_name = fields.String()
    verified_hours = fields.Float()
    issuer = fields.String()
    issued_on = fields.String()
    revoked_at = LocalDateTime(allow_none=True)
    revoked_reason = fields.String()


class RevocationSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class HoursReportQuerySchema(PageArgs):
    """One calendar month (China's) of an organization's or a community's hour records; with
    format=xlsx|csv the whole month as a file (工时汇总导出)."""

    page_size = WholeNumber(load_default=100, validate=validate.Range(min=1, max=500))
    month = fields.String(
        required=True,
        validate=validate.Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])$", error="hours.report_month"),
        metadata={"example": "2026-11", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"},
    )


class HoursReportRowSchema(Schema):
    id = WholeNumber()
    volunteer_id = WholeNumber()
    volunteer_code = fields.String(allow_none=True)
    volunteer_name = fields.String(allow_none=True)
    organization_id = WholeNumber(allow_none=True)
    organization_name = fields.String(allow_none=True)
    project_id = WholeNumber(allow_none=True)
    project_title = fields.String(allow_none=True)
    activity_id = WholeNumber(allow_none=True)
    starts_at = fields.String()
    ends_at = fields.String(allow_none=True)
    minutes = WholeNumber()
    content = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    status = fields.String()


HoursReportPageSchema = page_of(HoursReportRowSchema)
