"""Growth records as the API takes and gives them: brand designations (品牌社会组织) and social
workers' placements into social organizations (社工引入)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.services.growth import FIRST_YEAR
from schemas.common import LocalDateTime, WholeNumber


class BrandSchema(Schema):
    id = WholeNumber(dump_only=True)
    organization_id = WholeNumber(required=True, validate=validate.Range(min=1))
    organization_name = fields.String(dump_only=True)
    year = WholeNumber(
        required=True,
        validate=validate.Range(min=FIRST_YEAR, max=2100),
        metadata={"description": "the year designated (not after this year in China)"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    created_at = LocalDateTime(dump_only=True)
    standing = fields.Boolean(dump_only=True, metadata={"description": "counts (not revoked)"})
    revoked_at = LocalDateTime(dump_only=True, allow_none=True)
    revoke_reason = fields.String(dump_only=True)


class BrandRevocationSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class BrandQuerySchema(Schema):
    standing = fields.Boolean(load_default=False, metadata={"description": "only those not revoked"})


class PlacementSchema(Schema):
    id = WholeNumber(dump_only=True)
    social_worker_id = WholeNumber(required=True, validate=validate.Range(min=1))
    social_worker_name = fields.String(dump_only=True)
    organization_id = WholeNumber(
        validate=validate.Range(min=1),
        metadata={"description": "the receiving organization; its staff may leave it out (their own)"},
    )
    organization_name = fields.String(dump_only=True)
    placed_on = fields.Date(required=True, metadata={"description": "the day placed (China), not in the future"})
    note = fields.String(load_default="", validate=validate.Length(max=200))
    created_at = LocalDateTime(dump_only=True)


class PlacementQuerySchema(Schema):
    organization_id = WholeNumber(validate=validate.Range(min=1))
    year = WholeNumber(validate=validate.Range(min=FIRST_YEAR, max=2100))
