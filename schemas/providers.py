"""The four provider kinds: organizations, social workers, volunteers, charity resources."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, post_load, pre_dump, validate, validates, validates_schema

from linkage.taxonomy import AVAILABILITY_SLOTS, CATEGORIES, CERTIFICATE_LEVELS, REGISTRATION, RESOURCE_KINDS
from linkage.validators import (
    ID_NUMBER_PROBLEMS,
    is_uscc,
    normalise_mobile,
    normalise_phone,
    normalise_resident_id,
    resident_id_problem,
)
from schemas.common import (
    ID_NUMBER_PATTERN,
    MOBILE_PATTERN,
    USCC_PATTERN,
    Lat,
    LocalDateTime,
    Lon,
    Money,
    Name,
    PageArgs,
    Radius,
    SearchText,
    Tags,
    WholeNumber,
    page_of,
)
from schemas.rights import ConsentSchema


class _Normalised(fields.String):
    """A string checked and stored in one normal form; `normalise` returns None for a bad value."""

    message = ""
    allow_empty = True  # an optional field may be sent as "" (cleared); a filter may not

    def normalise(self, value: str) -> str | None:
        raise NotImplementedError

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "" and not self.required and self.allow_empty:
            return text
        normal = self.normalise(text)
        if normal is None:
            raise ValidationError(self.message)
        return normal


class MobilePhone(_Normalised):
    """A mainland mobile (phonenumbers, region CN); stored as 11 digits."""

    message = "field.mobile"

    def normalise(self, value):
        return normalise_mobile(value)


class MobilePhoneFilter(MobilePhone):
    """A mobile to look up by: never empty (an empty filter would silently match nothing). Any
    number of the documented shape is a fair question; one no carrier has allocated simply finds
    nobody, so only a wrong shape is refused."""

    allow_empty = False

    def normalise(self, value):
        return normalise_mobile(value) or (value if re.fullmatch(MOBILE_PATTERN, value) else None)


class ContactPhone(_Normalised):
    """A mainland mobile or landline (固定电话, with area code and maybe an extension); stored as 11
    digits, 022-25321234 or 022-25321234-8001 (linkage.validators.normalise_phone)."""

    message = "field.phone"

    def normalise(self, value):
        return normalise_phone(value)


class ResidentIdNumber(fields.String):
    """A 居民身份证号码 checked by python-stdnum (cn.ric); stored without spaces, X capitalised."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = resident_id_problem(text)
        if problem is not None:
            raise ValidationError(ID_NUMBER_PROBLEMS[problem])
        return normalise_resident_id(text)




class _ProviderSchema(Schema):
    id = WholeNumber(dump_only=True)
    name = Name(required=True)
    lat = Lat(required=True)
    lon = Lon(required=True)
    active = fields.Boolean(dump_only=True)


class OrganizationSchema(_ProviderSchema):
    uscc = fields.String(required=True, allow_none=True, metadata={
        "description": "统一社会信用代码, 18 characters with check character; null only for an organization "
                       "filed (备案, registration filed), which has none yet", "pattern": USCC_PATTERN})
    registration = fields.String(required=True, validate=validate.OneOf(list(REGISTRATION)))
    categories = Tags(choices=list(CATEGORIES), load_default=list)
    skills = Tags(load_default=list)
    description = fields.String(validate=validate.Length(max=2000), load_default="")
    district = fields.String(validate=validate.Length(max=100), load_default="")
    community_id = WholeNumber(allow_none=True, load_default=None)
    service_radius_km = Radius(load_default=5.0)
    capacity = WholeNumber(load_default=3, validate=validate.Range(min=0, max=1000))
    contact_name = fields.String(validate=validate.Length(max=50), load_default="")
    contact_phone = ContactPhone(load_default="", metadata={
        "description": "mobile or landline with area code and extension; stored as 13812345678, "
                       "022-25321234 or 022-25321234-8001"})

    @validates("uscc")
    def _uscc(self, value, **kwargs):
        if value is not None and not is_uscc(value):
            raise ValidationError("field.uscc")

    @validates_schema
    def _registered_has_uscc(self, data, **kwargs):
        """A registered (登记) organization has its USCC; only a filed (备案) one may have none."""
        if "uscc" in data and data["uscc"] is None and data.get("registration", "filed") != "filed":
            raise ValidationError("field.uscc", "uscc")


