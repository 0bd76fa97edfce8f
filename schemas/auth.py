"""Logging in."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import WholeNumber


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=50))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = WholeNumber()
    role = fields.String()
    user_id = WholeNumber()
    community_id = WholeNumber(allow_none=True)
    organization_id = WholeNumber(allow_none=True)
    volunteer_id = WholeNumber(allow_none=True)
    social_worker_id = WholeNumber(allow_none=True)
