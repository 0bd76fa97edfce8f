"""Record transfer pages (转移接续): a volunteer's export downloads, staff's import, the district's trusted
platforms; a volunteer's insurance and guardian consent."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linkage.errors import DomainError, Forbidden, InvalidInput, NotFound
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.http.downloads import attachment
from linkage.models import Volunteer
from linkage.policy.transfer import may_manage_trusted_platforms
from linkage.reports.transfer_pdf import render_transfer
from linkage.services import safety
from linkage.services import transfer as service
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import domain_form_error
from linkage.web.i18n import t
from schemas.transfer import GuardianConsentSchema, InsuranceSchema, TrustedPlatformSchema


# -- the volunteer's export ---------------------------------------------------------------------
def _signed() -> dict[str, Any]:
    who, settings = current_actor(), platform().settings
    return service.build_export(
        db_session(),
        who,
        platform().cipher,
        platform().signer,
        who.volunteer_id,
        settings.platform_name,
        settings.public_base_url,
    )


def _download(kind: str) -> Response:
    try:
        signed = _signed()
    except DomainError as err:
        if isinstance(err, (Forbidden, NotFound)):
            raise
        flash(domain_form_error(err).message)
        return redirect(url_for("web.my_hours") + "#transfer", 303)  # type: ignore[return-value]
    name = f"linkage-transfer-{signed['document']['export_id']}"
    if kind == "pdf":
        return attachment(render_transfer(signed), f"{name}.pdf", "application/pdf")
    if kind == "sig":
        return attachment((signed["signature"] + "\n").encode(), f"{name}.json.sig", "text/plain")
    return attachment(service.document_bytes(signed["document"]), f"{name}.json", "application/json")


@bp.get("/me/transfer/export.json")
@roles("volunteer")
def transfer_json():
    return _download("json")


@bp.get("/me/transfer/export.json.sig")
@roles("volunteer")
def transfer_signature():
    return _download("sig")


@bp.get("/me/transfer/export.pdf")
@roles("volunteer")
def transfer_pdf():
    return _download("pdf")


# -- staff import a volunteer's export ----------------------------------------------------------
def _import_view(*, errors=None, message="", status=200):
    failed = failed_form()
    return render_template(
        "transfer_import.html",
        errors=errors or failed.get("errors", {}),
        manages_platforms=may_manage_trusted_platforms(current_actor()),
        message=message or failed.get("message", ""),
        form=posted(),
    ), status


@bp.get("/transfer/import")
@roles("community_staff", "admin")
def transfer_import():
    return _import_view()


def _uploaded(name: str) -> str:
    upload = request.files.get(name)
    text = upload.read().decode("utf-8", errors="replace") if upload and upload.filename else ""
    return text or request.form.get(name + "_text", "")


@bp.post("/transfer/import")
@roles("community_staff", "admin")
def transfer_import_post():
    who, code = current_actor(), request.form.get("volunteer_code", "").strip().upper()
    try:
        volunteer_id = db_session().scalar(select(Volunteer.id).where(Volunteer.code == code)) if code else None
        if volunteer_id is None:
            raise InvalidInput("transfer.no_such_volunteer", {"volunteer_code": ["transfer.volunteer_code"]})
        try:
            document = json.loads(_uploaded("document"))
        except ValueError:
            raise InvalidInput("transfer.malformed", {"document": ["transfer.not_an_export"]}) from None
        signature = _uploaded("signature").strip()
        if not signature:
            raise InvalidInput("transfer.bad_signature", {"signature": ["field.required"]})
        with platform().uow() as uow:
            done = service.import_export(uow, who, platform().cipher, volunteer_id, document, signature)
    except DomainError as err:
        if isinstance(err, Forbidden):
            raise
        refused = domain_form_error(err)
        return _import_view(errors=refused.errors, message=refused.message, status=err.status)
    flash(
        t(
            "transfer.imported_done",
            imported=done["imported"],
            already=done["already_imported"],
            platform=done["platform"],
        )
    )
    return redirect(url_for("web.transfer_import"), 303)


# -- the district's trusted platforms ----------------------------------------------------------
def _platforms_view(*, errors=None, message="", status=200):
    failed = failed_form()
    signer = platform().signer
    return render_template(
        "transfer_platforms.html",
        platforms=service.trusted_platforms(db_session(), current_actor()),
        own={
            "name": platform().settings.platform_name,
            "public_key": signer.public_key_text,
            "fingerprint": signer.fingerprint,
        },
        errors=errors or failed.get("errors", {}),
        message=message or failed.get("message", ""),
        form=posted(),
    ), status


@bp.get("/transfer/platforms")
@roles("admin")
def trusted_platforms():
    return _platforms_view()


@bp.post("/transfer/platforms")
@roles("admin")
def add_trusted_platform():
    def run(body):
        with platform().uow() as uow:
            service.add_trusted_platform(uow, current_actor(), body["name"], body["public_key"])

    return act(_platforms_view, url_for("web.trusted_platforms"), run, TrustedPlatformSchema())


# -- the volunteer's insurance and guardian consent --------------------------------------------
def _safety_view(*, errors=None, message="", status=200):
    who = current_actor()
    failed = failed_form()
    return render_template(
        "safety.html",
        insurance=safety.insurance_of(db_session(), who, who.volunteer_id),
        guardian=safety.guardian_record(
            safety.guardian_consent_of(db_session(), who, who.volunteer_id), platform().cipher
        ),
        errors=errors or failed.get("errors", {}),
        message=message or failed.get("message", ""),
        form=posted(),
    ), status


@bp.get("/me/safety")
@roles("volunteer")
def my_safety():
    return _safety_view()


@bp.post("/me/safety/insurance")
@roles("volunteer")
def save_insurance():
    def run(body):
        with platform().uow() as uow:
            safety.set_insurance(uow, current_actor(), current_actor().volunteer_id, body)

    return act(_safety_view, url_for("web.my_safety"), run, InsuranceSchema())


@bp.post("/me/safety/guardian")
@roles("volunteer")
def save_guardian_consent():
    def run(body):
        with platform().uow() as uow:
            safety.set_guardian_consent(uow, current_actor(), platform().cipher, current_actor().volunteer_id, body)

    return act(_safety_view, url_for("web.my_safety"), run, GuardianConsentSchema())
