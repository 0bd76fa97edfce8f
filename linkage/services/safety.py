"""A volunteer's safety records: their accident insurance (意外保险) and a guardian's consent (监护人同意)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import InvalidInput, NotFound
from linkage.models import GuardianConsent, Insurance, Volunteer
from linkage.permissions import Actor, may_see
from linkage.policy.transfer import require_safety_editor
from linkage.security import FieldCipher
from linkage.uow import UnitOfWork
from linkage.validators import normalise_phone


def _visible(session: Session, actor: Actor, volunteer_id: int) -> None:
    if not may_see(session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)


def insurance_record(row: Insurance | None) -> dict[str, Any] | None:
    return (
        None
        if row is None
        else {
            "volunteer_id": row.volunteer_id,
            "insurer": row.insurer,
            "policy_number": row.policy_number,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
        }
    )


def guardian_record(row: GuardianConsent | None, cipher: FieldCipher) -> dict[str, Any] | None:
    return (
        None
        if row is None
        else {
            "volunteer_id": row.volunteer_id,
            "guardian_name": row.guardian_name,
            "relation": row.relation,
            "phone": cipher.read(row, "phone"),
            "given_on": row.given_on,
        }
    )


def insurance_of(session: Session, actor: Actor, volunteer_id: int) -> Insurance | None:
    _visible(session, actor, volunteer_id)
    return session.scalars(select(Insurance).where(Insurance.volunteer_id == volunteer_id)).first()


def guardian_consent_of(session: Session, actor: Actor, volunteer_id: int) -> GuardianConsent | None:
    _visible(session, actor, volunteer_id)
    return session.scalars(select(GuardianConsent).where(GuardianConsent.volunteer_id == volunteer_id)).first()


def set_insurance(uow: UnitOfWork, actor: Actor, volunteer_id: int, data: dict[str, Any]) -> Insurance:
    """The volunteer enters (or replaces) their accident insurance policy."""
    _visible(uow.session, actor, volunteer_id)
    require_safety_editor(actor, volunteer_id)
    uow.session.get(Volunteer, volunteer_id, with_for_update=True)  # one writer at a time: one row each
    if data["starts_on"] > data["ends_on"]:
        raise InvalidInput("time.empty_window", {"ends_on": ["field.ends_after_starts"]})
    row = uow.session.scalars(select(Insurance).where(Insurance.volunteer_id == volunteer_id).with_for_update()).first()
    if row is None:
        row = Insurance(volunteer_id=volunteer_id)
        uow.session.add(row)
    row.insurer, row.policy_number = data["insurer"].strip(), data["policy_number"].strip()
    row.starts_on, row.ends_on = data["starts_on"], data["ends_on"]
    uow.commit()
    return row


def set_guardian_consent(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, volunteer_id: int, data: dict[str, Any]
) -> GuardianConsent:
    """The volunteer records (or replaces) their guardian's consent; the guardian's phone is encrypted."""
    _visible(uow.session, actor, volunteer_id)
    require_safety_editor(actor, volunteer_id)
    uow.session.get(Volunteer, volunteer_id, with_for_update=True)  # one writer at a time: one row each
    phone = normalise_phone(data["phone"])
    if phone is None:
        raise InvalidInput("request.invalid_input", {"phone": ["field.phone"]})
    row = uow.session.scalars(
        select(GuardianConsent).where(GuardianConsent.volunteer_id == volunteer_id).with_for_update()
    ).first()
    if row is None:
        row = GuardianConsent(volunteer_id=volunteer_id)
        uow.session.add(row)
    row.guardian_name, row.relation, row.given_on = (
        data["guardian_name"].strip(),
        data["relation"].strip(),
        data["given_on"],
    )
    cipher.write(row, "phone", phone)
    uow.commit()
    return row


def safety_export(session: Session, cipher: FieldCipher, volunteer_id: int) -> dict[str, Any]:
    """The volunteer's safety records and imported hours, whole, for their own data export (PIPL art. 45)."""
    from linkage.models import ImportedHours

    def plain(record: dict[str, Any] | None) -> dict[str, Any] | None:
        return (
            None if record is None else {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()}
        )

    insurance = session.scalars(select(Insurance).where(Insurance.volunteer_id == volunteer_id)).first()
    guardian = session.scalars(select(GuardianConsent).where(GuardianConsent.volunteer_id == volunteer_id)).first()
    imported = session.scalars(
        select(ImportedHours).where(ImportedHours.volunteer_id == volunteer_id).order_by(ImportedHours.id)
    )
    return {
        "insurance": plain(insurance_record(insurance)),
        "guardian_consent": plain(guardian_record(guardian, cipher)),
        "imported_hours": [
            plain(
                {
                    "id": r.id,
                    "platform_id": r.platform_id,
                    "original_hash": r.original_hash,
                    "date": r.service_date,
                    "minutes": r.minutes,
                    "organization": r.organization_name,
                    "activity": r.activity_title,
                    "kind": r.source_kind,
                    "imported_at": r.imported_at,
                }
            )
            for r in imported
        ],
    }


def erase_safety_records(session: Session, volunteer_id: int) -> None:
    """At erasure (PIPL art. 47): the policy and the guardian's name and phone go; imported hours stay,
    like the local ledger (they name no one)."""
    for model in (Insurance, GuardianConsent):
        for row in session.scalars(select(model).where(model.volunteer_id == volunteer_id)):
            session.delete(row)
