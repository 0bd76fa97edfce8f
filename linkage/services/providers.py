"""Registering and maintaining the four provider kinds; each change is announced on linkage.providers."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterator

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from linkage import permissions as perm
from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, DomainError, InvalidInput, Message, NotFound
from linkage.messages import rfc3339
from linkage.models import CharityResource, Organization, SocialWorker, Volunteer, utcnow
from linkage.permissions import Actor, may_see, visible_volunteers, whole_home, whole_phones
from linkage.pinyin import searched
from linkage.policy.people import require_volunteer_registrar
from linkage.privacy import coarse, mask_id_number, mask_phone
from linkage.security import FieldCipher
from linkage.services import consents
from linkage.services.qualifications import provider_qualifications
from linkage.services.reputation import organization_stats, volunteer_verified_minutes
from linkage.services.supervision import supervised_until
from linkage.uow import UnitOfWork, get_or_404

EMPTY_REPUTATION = {"rating_sum": 0.0, "rating_count": 0, "completed": 0, "cancelled": 0}


@dataclass(frozen=True)
class Kind:
    code: str
    model: type[Any]  # one of the four provider models; each has id, name and active
    fields: tuple[str, ...]
    may_create: Callable[[Actor, dict[str, Any]], None]
    may_change: Callable[[Actor, Any], None]


def _org_create(actor: Actor, data: dict[str, Any]) -> None:
    perm.require_admin(actor)


def _org_change(actor: Actor, org: Organization) -> None:
    perm.require_organization_writer(actor, org.id)


def _sw_create(actor: Actor, data: dict[str, Any]) -> None:
    perm.require_organization_writer(actor, data.get("organization_id"))


def _sw_change(actor: Actor, sw: SocialWorker) -> None:
    perm.require_social_worker_writer(actor, sw.id, sw.organization_id)


def _vol_create(actor: Actor, data: dict[str, Any]) -> None:
    require_volunteer_registrar(actor, data.get("community_id"))


def _vol_change(actor: Actor, vol: Volunteer) -> None:
    perm.require_volunteer_self(actor, vol.id)


def _res_create(actor: Actor, data: dict[str, Any]) -> None:
    perm.require_admin(actor)


def _res_change(actor: Actor, res: CharityResource) -> None:
    perm.require_admin(actor)


KINDS: dict[str, Kind] = {
    "organization": Kind("organization", Organization,
                         ("name", "uscc", "registration", "categories", "skills", "description",
                          "district", "community_id", "lat", "lon", "service_radius_km", "capacity",
                          "contact_name", "contact_phone"), _org_create, _org_change),
    "social_worker": Kind("social_worker", SocialWorker,
                          ("name", "certificate_level", "specialties", "organization_id", "lat",
                           "lon", "service_radius_km", "certificate_expires_on"), _sw_create, _sw_change),
    "volunteer": Kind("volunteer", Volunteer,
                      ("name", "skills", "lat", "lon", "travel_radius_km", "availability",
                       "leave", "community_id"), _vol_create, _vol_change),  # phone, id_number: encrypted
    "resource": Kind("resource", CharityResource,
                     ("name", "donor", "kind", "description", "tags", "amount_fen", "quantity",
                      "unit", "lat", "lon", "radius_km", "restricted_categories",
                      "available_from", "available_until"), _res_create, _res_change),
}


def provider_record(kind: str, obj: Any) -> dict[str, Any]:
    """What the matcher learns of a provider: no phone, no ID number (docs/provider-records.md)."""
    base = {"id": obj.id, "name": obj.name, "lat": obj.lat, "lon": obj.lon,
            "active": obj.active, "reputation": dict(EMPTY_REPUTATION)}
    if kind == "organization":
        base.update(categories=list(obj.categories), skills=list(obj.skills),
                    description=obj.description, service_radius_km=obj.service_radius_km,
                    capacity=obj.capacity, open_projects=0, registration=obj.registration)
    elif kind == "social_worker":
        base.update(certificate_level=obj.certificate_level, specialties=list(obj.specialties),
                    organization_id=obj.organization_id, service_radius_km=obj.service_radius_km,
                    # a social worker holds 社工证 at their level by definition, valid to its expiry
                    qualifications=[{"kind": "social_work", "level": obj.certificate_level,
                                     "expires_on": _iso(obj.certificate_expires_on)}],
                    certificate_expires_on=_iso(obj.certificate_expires_on),
                    supervised_until=None)  # 督导中 through this day (services.supervision)
    elif kind == "volunteer":
        base.update(skills=list(obj.skills), travel_radius_km=obj.travel_radius_km,
                    availability=list(obj.availability), leave=list(obj.leave or []),
                    verified_minutes=0, qualifications=[])
    elif kind == "resource":
        base.update(donor=obj.donor, kind=obj.kind, tags=list(obj.tags),
                    description=obj.description, amount_fen=obj.amount_fen,
                    quantity=obj.quantity, remaining_fen=obj.remaining_fen,
                    remaining_quantity=obj.remaining_quantity, unit=obj.unit, radius_km=obj.radius_km,
                    restricted_categories=list(obj.restricted_categories),
                    available_from=rfc3339(obj.available_from) if obj.available_from else None,
                    available_until=rfc3339(obj.available_until) if obj.available_until else None)
    return base


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def next_version(session: Session, obj: Any) -> int:
    """Raise the provider's version in SQL and return it: the row lock orders concurrent
    transactions, so versions grow in commit order (the matcher keeps the highest it saw)."""
    model = type(obj)
    version: int = session.execute(
        update(model).where(model.id == obj.id)
        # updated_at stays: announcing a provider (its reputation, its load) is no edit of it
        .values(version=model.version + 1, updated_at=model.updated_at)
        .returning(model.version).execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(obj, "version", version)
    return version


def announce_provider(uow: UnitOfWork, kind: str, obj: Any, *, new: bool = False) -> None:
    """The provider's upsert (or removal) for the matcher, with its next version. A `new` provider
    was inserted at version 1 (no UPDATE), and a new volunteer has no hours and no qualifications
    yet: provider_record's zeros stand, without asking the database (an import registers
    thousands in one transaction)."""
    key = f"{kind}:{obj.id}"
    version = obj.version if new else next_version(uow.session, obj)
    if obj.active:
        record = provider_record(kind, obj)
        if kind == "organization":
            # The matcher weighs an organization's load and track record: send the current ones.
            record.update(organization_stats(uow.session, obj.id))
        elif kind == "volunteer" and not new:
            record["verified_minutes"] = volunteer_verified_minutes(uow.session, obj.id)
            record["qualifications"] = provider_qualifications(uow.session, obj.id)
        elif kind == "social_worker" and not new:
            record["supervised_until"] = _iso(supervised_until(uow.session, obj.id))
        uow.emit(topic=Topics.PROVIDERS, key=key, type=Types.PROVIDER_UPSERTED,
                 subject=f"{kind}/{obj.id}", data={"kind": kind, "provider": record, "version": version})
    else:
        uow.emit(topic=Topics.PROVIDERS, key=key, type=Types.PROVIDER_REMOVED,
                 subject=f"{kind}/{obj.id}", data={"kind": kind, "id": obj.id, "version": version})


def _kind(code: str) -> Kind:
    return KINDS[code]


def get_provider(session: Session, kind: str, provider_id: int) -> Any:
    return get_or_404(session, _kind(kind).model, provider_id, what=kind)


def _apply_personal_data(uow: UnitOfWork, obj: Volunteer, data: dict[str, Any], cipher: FieldCipher) -> None:
    """Phone and ID number go in encrypted. An ID number is taken if its digest under any key is
    stored: the unique digest column tells for the newest key, a query for the older ones."""
    if "phone" in data:
        cipher.write(obj, "phone", data["phone"])
    if "id_number" in data:
        number = data["id_number"].upper()
        if cipher.key_count > 1:
            taken = select(Volunteer.id).where(Volunteer.id_number_digest.in_(cipher.digests(number)[1:]))
            if obj.id is not None:
                taken = taken.where(Volunteer.id != obj.id)
            if uow.session.scalar(taken.limit(1)) is not None:
                raise Conflict("volunteer.already_registered", {"id_number": ["field.already_registered"]})
        cipher.write(obj, "id_number", number)


def _check_volunteer_change(uow: UnitOfWork, obj: Volunteer, changes: dict[str, Any]) -> None:
    if obj.erased_at is not None:
        raise Conflict("volunteer.erased_profile")
    if "consent" in changes:
        raise InvalidInput("consent.added_not_edited", {"consent": [Message("consent.use_endpoint", id=obj.id)]})
    # A corrected ID number that makes the person under 14 needs their guardian's consent on file.
    if changes.get("id_number") and consents.needs_guardian(changes["id_number"].upper()) \
            and not any(c.guardian_name for c in consents.consents_of(uow.session, obj.id)):
        raise InvalidInput("consent.guardian_required", {"id_number": ["consent.guardian_first"]})


def _apply_remaining(obj: CharityResource, data: dict[str, Any], creating: bool,
                     before: tuple[int | None, int | None] = (None, None)) -> None:
    """A new resource starts with all of it available; a changed total keeps what was drawn."""
    for total, remaining, old_total in (("amount_fen", "remaining_fen", before[0]),
                                        ("quantity", "remaining_quantity", before[1])):
        new_total = getattr(obj, total)
        if creating or old_total is None or getattr(obj, remaining) is None:
            setattr(obj, remaining, new_total)
        elif total in data and new_total is not None:
            left = getattr(obj, remaining) + (new_total - old_total)
            if left < 0:
                raise Conflict("resource.already_drawn",
                               {total: [Message("resource.drawn", n=old_total - getattr(obj, remaining))]})
            setattr(obj, remaining, left)


def _flush_unique(uow: UnitOfWork, kind: str) -> None:
    try:
        uow.session.flush()
    except IntegrityError as exc:
        uow.rollback()
        field = {"organization": "uscc", "volunteer": "id_number"}.get(kind, "id")
        raise Conflict("provider.already_registered", {field: ["field.already_registered"]}, kind=kind) from exc


def _check_refs(uow: UnitOfWork, kind: str, data: dict[str, Any]) -> None:
    from linkage.models import Community  # local: only the reference checks need it
    if data.get("community_id") is not None and uow.session.get(Community, data["community_id"]) is None:
        raise InvalidInput("community.unknown", {"community_id": ["field.no_such_community"]})
    if kind == "social_worker" and data.get("organization_id") is not None \
            and uow.session.get(Organization, data["organization_id"]) is None:
        raise InvalidInput("organization.unknown", {"organization_id": ["field.no_such_organization"]})


def register_provider(uow: UnitOfWork, actor: Actor, kind: str, data: dict[str, Any],
                      cipher: FieldCipher) -> Any:
    obj = add_provider(uow, actor, kind, data, cipher)
    uow.commit()
    return obj


def add_provider(uow: UnitOfWork, actor: Actor, kind: str, data: dict[str, Any], cipher: FieldCipher) -> Any:
    """register_provider without the commit: the caller's transaction writes the provider with its own
    rows (a confirmed filing (备案) and the organization it makes)."""
    obj = _new_provider(uow, actor, kind, data, cipher)
    uow.session.add(obj)
    _flush_unique(uow, kind)
    _registered(uow, actor, kind, obj, data, cipher)
    return obj


def register_providers(uow: UnitOfWork, actor: Actor, kind: str, rows: list[dict[str, Any]],
                       cipher: FieldCipher) -> list[Any]:
    """Many providers by register_provider's rules, written together (one flush for the rows, so
    their inserts go out as a few statements): each item is the provider, or the DomainError that
    refused its row (nothing of it written). The caller commits; a unique key taken meanwhile by
    another (the flush fails) is a Conflict for all of them."""
    made: list[Any] = []
    with uow.session.no_autoflush:  # one flush for all of them, below
        for data in rows:
            try:
                obj = _new_provider(uow, actor, kind, data, cipher)
            except DomainError as refused:
                made.append(refused)
                continue
            uow.session.add(obj)
            made.append(obj)
    _flush_unique(uow, kind)
    for obj, data in zip(made, rows, strict=True):
        if not isinstance(obj, DomainError):
            _registered(uow, actor, kind, obj, data, cipher)
    return made


def _new_provider(uow: UnitOfWork, actor: Actor, kind: str, data: dict[str, Any], cipher: FieldCipher) -> Any:
    """A provider to add, checked by the rules of registration (may refuse, writing nothing)."""
    spec = _kind(kind)
    spec.may_create(actor, data)
    if kind == "volunteer":
        if not data.get("id_number"):
            raise InvalidInput("volunteer.id_number_required", {"id_number": ["field.required"]})
        consents.check_consent(data.get("consent"), data["id_number"].upper(), actor)
    _check_refs(uow, kind, data)
    obj = spec.model(**{k: v for k, v in data.items() if k in spec.fields})
    obj.version = 1  # its first event's: inserted so, announced without an UPDATE
    if kind == "volunteer":
        obj.code = "tmp-" + uuid.uuid4().hex[:12]
        _apply_personal_data(uow, obj, data, cipher)
    if kind == "resource":
        _apply_remaining(obj, data, creating=True)
    return obj


def _registered(uow: UnitOfWork, actor: Actor, kind: str, obj: Any, data: dict[str, Any],
                cipher: FieldCipher) -> None:
    """What follows a provider's first write: its 志愿者编号 and consent, its event for the matcher."""
    if kind == "volunteer":
        obj.code = f"V{obj.id:08d}"  # 志愿者编号, printed on certificates
        consents.add_consent(uow, actor, obj.id, data["consent"], cipher)
    announce_provider(uow, kind, obj, new=True)


