"""Certificates (志愿服务记录证明): issue from verified hours, verify publicly, revoke."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import Certificate, HourEntry, Organization, Project, RecordStatus, Volunteer, record_states, utcnow
from linkage.permissions import Actor, may_see
from linkage.policy.service import (
    asks_for_own_certificate,
    issuer_for,
    require_certificate_issuer,
    require_certificate_revoker,
)
from linkage.privacy import mask_id_number, mask_name
from linkage.security import FieldCipher
from linkage.services.hours import CREDIT, HONOUR, chain_head, hour_kind, verify_chain
from linkage.services.one_time_codes import new_code
from linkage.uow import UnitOfWork

PLATFORM_ISSUER = "区志愿服务记录平台（民政局）"


def _new_code() -> str:
    return "ZY" + new_code(10)


def _service_day(record: HourEntry) -> date:
    """The local day a verified record's service began (a verified record always has its window)."""
    return cast(datetime, record.starts_at).astimezone(LOCAL_TZ).date()


def _verified_records(session: Session, volunteer_id: int, organization_id: int | None) -> list[HourEntry]:
    entries = list(session.scalars(select(HourEntry).where(HourEntry.volunteer_id == volunteer_id)
                                   .order_by(HourEntry.seq)))
    states = record_states(entries)
    return [e for e in entries if states.get(e.id) == RecordStatus.VERIFIED
            and (organization_id is None or e.organization_id == organization_id)]


def issue_certificate(uow: UnitOfWork, actor: Actor, cipher: FieldCipher, volunteer_id: int,
                      data: dict[str, Any], base_url: str) -> Certificate:
    volunteer = uow.get_or_404(Volunteer, volunteer_id)
    organization_id = issuer_for(actor, data.get("organization_id"))
    require_certificate_issuer(actor, volunteer_id, organization_id)
    # A certificate vouches only for a ledger that verifies: a tampered chain is refused,
    # naming the first entry whose hash or link does not match.
    ledger = verify_chain(uow.session, volunteer_id)
    if not ledger["valid"]:
        raise Conflict("certificate.ledger_broken", {"ledger": [Message(
            "certificate.first_bad_entry", entry=ledger["first_bad_entry_id"], seq=ledger["first_bad_seq"])]})
    records = _verified_records(uow.session, volunteer_id, organization_id)
    if not records:
        raise Conflict("certificate.no_hours", {"organization_id": ["certificate.no_verified_hours"]})
    org_ids = {r.organization_id for r in records}
    issuer_org = uow.session.get(Organization, organization_id or next(iter(org_ids))) \
        if organization_id or len(org_ids) == 1 else None
    if organization_id and issuer_org is None:
        raise InvalidInput("organization.unknown", {"organization_id": ["field.no_such_organization"]})
    if asks_for_own_certificate(actor):
        # What the certificate says about the issuer comes from the issuer, not the holder.
        data = {k: v for k, v in data.items() if k not in ("person_in_charge", "handler", "contact")}
    projects = {p.id: p for p in uow.session.scalars(select(Project).where(
        Project.id.in_({r.project_id for r in records})))}
    minutes = sum(r.minutes for r in records)
    code = _new_code()
    issued = utcnow()
    dates = sorted(_service_day(r) for r in records)
    snapshot = {
        "code": code,
        "verify_url": f"{base_url.rstrip('/')}/verify/{code}",
        "issued_on": issued.astimezone(LOCAL_TZ).date().isoformat(),
        "volunteer": {"name": volunteer.name, "name_masked": mask_name(volunteer.name),
                      "document_type": "居民身份证",
                      "document_number_masked": mask_id_number(cipher.read(volunteer, "id_number")),
                      "volunteer_code": volunteer.code},
        "service": {"minutes": minutes, "hours": round(minutes / 60, 1),
                    # 信用时长 (checked in and out) and 荣誉时长 (entered afterwards, self-reported), both verified
                    **{f"{kind}_minutes": sum(r.minutes for r in records if hour_kind(r) == kind)
                       for kind in (CREDIT, HONOUR)},
                    "first_date": dates[0].isoformat(), "last_date": dates[-1].isoformat(),
                    "items": [{"date": _service_day(r).isoformat(),
                               "project": projects[r.project_id].title if r.project_id in projects else "",
                               "content": r.content, "hours": round(r.minutes / 60, 1)} for r in records]},
        # The chain head it was issued against: the public check compares the ledger with it.
        "ledger": chain_head(uow.session, volunteer_id),
        "issuer": {"name": issuer_org.name if issuer_org else PLATFORM_ISSUER,
                   "organization_id": issuer_org.id if issuer_org else None,
                   "person_in_charge": data.get("person_in_charge") or (issuer_org.contact_name if issuer_org else "") or "—",
                   "handler": data.get("handler") or ("线上自助申请" if asks_for_own_certificate(actor) else actor.username) or "—",
                   "contact": data.get("contact") or (issuer_org.contact_phone if issuer_org else "") or "—"},
    }
    certificate = Certificate(code=code, volunteer_id=volunteer_id,
                              organization_id=issuer_org.id if issuer_org else None,
                              issued_by=actor.user_id, issued_at=issued, verified_minutes=minutes,
                              snapshot=snapshot)
    uow.session.add(certificate)
    uow.commit()
    return certificate


def get_certificate(session: Session, code: str) -> Certificate:
    certificate = session.scalars(select(Certificate).where(Certificate.code == code.strip().upper())).first()
    if certificate is None:
        raise NotFound("certificate.unknown_code")
    return certificate


def matches_ledger(session: Session, certificate: Certificate) -> bool:
    """The volunteer's chain still verifies and still holds the head the certificate was issued on."""
    pinned = certificate.snapshot.get("ledger")
    if not verify_chain(session, certificate.volunteer_id)["valid"]:
        return False
    return pinned is None or chain_head(session, certificate.volunteer_id, seq=pinned["seq"]) == pinned


def public_view(session: Session, certificate: Certificate) -> dict[str, Any]:
    """What anyone holding the code may see: no ID number, the name masked; `valid` only while
    the certificate is not revoked and the ledger behind it still verifies."""
    snap = certificate.snapshot
    status = "revoked" if certificate.revoked_at else \
        "valid" if matches_ledger(session, certificate) else "ledger_mismatch"
    return {"code": certificate.code, "valid": status == "valid", "status": status,
            "volunteer_name": snap["volunteer"]["name_masked"], "verified_hours": snap["service"]["hours"],
            "verified_minutes": certificate.verified_minutes,
            "first_date": snap["service"]["first_date"], "last_date": snap["service"]["last_date"],
            "issuer": snap["issuer"]["name"], "issued_on": snap["issued_on"],
            "revoked_at": certificate.revoked_at, "revoked_reason": certificate.revoked_reason}


def revoke_certificate(uow: UnitOfWork, actor: Actor, code: str, reason: str) -> Certificate:
    certificate = get_certificate(uow.session, code)
    require_certificate_revoker(actor, certificate)
    if certificate.revoked_at is not None:
        raise Conflict("certificate.already_revoked")
    certificate.revoked_at, certificate.revoked_reason = utcnow(), reason.strip()[:200]
    uow.commit()
    return certificate


def certificates_of(session: Session, actor: Actor, volunteer_id: int) -> list[Certificate]:
    """A volunteer's certificates, newest first, for whoever may see the volunteer (another's: 404)."""
    if not may_see(session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    return list(session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer_id)
                                .order_by(Certificate.id.desc())))