class SocialWorkerSchema(_ProviderSchema):
    certificate_level = fields.String(required=True, validate=validate.OneOf(list(CERTIFICATE_LEVELS)))
    specialties = Tags(load_default=list)
    organization_id = WholeNumber(allow_none=True, load_default=None)
    service_radius_km = Radius(load_default=10.0)
    certificate_expires_on = fields.Date(
        allow_none=True, load_default=None, metadata={"description": "证书有效期至 (inclusive); null = not recorded"}
    )


class IsoDate(fields.Date):
    """A calendar day; stored as its ISO text in JSON columns, so it is dumped from text as well."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class LeaveSchema(Schema):
    """请假: days away, both ends included."""

    start = IsoDate(required=True, data_key="from")
    end = IsoDate(required=True, data_key="to")

    @validates_schema
    def _order(self, data, **kwargs):
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ValidationError("leave.end_before_start", "to")

    @post_load
    def _stored(self, data, **kwargs):
        return {"from": data["start"].isoformat(), "to": data["end"].isoformat()}

    @pre_dump
    def _from_stored(self, data, **kwargs):
        return {"start": data.get("from"), "end": data.get("to")}


MAX_LEAVE = 50


class VolunteerSchema(_ProviderSchema):
    code = fields.String(dump_only=True, metadata={"description": "志愿者编号"})
    phone = MobilePhone(required=True, metadata={"description": "mainland mobile; stored as 11 digits",
                                                "pattern": MOBILE_PATTERN})
    id_number = ResidentIdNumber(required=True, load_only=True,
                                 metadata={"description": "18-digit resident ID; stored encrypted, never returned",
                                           "pattern": ID_NUMBER_PATTERN})
    id_number_masked = fields.String(dump_only=True)
    skills = Tags(load_default=list)
    travel_radius_km = Radius(load_default=3.0)
    availability = fields.List(fields.String(validate=validate.OneOf(AVAILABILITY_SLOTS)),
                               load_default=list, validate=validate.Length(max=len(AVAILABILITY_SLOTS)))
    leave = fields.List(fields.Nested(LeaveSchema), load_default=list, validate=validate.Length(max=MAX_LEAVE),
                        metadata={"description": "请假: [{from, to}] days away (inclusive); the matcher demotes on them"})
    community_id = WholeNumber(allow_none=True, load_default=None)
    consent = fields.Nested(ConsentSchema, required=True, load_only=True,
                            metadata={"description": "consent to the privacy notice; a guardian's under 14"})


class VolunteerViewSchema(VolunteerSchema):
    """A volunteer as answered: the phone may come masked (138****5678), so it has no input pattern."""

    phone = fields.String(metadata={"description": "masked (138****5678) unless the policy shows it whole: docs/security.md"})


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
            raise ValidationError("resource.fund_amount", "amount_fen")
        if not partial and data.get("kind") in ("material", "venue", "service") and data.get("quantity") is None:
            raise ValidationError("resource.quantity", "quantity")
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and start >= end:
            raise ValidationError("resource.until_after_from", "available_until")


class ProviderQuerySchema(PageArgs):
    q = SearchText()
    include_inactive = fields.Boolean(load_default=False)
    organization_id = WholeNumber(validate=validate.Range(min=1))
    community_id = WholeNumber(validate=validate.Range(min=1))


class VolunteerQuerySchema(ProviderQuerySchema):
    phone = MobilePhoneFilter(metadata={"description": "11-digit mobile: matched by its keyed digest, not by decrypting",
                                  "pattern": MOBILE_PATTERN})


SCHEMAS = {
    "organization": OrganizationSchema,
    "social_worker": SocialWorkerSchema,
    "volunteer": VolunteerSchema,
    "resource": ResourceSchema,
}
VIEWS = {**SCHEMAS, "volunteer": VolunteerViewSchema}  # what the API answers with
PAGES = {kind: page_of(schema) for kind, schema in VIEWS.items()}
QUERIES = {kind: VolunteerQuerySchema if kind == "volunteer" else ProviderQuerySchema for kind in SCHEMAS}
