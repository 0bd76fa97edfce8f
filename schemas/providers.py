"""The four provider kinds: organizations, social workers, volunteers, charity resources."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from linkage.taxonomy import AVAILABILITY_SLOTS, CATEGORIES, CERTIFICATE_LEVELS, REGISTRATION, RESOURCE_KINDS
from linkage.validators import is_mainland_mobile, is_resident_id, is_uscc
from schemas.common import Lat, LocalDateTime, Lon, Money, Name, PageArgs, Radius, Tags, WholeNumber, page_of


# Patterns the OpenAPI document states for identifiers; the check characters, dates and number
# plans behind them are checked by linkage.validators (docs/security.md: rules the schema cannot state).
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"   # GB 32100 alphabet, no I O Z S V
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"                     # 18 characters, the last may be X
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"                          # an 11-digit mainland mobile


class _ProviderSchema(Schema):
    id = WholeNumber(dump_only=True)
    name = Name(required=True)
    lat = Lat(required=True)
    lon = Lon(required=True)
    active = fields.Boolean(dump_only=True)


class OrganizationSchema(_ProviderSchema):
    uscc = fields.String(required=True, metadata={"description": "统一社会信用代码, 18 characters with check character",
                                                  "pattern": USCC_PATTERN})
    registration = fields.String(required=True, validate=validate.OneOf(list(REGISTRATION)))
    categories = Tags(choices=list(CATEGORIES), load_default=list)
    skills = Tags(load_default=list)
    description = fields.String(validate=validate.Length(max=2000), load_default="")
    district = fields.String(validate=validate.Length(max=100), load_default="")
    community_id = WholeNumber(allow_none=True, load_default=None)
    service_radius_km = Radius(load_default=5.0)
    capacity = WholeNumber(load_default=3, validate=validate.Range(min=0, max=1000))
    contact_name = fields.String(validate=validate.Length(max=50), load_default="")
    contact_phone = fields.String(load_default="")

    @validates("uscc")
    def _uscc(self, value, **kwargs):
        if not is_uscc(value):
            raise ValidationError("统一社会信用代码无效（校验位不符）/ invalid unified social credit code (check character)")

    @validates("contact_phone")
    def _phone(self, value, **kwargs):
        if value and not is_mainland_mobile(value):
            raise ValidationError("请输入11位大陆手机号 / expected an 11-digit mainland mobile number")


class SocialWorkerSchema(_ProviderSchema):
    certificate_level = fields.String(required=True, validate=validate.OneOf(list(CERTIFICATE_LEVELS)))
    specialties = Tags(load_default=list)
    organization_id = WholeNumber(allow_none=True, load_default=None)
    service_radius_km = Radius(load_default=10.0)


class VolunteerSchema(_ProviderSchema):
    code = fields.String(dump_only=True, metadata={"description": "志愿者编号"})
    phone = fields.String(required=True, metadata={"pattern": MOBILE_PATTERN})
    id_number = fields.String(required=True, load_only=True, metadata={"description": "18-digit resident ID; stored encrypted, never returned",
                                                                          "pattern": ID_NUMBER_PATTERN})
    id_number_masked = fields.String(dump_only=True)
    skills = Tags(load_default=list)
    travel_radius_km = Radius(load_default=3.0)
    availability = fields.List(fields.String(validate=validate.OneOf(AVAILABILITY_SLOTS)),
                               load_default=list, validate=validate.Length(max=len(AVAILABILITY_SLOTS)))
    community_id = WholeNumber(allow_none=True, load_default=None)

    @validates("phone")
    def _phone(self, value, **kwargs):
        if not is_mainland_mobile(value):
            raise ValidationError("请输入11位大陆手机号 / expected an 11-digit mainland mobile number")

    @validates("id_number")
    def _id_number(self, value, **kwargs):
        if not is_resident_id(value):
            raise ValidationError("身份证号码无效（须18位且校验位正确）/ invalid 18-digit ID number (check digit)")


class VolunteerViewSchema(VolunteerSchema):
    """A volunteer as answered: the phone may come masked (138****5678), so it has no input pattern."""

    phone = fields.String(metadata={"description": "whole for the volunteer and admins, else masked"})


class ResourceSchema(_ProviderSchema):
    donor = Name(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(RESOURCE_KINDS)))
    description = fields.String(validate=validate.Length(max=2000), load_default="")
    tags = Tags(load_default=list)
    amount_fen = Money(allow_none=True, load_default=None)
    quantity = WholeNumber(allow_none=True, load_default=None, validate=validate.Range(min=0, max=10**9))
    remaining_fen = WholeNumber(dump_only=True, allow_none=True)  # null when the resource has no amount_fen
    remaining_quantity = WholeNumber(dump_only=True, allow_none=True)  # null when the resource has no quantity
    unit = fields.String(validate=validate.Length(max=10), load_default="")
    radius_km = Radius(load_default=10.0)
    restricted_categories = Tags(choices=list(CATEGORIES), load_default=list)
    available_from = LocalDateTime(allow_none=True, load_default=None)
    available_until = LocalDateTime(allow_none=True, load_default=None)

    @validates_schema
    def _amounts(self, data, partial=False, **kwargs):
        if not partial and data.get("kind") == "fund" and data.get("amount_fen") is None:
            raise ValidationError("资金类资源须填写金额（分）/ a fund needs amount_fen", "amount_fen")
        if not partial and data.get("kind") in ("material", "venue", "service") and data.get("quantity") is None:
            raise ValidationError("请填写数量 / quantity is required for this kind", "quantity")
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and start >= end:
            raise ValidationError("结束须晚于开始 / must be later than available_from", "available_until")


class ProviderQuerySchema(PageArgs):
    include_inactive = fields.Boolean(load_default=False)
    organization_id = WholeNumber(validate=validate.Range(min=1))
    community_id = WholeNumber(validate=validate.Range(min=1))


SCHEMAS = {
    "organization": OrganizationSchema,
    "social_worker": SocialWorkerSchema,
    "volunteer": VolunteerSchema,
    "resource": ResourceSchema,
}
VIEWS = {**SCHEMAS, "volunteer": VolunteerViewSchema}  # what the API answers with
PAGES = {kind: page_of(schema) for kind, schema in VIEWS.items()}
