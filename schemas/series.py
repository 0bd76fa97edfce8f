"""Recurring activities (周期活动): the series, its shift templates (班次) and its occurrences."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.taxonomy import QUALIFICATION_KINDS
from schemas.common import LocalDateTime, Name, Tags, WholeNumber
from schemas.projects import ActivitySchema


class ShiftSchema(Schema):
    role = fields.String(
        load_default="",
        validate=validate.Length(max=50),
        metadata={"description": "岗位: the shift's role, e.g. 引导员"},
    )
    # 0 is read and refused by the service with the shifts field named (series.shift_capacity)
    slots = WholeNumber(required=True, validate=validate.Range(min=0, max=1000))
    skills_wanted = Tags(load_default=list)
    qualification_required = fields.String(
        load_default="",
        validate=validate.OneOf(["", *QUALIFICATION_KINDS]),
        metadata={"description": "a qualification (资质) code every volunteer on the shift must hold; '' = none"},
    )


class SeriesRequestSchema(Schema):
    title = Name(required=True)
    place = Name(max_len=200, required=True)
    rrule = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270630; read in Asia/Shanghai time"
        },
    )
    dtstart = LocalDateTime(required=True, metadata={"description": "the first occurrence's start"})
    duration_minutes = WholeNumber(required=True, validate=validate.Range(min=1, max=1440))
    exdates = fields.List(
        fields.Date(),
        load_default=list,
        validate=validate.Length(max=366),
        metadata={"description": "dates skipped (holidays)"},
    )
    shifts = fields.List(fields.Nested(ShiftSchema), required=True, validate=validate.Length(max=20))


class OccurrenceSchema(Schema):
    occurrence_start = LocalDateTime(metadata={"description": "the occurrence's key: its start by the rule"})
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    place = fields.String()
    cancelled = fields.Boolean()
    shifts = fields.List(fields.Nested(ActivitySchema))


class SeriesSchema(Schema):
    id = WholeNumber()
    project_id = WholeNumber()
    title = fields.String()
    place = fields.String()
    rrule = fields.String()
    dtstart = LocalDateTime()
    duration_minutes = WholeNumber()
    exdates = fields.List(fields.String())
    shifts = fields.List(fields.Nested(ShiftSchema))
    materialized_until = LocalDateTime(
        metadata={"description": "the last occurrence created (horizon: 90 days, at most 200 activities)"}
    )
    occurrences = fields.List(fields.Nested(OccurrenceSchema))


class OccurrenceKeySchema(Schema):
    occurrence_start = LocalDateTime(required=True)


class OccurrenceChangeSchema(OccurrenceKeySchema):
    starts_at = LocalDateTime(metadata={"description": "the new start; the length is kept"})
    place = Name(max_len=200)
