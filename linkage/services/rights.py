"""A person's rights over their data (PIPL arts. 44-47): a copy of everything held, and erasure."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select
from sqlalchemy.orm import Session

from linkage.catalogue import Topics
from linkage.errors import Conflict, InvalidInput, NotFound
from linkage.messages import rfc3339
from linkage.models import (
    Activity,
    AuditEntry,
    Certificate,
    Community,
    Consent,
    HourEntry,
    MatchSet,
    OutboxEvent,
    Qualification,
    Signup,
    SignupStatus,
    SocialWorker,
    User,
    Volunteer,
    utcnow,
)
from linkage.notice import current_notice
from linkage.permissions import Actor
from linkage.policy.people import erases_for_another, require_eraser
from linkage.security import FieldCipher
from linkage.services.activities import _emit_signup
from linkage.services.consents import consent_record, consents_of
from linkage.services.hours import entry_record, verify_chain
from linkage.services.safety import erase_safety_records, safety_export
from linkage.services.waitlist import promote_waiting
from linkage.uow import UnitOfWork

# What an erased person's name becomes wherever it was stored (profile, certificates).
ERASED_NAME = "已注销"


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: _time(v) if isinstance(v, datetime) else v for n in names for v in (getattr(obj, n),)}


# -- access and copy (PIPL art. 45) -------------------------------------------------------------
def export_person(session: Session, actor: Actor, cipher: FieldCipher) -> dict[str, Any]:
    """Everything held about the caller, their own personal data unmasked; only ever their own."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("account.missing")
    out: dict[str, Any] = {"exported_at": utcnow(), "notice": current_notice(),
                 "account": _row(user, ("id", "username", "role", "community_id", "organization_id",
                                        "volunteer_id", "social_worker_id", "active", "created_at")),
                 "volunteer": None, "social_worker": None, "consents": [], "hours": None,
                 "signups": [], "certificates": [], "audit": []}
    about = [("users", [user.id])]
    if user.volunteer_id is not None:
        about += _export_volunteer(session, user.volunteer_id, cipher, out)
    if user.social_worker_id is not None:
        worker = session.get(SocialWorker, user.social_worker_id)
        out["social_worker"] = _row(worker, ("id", "name", "certificate_level", "specialties", "organization_id",
                                             "lat", "lon", "service_radius_km", "active", "created_at"))
        about.append(("social_workers", [user.social_worker_id]))
    mine = [and_(AuditEntry.object_type == table, AuditEntry.object_id.in_([str(i) for i in ids]))
            for table, ids in about if ids]
    entries = session.scalars(select(AuditEntry).where(or_(AuditEntry.user_id == user.id, *mine))
                              .order_by(AuditEntry.id))
    out["audit"] = [_row(e, ("id", "at", "username", "role", "action", "object_type", "object_id", "change",
                             "fields", "remote_addr", "request_id")) for e in entries]
    return out


def _export_volunteer(session: Session, volunteer_id: int, cipher: FieldCipher, out: dict[str, Any]) -> list[tuple[str, list[int]]]:
    volunteer = session.get(Volunteer, volunteer_id)
    profile = _row(volunteer, ("id", "code", "name", "skills", "lat", "lon", "travel_radius_km",
                               "availability", "leave", "community_id", "active", "created_at", "updated_at",
                               "erased_at"))
    profile["phone"] = cipher.read(volunteer, "phone")
    profile["id_number"] = cipher.read(volunteer, "id_number")
    out["volunteer"] = profile
    out["qualifications"] = [{**_row(q, ("id", "kind", "level")), "issued_on": q.issued_on.isoformat(),
                              "expires_on": q.expires_on.isoformat() if q.expires_on else None,
                              "number": cipher.read(q, "number")}
                             for q in session.scalars(select(Qualification).where(Qualification.volunteer_id == volunteer_id)
                                                      .order_by(Qualification.id))]
    consents = consents_of(session, volunteer_id)
    out["consents"] = [{**consent_record(c, cipher), "recorded_at": _time(c.recorded_at)} for c in consents]
    chain = list(session.scalars(select(HourEntry).where(HourEntry.volunteer_id == volunteer_id)
                                 .order_by(HourEntry.seq)))
    out["hours"] = {"entries": [entry_record(e) | {"created_at": _time(e.created_at)} for e in chain],
                    "chain": verify_chain(session, volunteer_id)}
    signups = session.execute(select(Signup, Activity.title).join(Activity, Activity.id == Signup.activity_id)
                              .where(Signup.volunteer_id == volunteer_id).order_by(Signup.id)).all()
    out["signups"] = [_row(s, ("id", "activity_id", "status", "created_at", "checked_in_at", "checked_out_at",
                               "cancelled_at")) | {"activity_title": title} for s, title in signups]
    certificates = list(session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer_id)
                                        .order_by(Certificate.id)))
    out["certificates"] = [_row(c, ("id", "code", "organization_id", "issued_at", "verified_minutes", "snapshot",
                                    "revoked_at", "revoked_reason")) for c in certificates]
    out["safety"] = safety_export(session, cipher, volunteer_id)  # insurance, guardian consent, imported hours
    return [("volunteers", [volunteer_id]), ("consents", [c.id for c in consents]),
            ("hour_entries", [e.id for e in chain]), ("signups", [s.id for s, _ in signups]),
            ("certificates", [c.id for c in certificates])]


