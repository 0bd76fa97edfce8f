"""Invitations (邀请) from a need's matches: the request that sends one, the answer, the invitation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models import InvitationKind, InvitationStatus
from schemas.common import LocalDateTime, WholeNumber

INVITEE_KINDS = ("organization", "volunteer", "social_worker")


class InvitationRequestSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in InvitationKind]),
        metadata={
            "description": "claim: an organization to claim the need; activity: a volunteer "
            "or social worker to an activity of its project"
        },
    )
    invitee_kind = fields.String(required=True, validate=validate.OneOf(INVITEE_KINDS))
    invitee_id = WholeNumber(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "a provider in the need's ranked matches"},
    )
    activity_id = WholeNumber(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "required for kind activity: an open activity of the project"},
    )
    message = fields.String(load_default="", validate=validate.Length(max=500))


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.OneOf(["accept", "decline"]))
    plan = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={
            "description": "accepting a claim invitation: the organization's plan (服务方案), at least 5 characters"
        },
    )


class InvitationSchema(Schema):
    id = WholeNumber(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True, validate=validate.OneOf([s.value for s in InvitationStatus]))
    need_id = WholeNumber(dump_only=True)
    activity_id = WholeNumber(dump_only=True, allow_none=True)
    invitee_kind = fields.String(dump_only=True)
    invitee_id = WholeNumber(dump_only=True)
    invitee_user_id = WholeNumber(dump_only=True, allow_none=True)
    inviter_user_id = WholeNumber(dump_only=True, allow_none=True)
    message = fields.String(dump_only=True)
    claim_id = WholeNumber(dump_only=True, allow_none=True)
    signup_id = WholeNumber(dump_only=True, allow_none=True)
    created_at = LocalDateTime(dump_only=True)
    answered_at = LocalDateTime(dump_only=True, allow_none=True)
