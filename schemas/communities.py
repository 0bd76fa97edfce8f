"""Communities (社区)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import Lat, Lon, Name, PageArgs, WholeNumber, page_of


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


class CommunityQuerySchema(PageArgs):
    district = fields.String(validate=validate.Length(max=100))
    street = fields.String(validate=validate.Length(max=100))


CommunityPageSchema = page_of(CommunitySchema)