def update_provider(uow: UnitOfWork, actor: Actor, kind: str, provider_id: int, changes: dict[str, Any],
                    cipher: FieldCipher) -> Any:
    spec = _kind(kind)
    obj = get_provider(uow.session, kind, provider_id)
    spec.may_change(actor, obj)
    perm.require_field_changes(actor, kind, obj, changes)  # USCC, registration, employer, community
    if kind == "volunteer":
        _check_volunteer_change(uow, obj, changes)
    _check_refs(uow, kind, changes)
    before = (getattr(obj, "amount_fen", None), getattr(obj, "quantity", None))
    for field, value in changes.items():
        if field in spec.fields:
            setattr(obj, field, value)
    if kind == "volunteer":
        _apply_personal_data(uow, obj, changes, cipher)
    if kind == "resource":
        _apply_remaining(obj, changes, creating=False, before=before)
    _flush_unique(uow, kind)
    announce_provider(uow, kind, obj)
    uow.commit()
    return obj


def deactivate_provider(uow: UnitOfWork, actor: Actor, kind: str, provider_id: int) -> Any:
    spec = _kind(kind)
    obj = get_provider(uow.session, kind, provider_id)
    spec.may_change(actor, obj)
    if not obj.active:
        return obj
    obj.active = False
    announce_provider(uow, kind, obj)
    uow.commit()
    return obj


