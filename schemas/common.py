"""Shared fields: places, times in Asia/Shanghai at the edge, lists of short tags, pagination, decisions."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.clock import LOCAL_TZ
from linkage.errors import Message

# Mainland China's bounding box: it catches swapped lat/lon, the most common data-entry slip.
LAT_RANGE = validate.Range(min=3.0, max=54.0, error="field.lat_china")
LON_RANGE = validate.Range(min=73.0, max=136.0, error="field.lon_china")

# Patterns the OpenAPI document states for identifiers; the check characters, dates and number
# plans behind them are checked by linkage.validators (docs/security.md: rules the schema cannot state).
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"   # GB 32100 alphabet, no I O Z S V
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"                     # 18 characters, the last may be X
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"                          # an 11-digit mainland mobile


# The widest integer any of our databases stores (SQLite INTEGER, PostgreSQL bigint): a bigger
# one in a path, query or body cannot name or fit anything, and would fail inside the driver.
MAX_INTEGER = 2**63 - 1
INTEGER_RANGE = validate.Range(min=-MAX_INTEGER, max=MAX_INTEGER,
                               error="field.integer_range")


class WholeNumber(fields.Integer):
    """An integer that refuses a fraction instead of cutting it off: marshmallow's Integer turns
    100000.9 into 100000, which for an amount of money (fen) silently loses it. Every one is also
    bounded by what a database column holds, so the OpenAPI document states a minimum and maximum."""

    default_error_messages = {"fraction": "field.whole_number"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(INTEGER_RANGE)  # apispec keeps the narrowest of several ranges

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("fraction")
        return super()._validated(value)


class LocalDateTime(fields.DateTime):
    """RFC 3339 in and out; a time without offset is read as Asia/Shanghai; stored as UTC."""

    # Until 1901 Asia/Shanghai is local mean time (+08:05:43), which RFC 3339 cannot write; near
    # year 9999 the shift to UTC overflows. No community service happens outside these years.
    YEARS = (1902, 9000)
    # The same years as a pattern on the string, so the OpenAPI document states them too.
    YEAR_PATTERN = r"^(190[2-9]|19[1-9][0-9]|[2-8][0-9]{3}|9000)-"

    def __init__(self, *args, **kwargs):
        metadata = {"pattern": self.YEAR_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(*args, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not self.YEARS[0] <= moment.year <= self.YEARS[1]:
            raise ValidationError([Message("field.year_range", low=self.YEARS[0], high=self.YEARS[1])])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LOCAL_TZ)
        return moment.astimezone(timezone.utc)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ)
        return super()._serialize(value, attr, obj, **kwargs)


def Lat(**kw):
    return fields.Float(validate=LAT_RANGE, allow_nan=False, **kw)


def Lon(**kw):
    return fields.Float(validate=LON_RANGE, allow_nan=False, **kw)


def Tags(max_items: int = 20, max_len: int = 20, choices=None, **kw):
    inner = fields.String(validate=[validate.Length(min=1, max=max_len)]
                          + ([validate.OneOf(choices)] if choices else []))
    return fields.List(inner, validate=validate.Length(max=max_items), **kw)


def Name(max_len: int = 100, **kw):
    return fields.String(validate=validate.Length(min=1, max=max_len), **kw)


def Money(**kw):
    return WholeNumber(validate=validate.Range(min=0, max=10**12, error="field.not_negative"), **kw)


def Radius(**kw):
    return fields.Float(validate=validate.Range(min=0.1, max=200), allow_nan=False, **kw)


def strip_unchanged(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None or k.endswith("_id")}


class PageArgs(Schema):
    page = WholeNumber(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = WholeNumber(load_default=20, validate=validate.Range(min=1, max=200))
    format = fields.String(validate=validate.OneOf(["xlsx", "csv"]), metadata={
        "description": "xlsx or csv: the list as a file (every matching row, up to 10,000; page and "
                       "page_size are ignored; X-Export-Total / X-Export-Truncated say if it was cut short), "
                       "same filters, permissions and masking as the JSON"})


def SearchText(**kw):
    """`q=`: a name by Chinese (substring), full pinyin or initials (prefix): docs/search.md."""
    return fields.String(validate=[validate.Length(max=50),
                                   validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="field.search_text")],
                         metadata={"description": "search the name: 张三, zhangsan or zs; exact matches first"}, **kw)


# lat (3–54), lon (73–136) and km (0–200] written out as one pattern, which the OpenAPI document
# states and the server checks first: what it lets through, float() reads.
_NUM = r"(\.[0-9]+)?"
NEAR_PATTERN = (rf"^(([3-9]|[1-4][0-9]|5[0-3]){_NUM}|54(\.0+)?),"
                rf"((7[3-9]|[89][0-9]|1[0-2][0-9]|13[0-5]){_NUM}|136(\.0+)?),"
                rf"(0\.[0-9]*[1-9][0-9]*|([1-9][0-9]?|1[0-9]{{2}}){_NUM}|200(\.0+)?)$")


def near_param(value: str) -> tuple[float, float, float]:
    if not isinstance(value, str) or not re.fullmatch(NEAR_PATTERN, value):
        raise ValidationError("field.near")
    lat, lon, km = (float(part) for part in value.split(","))
    LAT_RANGE(lat)
    LON_RANGE(lon)
    if not 0 < km <= 200:
        raise ValidationError("field.near_km")
    return lat, lon, km


class Near(fields.String):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, metadata={"pattern": NEAR_PATTERN, "example": "39.02,117.70,5"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return near_param(super()._deserialize(value, attr, data, **kwargs))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "total": WholeNumber(), "page": WholeNumber(), "page_size": WholeNumber(),
    }, name=f"{item_schema.__name__.removesuffix('Schema')}Page")


def decision_schema(name: str, choices: tuple[str, str], *, reason: str, max_len: int, message: str) -> type[Schema]:
    """A decision between a yes and a no (`choices`, the no second) whose no must give a reason:
    the reason field (`reason`, up to `max_len` characters) is optional, but blank with the no is
    refused with the message code `message` on that field."""
    refusal = choices[1]

    def _reason(self, data, **kwargs):
        if data.get("decision") == refusal and not data.get(reason, "").strip():
            raise ValidationError(message, reason)

    return type(name, (Schema,), {
        "__doc__": f"A decision, {choices[0]} or {refusal}; {refusal} needs a {reason}.",
        "decision": fields.String(required=True, validate=validate.OneOf(list(choices))),
        reason: fields.String(load_default="", validate=validate.Length(max=max_len)),
        "_reason": validates_schema(_reason),
    })
