"""Volunteers' qualifications (资质): recorded by the holder, required by shifts and needs, told before expiry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import Qualification, Volunteer, utcnow
from linkage.permissions import Actor
from linkage.policy.people import may_keep_qualifications
from linkage.privacy import mask_id_number
from linkage.security import FieldCipher
from linkage.taxonomy import CERTIFICATE_LEVELS, LEVELLED_QUALIFICATIONS, QUALIFICATION_KINDS
from linkage.uow import UnitOfWork

EXPIRY_NOTICE_DAYS = 30  # the holder is told this many days before a qualification expires
FIELDS = ("kind", "level", "number", "issued_on", "expires_on")


def china_day(moment: datetime | None = None) -> date:
    """The calendar day in China (Asia/Shanghai) of `moment` (now when None)."""
    return (moment or utcnow()).astimezone(LOCAL_TZ).date()


# --- reading ------------------------------------------------------------------------------------------


def _volunteer(session: Session, actor: Actor, volunteer_id: int | None) -> Volunteer:
    """The volunteer whose qualifications `actor` manages: themselves (or any, for an admin).
    Anybody else's is a 404, as if it did not exist."""
    volunteer = session.get(Volunteer, volunteer_id) if volunteer_id is not None else None
    if volunteer is None or not may_keep_qualifications(actor, volunteer.id):
        raise NotFound("provider.not_found", kind="volunteer", id=volunteer_id)
    return volunteer


def qualifications_of(session: Session, actor: Actor, volunteer_id: int | None) -> list[Qualification]:
    volunteer = _volunteer(session, actor, volunteer_id)
    return list(
        session.scalars(
            select(Qualification)
            .where(Qualification.volunteer_id == volunteer.id)
            .order_by(Qualification.kind, Qualification.id)
        )
    )


def _own(session: Session, actor: Actor, qualification_id: int) -> Qualification:
    row = session.get(Qualification, qualification_id)
    if row is None or not may_keep_qualifications(actor, row.volunteer_id):
        raise NotFound("qualification.not_found", id=qualification_id)
    return row


def qualification_view(row: Qualification, cipher: FieldCipher, today: date | None = None) -> dict[str, Any]:
    """As the holder (and an admin) sees it: the number masked like an ID number, whether it counts today."""
    today = today or china_day()
    number = cipher.read(row, "number")
    return {
        "id": row.id,
        "volunteer_id": row.volunteer_id,
        "kind": row.kind,
        "kind_name": QUALIFICATION_KINDS[row.kind][0] if row.kind in QUALIFICATION_KINDS else row.kind,
        "level": row.level,
        "number_masked": mask_id_number(number) if number else "",
        "issued_on": row.issued_on,
        "expires_on": row.expires_on,
        "valid": row.valid_on(today),
    }


# --- writing ------------------------------------------------------------------------------------------


def _check(data: dict[str, Any]) -> None:
    """The rules the schema cannot state alone (a partial change is checked merged with the row)."""
    kind, level = data.get("kind"), data.get("level") or ""
    if kind not in QUALIFICATION_KINDS:
        raise InvalidInput("qualification.invalid", {"kind": ["lib.one_of"]})
    if kind in LEVELLED_QUALIFICATIONS and level not in CERTIFICATE_LEVELS:
        raise InvalidInput("qualification.invalid", {"level": ["qualification.level_required"]})
    if kind not in LEVELLED_QUALIFICATIONS and level:
        raise InvalidInput("qualification.invalid", {"level": ["qualification.no_level"]})
    issued, expires = data.get("issued_on"), data.get("expires_on")
    if issued is None:
        raise InvalidInput("qualification.invalid", {"issued_on": ["field.required"]})
    if issued > china_day():
        raise InvalidInput("qualification.invalid", {"issued_on": ["field.in_future"]})
    if expires is not None and expires < issued:
        raise InvalidInput("qualification.invalid", {"expires_on": ["qualification.expires_before_issued"]})


def _announce(uow: UnitOfWork, volunteer: Volunteer) -> None:
    """The matcher's provider record carries the valid kinds: send it again."""
    from linkage.services.providers import announce_provider

    announce_provider(uow, "volunteer", volunteer)