# -- erasure (PIPL art. 47) -----------------------------------------------------------------------
def erase_volunteer(uow: UnitOfWork, actor: Actor, volunteer_id: int, reason: str = "") -> dict[str, Any]:
    """Anonymise a volunteer: the person is gone, their service stays countable.

    The hour ledger is left as it is (it hashes ids, times and minutes, never a name, phone or
    ID number), so verify-chain still holds and every total is unchanged. The account is
    closed; certificates stay verifiable under the name 已注销; the providers topic gets a
    tombstone, so the matcher forgets them and compaction removes their earlier records.
    """
    require_eraser(actor, volunteer_id)
    if erases_for_another(actor, volunteer_id) and not reason.strip():
        raise InvalidInput("erasure.ground_required", {"reason": ["erasure.give_ground"]})
    volunteer = uow.session.scalars(select(Volunteer).where(Volunteer.id == volunteer_id).with_for_update()).first()
    if volunteer is None:
        raise NotFound("volunteer.not_found", id=volunteer_id)
    if volunteer.erased_at is not None:
        raise Conflict("volunteer.already_erased")
    now = utcnow()
    community = uow.session.get(Community, volunteer.community_id) if volunteer.community_id else None
    volunteer.name, volunteer.phone_cipher, volunteer.phone_digest = ERASED_NAME, "", ""
    volunteer.id_number_cipher, volunteer.id_number_digest = "", f"erased:{volunteer.id}"
    # Home coordinates give way to the community's centre: counts by community stay right.
    volunteer.lat, volunteer.lon = (community.lat, community.lon) if community else (0.0, 0.0)
    volunteer.skills, volunteer.availability, volunteer.leave = [], [], []
    volunteer.active, volunteer.erased_at = False, now
    uow.session.execute(delete(Qualification).where(Qualification.volunteer_id == volunteer_id))
    for consent in uow.session.scalars(select(Consent).where(Consent.volunteer_id == volunteer_id)):
        consent.guardian_name, consent.guardian_phone_cipher = "", ""
    erase_safety_records(uow.session, volunteer_id)
    for user in uow.session.scalars(select(User).where(User.volunteer_id == volunteer_id)):
        user.username, user.password_hash = f"erased-{user.id}", "!"  # no password matches "!"
        user.active, user.token_version = False, user.token_version + 1
    result = {"volunteer_id": volunteer_id, "erased_at": now,
              "signups_cancelled": _cancel_open_signups(uow, volunteer_id, now),
              "certificates_masked": _mask_certificates(uow, volunteer_id),
              "match_entries_removed": _drop_from_rankings(uow, volunteer_id)}
    key = f"volunteer:{volunteer_id}"
    # Earlier provider events carried the name and coordinates: the tombstone supersedes them.
    removed = cast(CursorResult[Any], uow.session.execute(delete(OutboxEvent).where(OutboxEvent.topic == Topics.PROVIDERS,
                                                            OutboxEvent.key == key)))
    result["outbox_rows_removed"] = removed.rowcount
    uow.session.flush()
    uow.tombstone(topic=Topics.PROVIDERS, key=key)
    uow.commit()
    return result


def _cancel_open_signups(uow: UnitOfWork, volunteer_id: int, now: datetime) -> int:
    """Sign-ups for activities still to come are cancelled: organizers should not wait for them."""
    rows = uow.session.execute(select(Signup, Activity).join(Activity, Activity.id == Signup.activity_id).where(
        Signup.volunteer_id == volunteer_id,
        Signup.status.in_((SignupStatus.SIGNED_UP.value, SignupStatus.WAITLISTED.value)),
        Activity.ends_at > now)).all()
    for signup, activity in rows:
        previous, signup.status, signup.cancelled_at = signup.status, SignupStatus.CANCELLED.value, now
        uow.session.flush()
        _emit_signup(uow, activity, signup, previous)
        if previous == SignupStatus.SIGNED_UP.value:
            promote_waiting(uow, activity)
    return len(rows)


def _mask_certificates(uow: UnitOfWork, volunteer_id: int) -> int:
    certificates = list(uow.session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer_id)))
    for certificate in certificates:
        snapshot = dict(certificate.snapshot)
        snapshot["volunteer"] = {**snapshot.get("volunteer", {}), "name": ERASED_NAME,
                                 "name_masked": ERASED_NAME, "document_number_masked": ""}
        certificate.snapshot = snapshot  # a new dict: JSON columns notice reassignment only
    return len(certificates)


def _drop_from_rankings(uow: UnitOfWork, volunteer_id: int) -> int:
    """Stored rankings name the volunteers they list: the erased one leaves every list."""
    removed = 0
    for match_set in uow.session.scalars(select(MatchSet)):
        entries = match_set.matches.get("volunteer", [])
        kept = [e for e in entries if e.get("provider_id") != volunteer_id]
        if len(kept) != len(entries):
            removed += len(entries) - len(kept)
            match_set.matches = {**match_set.matches, "volunteer": kept}
    return removed
