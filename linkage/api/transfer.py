"""Record transfer (转移接续): signed exports, the signing key, trusted platforms, imports; insurance and guardian consent."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import signing
from linkage.api.caller import write_as_caller
from linkage.http.context import actor, platform, session
from linkage.http.downloads import attachment
from linkage.reports.transfer_pdf import render_transfer
from linkage.services import safety
from linkage.services import transfer as service
from schemas.transfer import (
    GuardianConsentSchema,
    ImportedHoursSchema,
    ImportRequestSchema,
    ImportResultSchema,
    InsuranceSchema,
    SignedExportSchema,
    SigningKeySchema,
    TrustedPlatformSchema,
)

blp = Blueprint(
    "transfer",
    __name__,
    url_prefix="/api/v1",
    description="转移接续与参与安全 / record transfer, insurance and guardian consent",
)
well_known = FlaskBlueprint("well_known", __name__)


def signing_key() -> dict:
    """The platform's public key, as another deployment registers it."""
    signer = platform().signer
    return {
        "platform": platform().settings.platform_name,
        "algorithm": signing.ALGORITHM,
        "public_key": signer.public_key_text,
        "fingerprint": signer.fingerprint,
    }


@blp.route("/meta/signing-key")
@blp.response(200, SigningKeySchema)
def meta_signing_key():
    """The Ed25519 public key this platform signs record-transfer exports with (public)."""
    return signing_key()


@well_known.get("/.well-known/linkage-signing-key")
def well_known_signing_key():
    return jsonify(signing_key())


def _export(volunteer_id: int) -> dict:
    settings = platform().settings
    return service.build_export(
        session(),
        actor(),
        platform().cipher,
        platform().signer,
        volunteer_id,
        settings.platform_name,
        settings.public_base_url,
    )


@blp.route("/volunteers/<int:volunteer_id>/transfer-export")
@blp.response(200, SignedExportSchema)
def transfer_export(volunteer_id):
    """The volunteer's own verified record, signed: `signature` is Ed25519 over the document's
    canonical JSON (sorted keys, no spaces, UTF-8); refused (409) while their ledger does not verify."""
    return _export(volunteer_id)


@blp.route("/volunteers/<int:volunteer_id>/transfer-export.pdf")
@blp.response(200, description="the same record as a PDF, with the signature's fingerprint")
def transfer_export_pdf(volunteer_id):
    signed = _export(volunteer_id)
    return attachment(render_transfer(signed), f"transfer-{signed['document']['export_id']}.pdf", "application/pdf")


@blp.route("/trusted-platforms")
class TrustedPlatforms(MethodView):
    @blp.response(200, TrustedPlatformSchema(many=True))
    def get(self):
        """Platforms whose exports this one imports (district staff)."""
        return service.trusted_platforms(session(), actor())

    @blp.arguments(TrustedPlatformSchema)
    @blp.response(201, TrustedPlatformSchema)
    def post(self, body):
        """Trust another platform's public key (its /.well-known/linkage-signing-key): district staff."""
        return write_as_caller(service.add_trusted_platform, body["name"], body["public_key"])


@blp.route("/volunteers/<int:volunteer_id>/imported-hours")
class ImportedHours(MethodView):
    @blp.response(200, ImportedHoursSchema(many=True))
    def get(self, volunteer_id):
        """Hours imported from other platforms (转入时长), kept apart from this platform's ledger."""
        return service.imported_hours(session(), actor(), volunteer_id)

    @blp.arguments(ImportRequestSchema)
    @blp.response(200, ImportResultSchema)
    def post(self, body, volunteer_id):
        """Import a signed export for this volunteer (district, or their community's staff). Refused,
        storing nothing, when malformed, signed by an untrusted key, tampered with, or of another
        person; importing the same export again adds nothing (`already_imported`)."""
        return write_as_caller(
            service.import_export, platform().cipher, volunteer_id, body["document"], body["signature"]
        )


@blp.route("/volunteers/<int:volunteer_id>/insurance")
class Insurance(MethodView):
    @blp.response(200, InsuranceSchema)
    def get(self, volunteer_id):
        """The volunteer's accident insurance; 404 when none is on file."""
        return _or_404(safety.insurance_record(safety.insurance_of(session(), actor(), volunteer_id)))

    @blp.arguments(InsuranceSchema)
    @blp.response(200, InsuranceSchema)
    def put(self, body, volunteer_id):
        """The volunteer enters or replaces their accident insurance (insurer, policy, dates)."""
        return safety.insurance_record(write_as_caller(safety.set_insurance, volunteer_id, body))


@blp.route("/volunteers/<int:volunteer_id>/guardian-consent")
class GuardianConsent(MethodView):
    @blp.response(200, GuardianConsentSchema)
    def get(self, volunteer_id):
        """A minor's guardian's consent to their volunteering; 404 when none is on file."""
        return _or_404(
            safety.guardian_record(safety.guardian_consent_of(session(), actor(), volunteer_id), platform().cipher)
        )

    @blp.arguments(GuardianConsentSchema)
    @blp.response(200, GuardianConsentSchema)
    def put(self, body, volunteer_id):
        """The volunteer records their guardian's consent (needed by a minor for any activity)."""
        row = write_as_caller(safety.set_guardian_consent, platform().cipher, volunteer_id, body)
        return safety.guardian_record(row, platform().cipher)


def _or_404(record: dict | None) -> dict:
    if record is None:
        from linkage.errors import NotFound

        raise NotFound("safety.not_on_file")
    return record