def read_provider(session: Session, actor: Actor, kind: str, provider_id: int) -> Any:
    """One provider as `actor` may see it: a volunteer outside the policy's reach is a 404."""
    if kind == "volunteer" and not may_see(session, actor, Volunteer, provider_id):
        raise NotFound("provider.not_found", kind=kind, id=provider_id)
    return get_provider(session, kind, provider_id)


def list_providers(session: Session, actor: Actor, kind: str, *, filters: dict[str, Any] | None = None, page: int = 1,
                   page_size: int = 20, include_inactive: bool = False,
                   cipher: FieldCipher | None = None, q: str | None = None) -> tuple[list[Any], int]:
    """A page of providers; volunteers filtered in the query by who may see them (no leaked totals).
    A volunteer's phone is found by its keyed digest (under any key), never by decrypting rows.
    `q` searches the name by Chinese, full pinyin or initials (linkage.pinyin), best matches first."""
    model = _kind(kind).model
    query = select(model)
    order: list[Any] = [model.id]
    if (found := searched(session, model, q)) is not None:
        query = query.where(found[0])
        order.insert(0, found[1])
    if kind == "volunteer" and (visible := visible_volunteers(actor)) is not None:
        query = query.where(visible)
    if not include_inactive:
        query = query.where(model.active.is_(True))
    for field, value in (filters or {}).items():
        if field == "phone" and value is not None and kind == "volunteer":
            assert cipher is not None  # a phone is only looked up with the cipher
            query = query.where(Volunteer.phone_digest.in_(cipher.digests(value)))
        elif value is not None and hasattr(model, field):
            query = query.where(getattr(model, field) == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*order).limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def shown(session: Session, actor: Actor, kind: str, providers: list[Any], cipher: FieldCipher,
          now: datetime | None = None) -> list[Any]:
    """Providers as `actor` may see them: a volunteer's phone masked unless the policy shows it
    whole (themselves; their organization's staff during an activity's window), the ID number
    always masked (whole only by a reveal: linkage.services.disclosures), the home's coordinates
    coarse to all but the volunteer."""
    if kind != "volunteer":
        return list(providers)
    whole = whole_phones(session, actor, [v.id for v in providers], now or utcnow())
    return [_volunteer_view(v, v.id in whole, whole_home(actor, v.id), cipher) for v in providers]


