"""The volunteer's check-in or check-out at the venue, by the scanned code or the 6 digits read out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.services.checkin_codes import STEPS


class ScanRequestSchema(Schema):
    step = fields.String(required=True, validate=validate.OneOf(STEPS, error="checkin.step_choice"))
    c = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "the signed code of the QR's scan URL"},
    )
    digits = fields.String(
        load_default="",
        validate=validate.Regexp(r"^\d{6}$", error="checkin.digits_wrong"),
        metadata={"description": "the 6-digit code the organizer reads out"},
    )
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    content = fields.String(load_default="", validate=validate.Length(max=500))
