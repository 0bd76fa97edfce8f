"""The incubation track (孵化批次, records, capacity assessments) and annual reports (年报) as the API takes and gives them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models.cultivation import CohortStatus, MemberStatus, RecordKind
from schemas.common import WholeNumber

COLUMN_MAX = 2_000_000_000  # an integer column holds this much (fen: 20 million yuan)


class RubricCriterionSchema(Schema):
    name = fields.String()
    label = fields.String(metadata={"description": "中文 / English"})
    weight = WholeNumber(metadata={"description": "whole percent; the weights add up to 100"})


class RubricSchema(Schema):
    pass_mark = WholeNumber(metadata={"description": "合格线: the total (weighted mean, 0–100) to graduate"})
    criteria = fields.List(fields.Nested(RubricCriterionSchema))


class CohortSchema(Schema):
    id = WholeNumber(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    street = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "街道"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    status = fields.String(dump_only=True, validate=validate.OneOf([s.value for s in CohortStatus]))


class CultivationRecordSchema(Schema):
    id = WholeNumber(dump_only=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in RecordKind]),
        metadata={"description": "mentoring 辅导 | training 培训 | milestone 里程碑"},
    )
    held_on = fields.Date(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    hours = fields.Float(load_default=0, validate=validate.Range(min=0, max=24))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class AssessmentSchema(Schema):
    id = WholeNumber(dump_only=True)
    assessed_on = fields.Date(required=True)
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=WholeNumber(strict=True, validate=validate.Range(min=0, max=100)),
        required=True,
        metadata={"description": "criterion (see /cultivation-rubric) -> score 0–100, every criterion once"},
    )
    total = fields.Float(dump_only=True, metadata={"description": "the weighted mean, computed"})
    pass_mark = WholeNumber(dump_only=True)
    passed = fields.Boolean(dump_only=True)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class MemberSchema(Schema):
    cohort_id = WholeNumber(dump_only=True)
    organization_id = WholeNumber(required=True)
    organization_name = fields.String(dump_only=True)
    registration = fields.String(dump_only=True)
    status = fields.String(dump_only=True, validate=validate.OneOf([s.value for s in MemberStatus]))
    admitted_at = fields.DateTime(dump_only=True)
    left_at = fields.DateTime(dump_only=True, allow_none=True)
    records = fields.List(fields.Nested(CultivationRecordSchema), dump_only=True)
    assessments = fields.List(fields.Nested(AssessmentSchema), dump_only=True)
    latest_passed = fields.Boolean(dump_only=True)


class AdmitSchema(Schema):
    organization_id = WholeNumber(required=True, metadata={"description": "a filed (备案) organization"})


class UpgradeSchema(Schema):
    uscc = fields.String(
        required=True,
        validate=validate.Length(min=1, max=18),
        metadata={"description": "统一社会信用代码, 18 characters with check character"},
    )


class CohortDetailSchema(CohortSchema):
    members = fields.List(fields.Nested(MemberSchema), dump_only=True)


class AnnualReportSchema(Schema):
    id = WholeNumber(dump_only=True)
    organization_id = WholeNumber(load_default=None, metadata={"description": "default: the caller's organization"})
    organization_name = fields.String(dump_only=True)
    year = WholeNumber(required=True, validate=validate.Range(min=2000, max=2999))
    activities_count = WholeNumber(required=True, validate=validate.Range(min=0, max=COLUMN_MAX))
    members = WholeNumber(required=True, validate=validate.Range(min=0, max=COLUMN_MAX))
    income_fen = WholeNumber(required=True, validate=validate.Range(min=0, max=COLUMN_MAX))
    spending_fen = WholeNumber(required=True, validate=validate.Range(min=0, max=COLUMN_MAX))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    submitted_at = fields.DateTime(dump_only=True)
    due_on = fields.Date(dump_only=True, metadata={"description": "31 March of the next year by default"})
    late = fields.Boolean(dump_only=True)


class AnnualReportQuerySchema(Schema):
    year = WholeNumber(validate=validate.Range(min=2000, max=2999))
    organization_id = WholeNumber()


class OverdueSchema(Schema):
    organization_id = WholeNumber()
    organization_name = fields.String()
    registration = fields.String()
    year = WholeNumber()
    due_on = fields.Date()
    days_overdue = WholeNumber()


class OverdueQuerySchema(Schema):
    year = WholeNumber(validate=validate.Range(min=2000, max=2999))