def _volunteer_view(volunteer: Volunteer, whole_phone: bool, home_whole: bool,
                    cipher: FieldCipher) -> dict[str, Any]:
    view = {column.key: getattr(volunteer, column.key) for column in Volunteer.__table__.columns
            if column.key not in ("id_number_cipher", "id_number_digest", "phone_cipher", "phone_digest")}
    phone = cipher.read(volunteer, "phone")
    view["phone"] = phone if whole_phone else mask_phone(phone)
    view["id_number_masked"] = mask_id_number(cipher.read(volunteer, "id_number"))
    if not home_whole:
        view["lat"], view["lon"] = coarse(volunteer.lat), coarse(volunteer.lon)
    return view


def provider_records(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every active provider as the matcher knows it: the source for `linkage providers republish`."""
    for kind, spec in KINDS.items():
        for obj in session.scalars(select(spec.model).where(spec.model.active.is_(True))
                                   .order_by(spec.model.id)).yield_per(1000):
            record = provider_record(kind, obj)
            if kind == "organization":
                record.update(organization_stats(session, obj.id))
            elif kind == "volunteer":
                record["verified_minutes"] = volunteer_verified_minutes(session, obj.id)
                record["qualifications"] = provider_qualifications(session, obj.id)
            elif kind == "social_worker":
                record["supervised_until"] = _iso(supervised_until(session, obj.id))
            yield kind, record


def republish_providers(uow: UnitOfWork) -> int:
    """Queue an upsert event for every active provider (rebuilds the compacted providers topic)."""
    count = 0
    for kind, spec in KINDS.items():
        for obj in uow.session.scalars(select(spec.model).where(spec.model.active.is_(True))):
            announce_provider(uow, kind, obj)
            count += 1
    uow.commit()
    return count
