"""Consent to the privacy notice, the privacy notice itself, a person's data export and erasure."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from linkage.notice import CONSENT_METHODS, GUARDIAN_RELATIONS, current_version
from linkage.validators import is_mainland_mobile
from schemas.common import MOBILE_PATTERN, LocalDateTime, Name, WholeNumber


class GuardianSchema(Schema):
    """监护人: required when the volunteer is under 14 (from the birth date in the ID number)."""

    name = Name(max_len=50, required=True)
    relation = fields.String(required=True, validate=validate.OneOf(list(GUARDIAN_RELATIONS)),
                             metadata={"description": "parent 父母 | grandparent 祖父母 | other_guardian 其他监护人"})
    phone = fields.String(required=True, load_only=True, metadata={"pattern": MOBILE_PATTERN})

    @validates("phone")
    def _phone(self, value, **kwargs):
        if not is_mainland_mobile(value):
            raise ValidationError("field.mobile_11")


class ConsentSchema(Schema):
    """Consent to the privacy notice: `self` (agreed on screen) or `paper` (a signed form, staff confirm)."""

    id = WholeNumber(dump_only=True)
    volunteer_id = WholeNumber(dump_only=True)
    notice_version = fields.String(required=True, validate=validate.OneOf([current_version()]),
                                   metadata={"description": "the current notice's version (GET /api/v1/privacy-notice)"})
    method = fields.String(required=True, validate=validate.OneOf(list(CONSENT_METHODS)))
    # Omitted when no guardian consents (not null: OpenAPI 3.0 cannot say "this object or null"
    # without also allowing any object).
    guardian = fields.Nested(GuardianSchema)
    recorded_by = WholeNumber(dump_only=True, allow_none=True)
    recorded_at = LocalDateTime(dump_only=True)


class NoticeSchema(Schema):
    version = fields.String()
    title = fields.String()
    effective = fields.String()
    text = fields.String()


class ErasureRequestSchema(Schema):
    """Erasure cannot be undone: the caller says so (`confirm: true`); the district gives the ground."""

    # enum [true] in the OpenAPI document: `false` is not a value the server takes.
    confirm = fields.Boolean(required=True, metadata={"description": "must be true"},
                             validate=validate.OneOf([True], error="erasure.confirm"))
    reason = fields.String(validate=validate.Length(max=200), load_default="")


class DistrictErasureRequestSchema(ErasureRequestSchema):
    """The district erases on a recorded ground (e.g. the person's written request)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"pattern": r"\S", "description": "the ground, e.g. the person's written request"})


class ErasureSchema(Schema):
    volunteer_id = WholeNumber()
    erased_at = LocalDateTime()
    outbox_rows_removed = WholeNumber()
    match_entries_removed = WholeNumber()
    certificates_masked = WholeNumber()
    signups_cancelled = WholeNumber()


class ExportSchema(Schema):
    """Everything held about the caller (PIPL art. 45): their own data, unmasked."""

    exported_at = LocalDateTime()
    notice = fields.Nested(NoticeSchema)
    account = fields.Dict()
    volunteer = fields.Dict(allow_none=True)
    social_worker = fields.Dict(allow_none=True)
    consents = fields.List(fields.Dict())
    hours = fields.Dict(allow_none=True)
    signups = fields.List(fields.Dict())
    certificates = fields.List(fields.Dict())
    safety = fields.Dict(allow_none=True)  # insurance, guardian consent, hours imported from other platforms
    audit = fields.List(fields.Dict())
