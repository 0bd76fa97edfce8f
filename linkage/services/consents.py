"""Consent to the privacy notice (个人信息处理告知): the notice, recording consent, the under-14 guardian rule."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from linkage import permissions as perm
from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import Consent, ConsentMethod, Volunteer
from linkage.notice import GUARDIAN_AGE, current_version
from linkage.permissions import Actor
from linkage.policy.people import may_confirm_paper_consent, require_consent_recorder
from linkage.security import FieldCipher
from linkage.uow import UnitOfWork


def age_on(id_number: str, today: date | None = None) -> int | None:
    """Whole years of age from the birth date in a resident ID number (python-stdnum cn.ric)."""
    try:
        born = ric.get_birth_date(id_number)
    except (StdnumError, ValueError):
        return None
    today = today or datetime.now(LOCAL_TZ).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def needs_guardian(id_number: str, today: date | None = None) -> bool:
    age = age_on(id_number, today)
    return age is not None and age < GUARDIAN_AGE


def check_consent(consent: dict[str, Any] | None, id_number: str, actor: Actor) -> None:
    """Registration is refused without consent to the current notice, or for an under-14
    without their guardian's consent (422 naming the field)."""
    if not consent:
        raise InvalidInput("consent.required", {"consent": ["consent.notice_required"]})
    version = current_version()
    if consent.get("notice_version") != version:
        raise InvalidInput("consent.stale_notice",
                           {"consent.notice_version": [Message("consent.current_notice", version=version)]})
    if consent.get("method") not in {m.value for m in ConsentMethod}:
        raise InvalidInput("consent.unknown_method", {"consent.method": ["consent.methods"]})
    if consent["method"] == ConsentMethod.PAPER.value and not may_confirm_paper_consent(actor):
        raise InvalidInput("consent.paper_by_staff", {"consent.method": ["consent.paper_by_staff"]})
    if needs_guardian(id_number) and not (consent.get("guardian") or {}).get("name"):
        raise InvalidInput("consent.guardian_required", {"consent.guardian": ["consent.guardian_required"]})


def add_consent(uow: UnitOfWork, actor: Actor, volunteer_id: int, consent: dict[str, Any], cipher: FieldCipher) -> Consent:
    """Write one consent record (the caller commits)."""
    guardian = consent.get("guardian") or {}
    row = Consent(volunteer_id=volunteer_id, notice_version=consent["notice_version"],
                  method=consent["method"], recorded_by=actor.user_id,
                  guardian_name=guardian.get("name", ""), guardian_relation=guardian.get("relation", ""),
                  guardian_phone_cipher=cipher.encrypt(guardian["phone"]) if guardian.get("phone") else "")
    uow.session.add(row)
    return row


def record_consent(uow: UnitOfWork, actor: Actor, volunteer_id: int, consent: dict[str, Any],
                   cipher: FieldCipher) -> Consent:
    """A further consent (a new notice version, a guardian's): by the volunteer themself, or by
    the district or their community's staff confirming a paper form."""
    volunteer = uow.session.get(Volunteer, volunteer_id)
    if volunteer is None or not perm.may_see(uow.session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    require_consent_recorder(actor, volunteer)
    if volunteer.erased_at is not None:
        raise Conflict("volunteer.erased")
    check_consent(consent, cipher.decrypt(volunteer.id_number_cipher), actor)
    row = add_consent(uow, actor, volunteer_id, consent, cipher)
    uow.session.flush()
    uow.commit()
    return row


def consents_of(session: Session, volunteer_id: int) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.volunteer_id == volunteer_id).order_by(Consent.id)))


def consent_record(row: Consent, cipher: FieldCipher) -> dict[str, Any]:
    """A consent as its owner sees it (their export): the guardian's phone whole; no `guardian` key
    when no guardian consented."""
    record: dict[str, Any] = {"id": row.id, "volunteer_id": row.volunteer_id, "notice_version": row.notice_version,
              "method": row.method, "recorded_by": row.recorded_by, "recorded_at": row.recorded_at}
    if row.guardian_name:
        record["guardian"] = {"name": row.guardian_name, "relation": row.guardian_relation,
                              "phone": cipher.read(row, "guardian_phone")}
    return record


def read_consents(session: Session, actor: Actor, volunteer_id: int, cipher: FieldCipher) -> list[dict[str, Any]]:
    """A volunteer's consent records, for whoever may see the volunteer (another's: 404)."""
    if not perm.may_see(session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    return [consent_record(c, cipher) for c in consents_of(session, volunteer_id)]
