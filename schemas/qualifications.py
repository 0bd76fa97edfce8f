"""Volunteers' qualifications (资质) as the API takes and gives them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.taxonomy import CERTIFICATE_LEVELS, QUALIFICATION_KINDS
from schemas.common import WholeNumber


class QualificationSchema(Schema):
    id = WholeNumber(dump_only=True)
    volunteer_id = WholeNumber(dump_only=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(QUALIFICATION_KINDS)),
        metadata={
            "description": "急救证 first_aid, 驾驶证 driving_licence, 心理咨询师 counsellor, "
            "社工证 social_work (with level), …"
        },
    )
    kind_name = fields.String(dump_only=True)
    level = fields.String(
        load_default="",
        validate=validate.OneOf(["", *CERTIFICATE_LEVELS]),
        metadata={"description": "social_work only: assistant | intermediate | senior"},
    )
    number = fields.String(
        load_only=True,
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": "certificate number; stored encrypted, answered masked"},
    )
    number_masked = fields.String(dump_only=True)
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(allow_none=True, load_default=None, metadata={"description": "inclusive; null = none"})
    valid = fields.Boolean(dump_only=True, metadata={"description": "counts today (not expired)"})


class QualificationListSchema(Schema):
    items = fields.List(fields.Nested(QualificationSchema))
