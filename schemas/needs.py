"""Needs: what a community posts, and the matches the matcher sends back."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.catalogue import PROVIDER_KINDS
from linkage.models import NeedStatus
from linkage.taxonomy import CATEGORIES, QUALIFICATION_KINDS, TARGET_GROUPS, URGENCY
from schemas.common import Lat, LocalDateTime, Lon, Money, Name, Near, PageArgs, SearchText, Tags, WholeNumber, page_of


class NeedSchema(Schema):
    id = WholeNumber(dump_only=True)
    community_id = WholeNumber(required=True)
    title = Name(max_len=100, required=True)
    description = fields.String(validate=validate.Length(max=2000), load_default="")
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    skills = Tags(load_default=list)
    target_groups = Tags(choices=list(TARGET_GROUPS), load_default=list)
    lat = Lat()
    lon = Lon()
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    volunteers_needed = WholeNumber(load_default=0, validate=validate.Range(min=0, max=1000))
    hours_estimate = fields.Float(load_default=0, allow_nan=False, validate=validate.Range(min=0, max=10000))
    budget_fen = Money(load_default=0)
    urgency = fields.String(load_default="normal", validate=validate.OneOf(list(URGENCY)))
    qualification_required = fields.String(
        load_default="", validate=validate.OneOf(["", *QUALIFICATION_KINDS]),
        metadata={"description": "a qualification every ranked volunteer / social worker must hold (hard); '' = none"})
    status = fields.String(dump_only=True)
    community_name = fields.Function(lambda n: n.community.name if n.community else None, dump_only=True)
    created_at = LocalDateTime(dump_only=True)
    matched_at = LocalDateTime(dump_only=True, allow_none=True)  # null until the first ranking arrives

    @validates_schema
    def _window(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data and data["starts_at"] >= data["ends_at"]:
            raise ValidationError("field.ends_after_starts", "ends_at")
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("field.lat_lon_both", "lon" if "lat" in data else "lat")


class NeedPatchSchema(NeedSchema):
    """Load with partial=True: only the fields the client sends are changed."""

    class Meta:
        exclude = ("community_id",)

    cancel = fields.Boolean(load_only=True, metadata={"description": "true cancels the need"})


class NeedQuerySchema(PageArgs):
    q = SearchText()
    status = fields.String(validate=validate.OneOf([s.value for s in NeedStatus]))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    community_id = WholeNumber(validate=validate.Range(min=1))
    near = Near()


NeedPageSchema = page_of(NeedSchema)


class MatchEntrySchema(Schema):
    provider_id = WholeNumber()
    kind = fields.String()
    name = fields.String()
    score = fields.Float()
    distance_km = fields.Float(allow_none=True, metadata={
        "description": "null for a volunteer: a volunteer's distance is shown only as its band"})
    distance_band = fields.String(allow_none=True, validate=validate.OneOf(["<1 km", "1–3 km", "3–5 km", ">5 km"]))
    factors = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "empty for a volunteer (with the score, it would give the distance back)"})
    reasons = fields.List(fields.String())


class StoredRankings(fields.Dict):
    """Documented as kind -> [MatchEntry]; dumped as stored, because the projector already
    stored each entry in exactly that shape (linkage.services.matches._as_served)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class MatchesSchema(Schema):
    need_id = WholeNumber()
    status = fields.String(metadata={"description": "pending until the matcher's answer is stored, then ready"})
    ranked_at = LocalDateTime(allow_none=True)
    matches = StoredRankings(keys=fields.String(), values=fields.List(fields.Nested(MatchEntrySchema)))
    totals = fields.Dict(keys=fields.String(), values=WholeNumber(), metadata={
        "description": "kind -> how many ranked entries are stored (a page shows `offset`..`offset+limit` of them)"})


class MatchQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(PROVIDER_KINDS))
    offset = WholeNumber(load_default=0, validate=validate.Range(min=0, max=1000),
                         metadata={"description": "skip this many ranked entries of each kind"})
    limit = WholeNumber(validate=validate.Range(min=1, max=100),
                        metadata={"description": "at most this many entries of each kind (default: every stored one)"})
