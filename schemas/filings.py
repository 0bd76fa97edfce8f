"""Filings (备案) of community social organizations as the API takes and gives them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models import FilingStatus
from linkage.taxonomy import CATEGORIES
from schemas.common import ID_NUMBER_PATTERN, LocalDateTime, Name, PageArgs, WholeNumber, decision_schema, page_of
from schemas.providers import MobilePhone, ResidentIdNumber

MAX_MEMBERS = 200


class MemberSchema(Schema):
    name = Name(max_len=50, required=True)
    phone = MobilePhone(
        required=True,
        metadata={
            # no "pattern" here: the answer is masked (138****5678), which a pattern of whole numbers refuses
            "description": "mainland mobile in; kept and answered masked only (138****5678)"
        },
    )


class FilingSchema(Schema):
    """A group's filing, as it posts it (no account) and as staff read it."""

    id = WholeNumber(dump_only=True)
    community_id = WholeNumber(required=True)
    community_name = fields.String(dump_only=True)
    name = Name(required=True, metadata={"description": "the group's name, e.g. 海棠舞蹈队"})
    field = fields.String(
        required=True,
        validate=validate.OneOf(list(CATEGORIES)),
        metadata={"description": "服务领域, one of /api/v1/categories"},
    )
    members = fields.List(
        fields.Nested(MemberSchema),
        required=True,
        validate=validate.Length(max=MAX_MEMBERS),
        metadata={"description": "at least LINKAGE_FILING_MIN_MEMBERS (default 3); phones answered masked"},
    )
    member_count = WholeNumber(dump_only=True)
    responsible_name = Name(max_len=50, required=True)
    responsible_phone = MobilePhone(
        required=True,
        metadata={
            "description": "mainland mobile; stored encrypted; answered whole to the reviewing staff, masked otherwise"
        },
    )
    responsible_id_number = ResidentIdNumber(
        required=True,
        load_only=True,
        metadata={
            "description": "18-digit resident ID; stored encrypted, never returned",
            "pattern": ID_NUMBER_PATTERN,
        },
    )
    responsible_id_number_masked = fields.String(dump_only=True)
    activity_place = Name(max_len=200, required=True, metadata={"description": "活动场所"})
    lat = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=3, max=54),
        allow_nan=False,
        metadata={"description": "the activity place, when known; else the community's"},
    )
    lon = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=73, max=136), allow_nan=False)
    status = fields.String(dump_only=True, metadata={"enum": [s.value for s in FilingStatus]})
    status_name = fields.String(dump_only=True)
    return_reason = fields.String(dump_only=True)
    organization_id = WholeNumber(dump_only=True, allow_none=True)
    created_at = LocalDateTime(dump_only=True)
    reviewed_at = LocalDateTime(dump_only=True, allow_none=True)
    confirmed_at = LocalDateTime(dump_only=True, allow_none=True)


class FilingReceiptSchema(FilingSchema):
    receipt_url = fields.String(
        dump_only=True,
        metadata={"description": "the receipt page (/filings/t/<signed token>) where the group follows its filing"},
    )


class FilingQuerySchema(Schema):
    page = PageArgs().fields["page"]
    page_size = PageArgs().fields["page_size"]
    status = fields.String(validate=validate.OneOf([s.value for s in FilingStatus]))


FilingPageSchema = page_of(FilingSchema)

FilingReviewSchema = decision_schema(
    "FilingReviewSchema", ("accept", "return"), reason="reason", max_len=300, message="filing.reason_required"
)
FilingConfirmationSchema = decision_schema(
    "FilingConfirmationSchema", ("confirm", "return"), reason="reason", max_len=300, message="filing.reason_required"
)
