"""Reveals of a volunteer's personal data and the person's view of them (分级查看, with a reason)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import LocalDateTime, WholeNumber


class RevealRequestSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(["phone", "id_number"]))
    reason = fields.String(required=True, validate=validate.Length(min=5, max=300), metadata={
        "description": "why the whole value is needed; recorded in the audit log and shown to the person"})


class RevealSchema(Schema):
    volunteer_id = WholeNumber()
    field = fields.String()
    value = fields.String(metadata={"description": "the whole phone or ID number"})
    revealed_at = LocalDateTime()


class DisclosureSchema(Schema):
    at = LocalDateTime()
    by = fields.String(metadata={"description": "the account that revealed it"})
    role = fields.String()
    field = fields.String()
    reason = fields.String()
