"""Claims, projects, activities, sign-ups and residents' evaluations."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.models import ProjectStatus
from schemas.common import LocalDateTime, Name, PageArgs, Tags, WholeNumber, decision_schema, page_of


class ClaimRequestSchema(Schema):
    plan = fields.String(
        required=True,
        validate=validate.Length(min=5, max=2000),
        metadata={"description": "服务方案: how the organization will meet the need"},
    )
    organization_id = WholeNumber(validate=validate.Range(min=1))


class ClaimSchema(Schema):
    id = WholeNumber()
    need_id = WholeNumber()
    organization_id = WholeNumber()
    plan = fields.String()
    status = fields.String()
    ranked = fields.Boolean(metadata={"description": "the matcher had recommended this organization"})
    rank_position = WholeNumber(allow_none=True)
    decline_reason = fields.String()
    created_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True)


DecisionSchema = decision_schema(
    "DecisionSchema", ("approve", "decline"), reason="reason", max_len=200, message="claim.decline_reason_field"
)


class DecisionResultSchema(Schema):
    claim = fields.Nested(ClaimSchema)
    project_id = WholeNumber(allow_none=True)


class ProjectSchema(Schema):
    id = WholeNumber()
    need_id = WholeNumber()
    claim_id = WholeNumber()
    organization_id = WholeNumber()
    community_id = WholeNumber()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    lead_social_worker_id = WholeNumber(allow_none=True)
    cancel_reason = fields.String()
    created_at = LocalDateTime()
    started_at = LocalDateTime(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)


class ProjectQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in ProjectStatus]))
    organization_id = WholeNumber(validate=validate.Range(min=1))
    community_id = WholeNumber(validate=validate.Range(min=1))


ProjectPageSchema = page_of(ProjectSchema)


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf([s.value for s in ProjectStatus]))
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class LeadSchema(Schema):
    social_worker_id = WholeNumber(required=True, validate=validate.Range(min=1))


class ActivitySchema(Schema):
    id = WholeNumber(dump_only=True)
    project_id = WholeNumber(dump_only=True)
    title = Name(required=True)
    place = Name(max_len=200, required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    slots = WholeNumber(required=True, validate=validate.Range(min=1, max=1000))
    skills_wanted = Tags(load_default=list)
    requires_insurance = fields.Boolean(
        load_default=False, metadata={"description": "sign-up needs accident insurance covering the activity's days"}
    )
    cancelled = fields.Boolean(dump_only=True)
    taken = WholeNumber(dump_only=True)
    series_id = WholeNumber(dump_only=True, allow_none=True, metadata={"description": "周期活动: its series"})
    occurrence_start = LocalDateTime(dump_only=True, allow_none=True)
    role = fields.String(dump_only=True, metadata={"description": "岗位: the shift's role"})
    qualification_required = fields.String(dump_only=True)

    @validates_schema
    def _window(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data and data["starts_at"] >= data["ends_at"]:
            raise ValidationError("field.ends_after_starts", "ends_at")


class SignupRequestSchema(Schema):
    volunteer_id = WholeNumber(
        validate=validate.Range(min=1), metadata={"description": "admins only; volunteers sign themselves up"}
    )


class SignupQuerySchema(Schema):
    volunteer_id = WholeNumber(validate=validate.Range(min=1))


class SignupSchema(Schema):
    id = WholeNumber()
    activity_id = WholeNumber()
    volunteer_id = WholeNumber()
    status = fields.String()
    created_at = LocalDateTime()
    checked_in_at = LocalDateTime(allow_none=True)
    checked_out_at = LocalDateTime(allow_none=True)
    waitlist_position = WholeNumber(
        dump_only=True,
        allow_none=True,
        metadata={"description": "候补: place on the waitlist (1 = next) when waitlisted"},
    )


class AttendanceSchema(Schema):
    at = LocalDateTime(metadata={"description": "when it happened; default now"})
    content = fields.String(validate=validate.Length(max=500), load_default="")


class AttendanceResultSchema(Schema):
    signup = fields.Nested(SignupSchema)
    hour_entry_id = WholeNumber(allow_none=True)
    minutes = WholeNumber(allow_none=True)


class CodesRequestSchema(Schema):
    households = WholeNumber(required=True, validate=validate.Range(min=1, max=2000))


class CodesSchema(Schema):
    project_id = WholeNumber()
    codes = fields.List(fields.String(), metadata={"description": "shown once; only hashes are stored"})


class EvaluationRequestSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=4, max=20))
    satisfaction = WholeNumber(
        required=True, validate=validate.Range(min=1, max=5, error="evaluation.satisfaction_range")
    )
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class EvaluationSummarySchema(Schema):
    project_id = WholeNumber()
    evaluations = WholeNumber()
    codes_issued = WholeNumber()
    mean_satisfaction = fields.Float(allow_none=True)