def add_qualification(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, volunteer_id: int | None, data: dict[str, Any]
) -> Qualification:
    volunteer = _volunteer(uow.session, actor, volunteer_id)
    data = {"level": "", "expires_on": None, **data}
    _check(data)
    row = Qualification(
        volunteer_id=volunteer.id,
        kind=data["kind"],
        level=data["level"] or "",
        issued_on=data["issued_on"],
        expires_on=data["expires_on"],
    )
    cipher.write(row, "number", data.get("number") or "")
    uow.session.add(row)
    uow.session.flush()
    _announce(uow, volunteer)
    uow.commit()
    return row


def update_qualification(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, qualification_id: int, changes: dict[str, Any]
) -> Qualification:
    row = _own(uow.session, actor, qualification_id)
    merged = {f: getattr(row, f) for f in FIELDS if f != "number"} | changes
    if "kind" in changes and changes["kind"] not in LEVELLED_QUALIFICATIONS and "level" not in changes:
        merged["level"] = ""  # a level belongs to the kind it was given with
    _check(merged)
    for field in ("kind", "level", "issued_on", "expires_on"):
        setattr(row, field, merged[field] if field != "level" else merged[field] or "")
    if "number" in changes:
        cipher.write(row, "number", changes["number"] or "")
    uow.session.flush()
    _announce(uow, uow.session.get_one(Volunteer, row.volunteer_id))
    uow.commit()
    return row


def remove_qualification(uow: UnitOfWork, actor: Actor, qualification_id: int) -> None:
    row = _own(uow.session, actor, qualification_id)
    volunteer = uow.session.get_one(Volunteer, row.volunteer_id)
    uow.session.delete(row)
    uow.session.flush()
    _announce(uow, volunteer)
    uow.commit()


# --- the rules other slices call ----------------------------------------------------------------------


def holds_qualification(session: Session, volunteer_id: int, kind: str, on_date: date) -> bool:
    """Whether the volunteer holds `kind`, valid on `on_date` (expired ones stop counting)."""
    found = session.scalar(
        select(Qualification.id)
        .where(
            Qualification.volunteer_id == volunteer_id,
            Qualification.kind == kind,
            Qualification.issued_on <= on_date,
            (Qualification.expires_on.is_(None)) | (Qualification.expires_on >= on_date),
        )
        .limit(1)
    )
    return found is not None


def require_qualification(session: Session, volunteer: Volunteer, activity: Any) -> None:
    """Refuse a sign-up to a shift that requires a qualification the volunteer lacks on its day.
    Reads `activity.qualification_required` ("" or absent = none)."""
    kind = getattr(activity, "qualification_required", "") or ""
    if not kind:
        return
    if not holds_qualification(session, volunteer.id, kind, china_day(activity.starts_at)):
        name = QUALIFICATION_KINDS[kind][0] if kind in QUALIFICATION_KINDS else kind
        raise Conflict(
            "signup.qualification_missing",
            {"activity_id": [Message("signup.qualification_needed", qualification=name)]},
            qualification=name,
        )


def expiring_qualifications(
    session: Session, within_days: int = EXPIRY_NOTICE_DAYS, today: date | None = None
) -> list[tuple[int, Qualification]]:
    """(volunteer id, qualification) for every qualification of an active volunteer expiring in
    [today, today + within_days]: what the notifier's ticker tells the holders (once per row and date)."""
    today = today or china_day()
    rows = session.scalars(
        select(Qualification)
        .join(Volunteer, Volunteer.id == Qualification.volunteer_id)
        .where(
            Volunteer.active.is_(True),
            Qualification.expires_on >= today,
            Qualification.expires_on <= today + timedelta(days=within_days),
        )
        .order_by(Qualification.expires_on, Qualification.id)
    )
    return [(row.volunteer_id, row) for row in rows]


def provider_qualifications(session: Session, volunteer_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """What the matcher learns: kind, level and expiry of each qualification not yet expired (no number)."""
    today = today or china_day()
    rows = session.scalars(
        select(Qualification)
        .where(
            Qualification.volunteer_id == volunteer_id,
            (Qualification.expires_on.is_(None)) | (Qualification.expires_on >= today),
        )
        .order_by(Qualification.kind, Qualification.id)
    )
    return [
        {
            "kind": r.kind,
            "level": r.level,
            "issued_on": r.issued_on.isoformat(),
            "expires_on": r.expires_on.isoformat() if r.expires_on else None,
        }
        for r in rows
    ]
