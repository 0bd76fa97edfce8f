"""Record transfer (转移接续): the signed export document, an import, trusted platforms; insurance and guardian consent."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from schemas.common import LocalDateTime, Name, WholeNumber
from schemas.providers import ContactPhone

HASH = validate.Regexp(r"^[0-9a-f]{64}$", error="field.invalid")


class _Loose(Schema):
    """Fields a later format may add are let through: the signature covers them anyway."""

    class Meta:
        unknown = EXCLUDE


class TransferIssuerSchema(_Loose):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    url = fields.String(required=True, validate=validate.Length(max=500))
    key_fingerprint = fields.String(required=True, validate=validate.Length(min=1, max=80))


class TransferVolunteerSchema(_Loose):
    platform_id = fields.String(required=True, validate=validate.Length(max=50))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    id_number_masked = fields.String(required=True, validate=validate.Length(min=4, max=18))


class TransferRecordSchema(_Loose):
    record_id = WholeNumber(required=True, validate=validate.Range(min=1))
    hash = fields.String(required=True, validate=HASH)
    date = fields.Date(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    minutes = WholeNumber(required=True, validate=validate.Range(min=1, max=24 * 60))
    organization = fields.String(required=True, validate=validate.Length(max=200))
    project = fields.String(load_default="", validate=validate.Length(max=200))
    activity = fields.String(required=True, validate=validate.Length(max=500))
    kind = fields.String(required=True, validate=validate.OneOf(("credit", "honour")))

    @validates_schema
    def _window(self, data, **kwargs):
        if data["starts_at"] >= data["ends_at"]:
            raise ValidationError("field.ends_after_starts", "ends_at")


class TransferTotalsSchema(_Loose):
    minutes = WholeNumber(required=True)
    credit_minutes = WholeNumber(required=True)
    honour_minutes = WholeNumber(required=True)


class TransferDocumentSchema(_Loose):
    format = fields.String(required=True, validate=validate.Equal("linkage.transfer.v1"))
    export_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    as_of = fields.String(required=True, validate=validate.Length(max=40))
    issuer = fields.Nested(TransferIssuerSchema, required=True)
    volunteer = fields.Nested(TransferVolunteerSchema, required=True)
    ledger_head = fields.Dict(allow_none=True)
    totals = fields.Nested(TransferTotalsSchema, required=True)
    records = fields.List(
        fields.Nested(TransferRecordSchema), required=True, validate=validate.Length(min=1, max=10000)
    )


class SignedExportSchema(Schema):
    """What a volunteer downloads: the document and its detached signature, with the key to check it."""

    document = fields.Dict(required=True, metadata={"description": "the export document (format linkage.transfer.v1)"})
    signature = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Ed25519 signature (base64) of the document's canonical JSON"},
    )
    algorithm = fields.String(dump_only=True)
    public_key = fields.String(dump_only=True)
    key_fingerprint = fields.String(dump_only=True)


class ImportRequestSchema(Schema):
    document = fields.Dict(required=True)
    signature = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ImportResultSchema(Schema):
    volunteer_id = WholeNumber()
    platform = fields.String()
    import_batch = fields.String(allow_none=True)
    imported = WholeNumber()
    already_imported = WholeNumber()
    minutes = WholeNumber()


class ImportedHoursSchema(Schema):
    id = WholeNumber()
    platform = fields.String()
    original_record_id = WholeNumber()
    original_hash = fields.String()
    date = fields.Date()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    minutes = WholeNumber()
    organization = fields.String()
    activity = fields.String()
    kind = fields.String()
    import_batch = fields.String()
    imported_at = LocalDateTime()


class TrustedPlatformSchema(Schema):
    id = WholeNumber(dump_only=True)
    name = Name(required=True)
    public_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "base64 of the 32-byte Ed25519 public key"},
    )
    fingerprint = fields.String(dump_only=True)
    added_at = LocalDateTime(dump_only=True)


class SigningKeySchema(Schema):
    platform = fields.String()
    algorithm = fields.String()
    public_key = fields.String()
    fingerprint = fields.String()


# -- safety at sign-up -------------------------------------------------------------------------
class _Dates(Schema):
    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
            raise ValidationError("field.ends_after_starts", "ends_on")


class InsuranceSchema(_Dates):
    volunteer_id = WholeNumber(dump_only=True)
    insurer = Name(required=True)
    policy_number = fields.String(required=True, validate=validate.Length(min=1, max=50))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class GuardianConsentSchema(Schema):
    volunteer_id = WholeNumber(dump_only=True)
    guardian_name = Name(max_len=50, required=True)
    relation = fields.String(required=True, validate=validate.Length(min=1, max=12))
    phone = ContactPhone(required=True)
    given_on = fields.Date(required=True)
