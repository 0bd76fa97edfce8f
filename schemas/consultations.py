"""Residents' voice (议事协商) as the API takes and gives it: consultations, codes, proposals, votes, results."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.taxonomy import CATEGORIES
from schemas.common import LocalDateTime, Name, WholeNumber

CODE = {
    "required": True,
    "validate": validate.Length(min=4, max=20),
    "metadata": {"description": "the one-time code (议事码) handed to the household"},
}


class ConsultationSchema(Schema):
    id = WholeNumber(dump_only=True)
    community_id = WholeNumber(
        load_default=None, metadata={"description": "community staff: their own (may be left out)"}
    )
    community_name = fields.String(dump_only=True)
    title = Name(max_len=100, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    opens_at = LocalDateTime(required=True)
    closes_at = LocalDateTime(required=True)
    max_proposals = WholeNumber(load_default=20, validate=validate.Range(min=1, max=200))
    status = fields.String(dump_only=True, metadata={"description": "open | closed (closed by its staff)"})
    phase = fields.String(
        dump_only=True, metadata={"description": "upcoming | open | closed (by staff or by closes_at)"}
    )
    codes_issued = WholeNumber(dump_only=True)
    codes_voted = WholeNumber(dump_only=True)

    @validates_schema
    def _window(self, data, **kwargs):
        if "opens_at" in data and "closes_at" in data and data["opens_at"] >= data["closes_at"]:
            raise ValidationError("consultation.closes_after_opens", "closes_at")


class ConsultationCodesRequestSchema(Schema):
    count = WholeNumber(required=True, validate=validate.Range(min=1, max=2000))


class ConsultationCodesSchema(Schema):
    consultation_id = WholeNumber()
    codes = fields.List(fields.String(), metadata={"description": "shown once; only hashes are stored"})


class ProposalSchema(Schema):
    code = fields.String(load_only=True, **CODE)
    id = WholeNumber(dump_only=True)
    consultation_id = WholeNumber(dump_only=True)
    title = Name(max_len=100, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class VoteSchema(Schema):
    code = fields.String(load_only=True, **CODE)
    item_id = WholeNumber(required=True)
    receipt = fields.String(dump_only=True, metadata={"description": "anonymous: find it on the result page"})


class ItemToNeedSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    starts_at = LocalDateTime(load_default=None, metadata={"description": "default: tomorrow"})
    ends_at = LocalDateTime(load_default=None, metadata={"description": "default: 30 days after the start"})

    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] >= data["ends_at"]:
            raise ValidationError("field.ends_after_starts", "ends_at")


class ResultItemSchema(Schema):
    id = WholeNumber()
    title = fields.String()
    description = fields.String()
    votes = WholeNumber()
    receipts = fields.List(fields.String())
    leading = fields.Boolean()
    need_id = WholeNumber(allow_none=True)
    need_status = fields.String(allow_none=True, metadata={"description": "what became of it: the need's status"})


class ConsultationResultSchema(Schema):
    id = WholeNumber()
    community_id = WholeNumber()
    community_name = fields.String()
    title = fields.String()
    description = fields.String()
    opens_at = LocalDateTime()
    closes_at = LocalDateTime()
    max_proposals = WholeNumber()
    phase = fields.String()
    votes = WholeNumber(metadata={"description": "equals the number of receipts listed"})
    codes_issued = WholeNumber()
    codes_voted = WholeNumber()
    items = fields.List(fields.Nested(ResultItemSchema))
