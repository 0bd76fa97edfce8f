"""Social workers' supervision (督导) and continuing-education trainings (继续教育) as the API takes and gives them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models.supervision import SUPERVISION_FORMS
from linkage.taxonomy import CERTIFICATE_LEVELS
from schemas.common import WholeNumber, decision_schema


class AssignmentSchema(Schema):
    id = WholeNumber(dump_only=True)
    social_worker_id = WholeNumber(required=True, metadata={"description": "the supervisee"})
    social_worker_name = fields.String(dump_only=True)
    supervisor_id = WholeNumber(
        required=True, metadata={"description": "a social worker of level intermediate or senior, not the supervisee"}
    )
    supervisor_name = fields.String(dump_only=True)
    starts_on = fields.Date(load_default=None, metadata={"description": "default: today (China)"})
    ends_on = fields.Date(dump_only=True, allow_none=True)
    current = fields.Boolean(dump_only=True)


class AssignmentListArgs(Schema):
    current = fields.Boolean(load_default=False, metadata={"description": "only the current assignments"})


class EndAssignmentSchema(Schema):
    ends_on = fields.Date(required=True, metadata={"description": "the last day; not before starts_on"})


class SessionSchema(Schema):
    id = WholeNumber(dump_only=True)
    assignment_id = WholeNumber(dump_only=True)
    social_worker_id = WholeNumber(required=True, metadata={"description": "the supervisee: your current one"})
    supervisor_id = WholeNumber(dump_only=True)
    held_on = fields.Date(required=True, metadata={"description": "not in the future, not before the assignment"})
    form = fields.String(
        required=True,
        validate=validate.OneOf(list(SUPERVISION_FORMS)),
        metadata={"description": "个体督导 individual | 团体督导 group | 现场督导 onsite"},
    )
    topics = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    hours = fields.Float(required=True, validate=validate.Range(min=0.5, max=8), metadata={"description": "0.5 to 8"})
    follow_ups = fields.String(load_default="", validate=validate.Length(max=1000))
    confirmed = fields.Boolean(
        required=True,
        load_only=True,
        validate=validate.Equal(True, error="supervision.confirm_required"),
        metadata={"description": "the supervisor confirms the record: must be true"},
    )
    supervisee_status = fields.String(dump_only=True, metadata={"description": "pending | confirmed | disputed"})
    dispute_reason = fields.String(dump_only=True)
    counts = fields.Boolean(dump_only=True, metadata={"description": "confirmed by both parties"})


SessionAnswerSchema = decision_schema(
    "SessionAnswerSchema", ("confirm", "dispute"), reason="reason", max_len=500, message="supervision.reason_required"
)


class SessionListArgs(Schema):
    social_worker_id = WholeNumber(required=True)


class SupervisionSummarySchema(Schema):
    social_worker_id = WholeNumber()
    name = fields.String()
    certificate_level = fields.String(validate=validate.OneOf(list(CERTIFICATE_LEVELS)))
    certificate_expires_on = fields.Date(allow_none=True)
    certificate_valid = fields.Boolean()
    supervisor = fields.Nested(AssignmentSchema, allow_none=True)
    supervised = fields.Boolean(
        metadata={"description": "督导中: a current supervisor, a confirmed session in 90 days"}
    )
    supervised_until = fields.Date(allow_none=True)
    year = WholeNumber()
    supervision_hours = fields.Float(metadata={"description": "this year's confirmed sessions"})
    ce_hours = fields.Float(metadata={"description": "this year's continuing-education hours"})
    ce_required_hours = WholeNumber()
    ce_met = fields.Boolean()


class TrainingSchema(Schema):
    id = WholeNumber(dump_only=True)
    social_worker_id = WholeNumber(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    provider = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"description": "举办方"}
    )
    held_on = fields.Date(required=True)
    hours = fields.Float(required=True, validate=validate.Range(min=0.5, max=200))
