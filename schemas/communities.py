"""Communities (社区)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import Lat, Lon, Name, PageArgs, SearchText, WholeNumber, page_of
from schemas.providers import ContactPhone


class CommunitySchema(Schema):
    id = WholeNumber(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z-]{4,32}$", error="community.code_format"))
    name = Name(required=True)
    street = Name(required=True)
    district = Name(required=True)
    lat = Lat(required=True)
    lon = Lon(required=True)
    households = WholeNumber(load_default=0, validate=validate.Range(min=0, max=10**6))
    population = WholeNumber(load_default=0, validate=validate.Range(min=0, max=10**7))
    contact_phone = ContactPhone(load_default="", metadata={
        "description": "联系电话: mobile, or landline with area code and extension; stored as 13812345678, "
                       "022-25321234 or 022-25321234-8001"})


class CommunityQuerySchema(PageArgs):
    q = SearchText()
    district = fields.String(validate=validate.Length(max=100))
    street = fields.String(validate=validate.Length(max=100))


CommunityPageSchema = page_of(CommunitySchema)
