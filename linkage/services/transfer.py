"""Record transfer (转移接续): a signed export of a volunteer's verified record, and its import elsewhere.

The export is a JSON document (the same while the ledger does not change) and a detached Ed25519 signature of its canonical bytes
(`document_bytes`); the importing deployment checks it with the public key of a platform its
district registered as trusted, and keeps what it imports apart from its own ledger."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage import signing
from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import (
    Activity,
    HourEntry,
    HourSource,
    ImportedHours,
    Organization,
    Project,
    RecordStatus,
    TrustedPlatform,
    Volunteer,
    record_states,
)
from linkage.permissions import Actor, may_see
from linkage.policy.transfer import may_export_record, require_record_importer, require_trusted_platform_manager
from linkage.privacy import mask_id_number
from linkage.security import FieldCipher
from linkage.services.hours import chain_head, verify_chain
from linkage.signing import Signer
from linkage.uow import UnitOfWork
from schemas.transfer import TransferDocumentSchema

FORMAT: str = "linkage.transfer.v1"  # (annotated: not a message code)
CREDIT, HONOUR = "credit", "honour"  # 信用时长 (from check-in/out), 荣誉时长 (entered afterwards)


def document_bytes(document: Any) -> bytes:
    """The bytes a signature covers: the document as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def source_kind(entry: HourEntry) -> str:
    return CREDIT if entry.source == HourSource.CHECKIN.value else HONOUR


def _iso(moment: datetime | None) -> str:
    return cast(datetime, moment).astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def _names(session: Session, model: Any, ids: set[int | None], attr: str) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return {row.id: getattr(row, attr) for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def build_export(
    session: Session,
    actor: Actor,
    cipher: FieldCipher,
    signer: Signer,
    volunteer_id: int,
    issuer_name: str,
    base_url: str,
) -> dict[str, Any]:
    """The volunteer's verified record as a transfer document, signed: {document, signature, …}.
    Refused while the volunteer's ledger does not verify, or when nothing is verified."""
    if not may_export_record(actor, volunteer_id):  # another's record is not told to exist
        raise NotFound("volunteer.not_found", id=volunteer_id)
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("volunteer.not_found", id=volunteer_id)
    ledger = verify_chain(session, volunteer_id)
    if not ledger["valid"]:
        raise Conflict(
            "transfer.ledger_broken",
            {
                "ledger": [
                    Message(
                        "certificate.first_bad_entry", entry=ledger["first_bad_entry_id"], seq=ledger["first_bad_seq"]
                    )
                ]
            },
        )
    entries = list(
        session.scalars(select(HourEntry).where(HourEntry.volunteer_id == volunteer_id).order_by(HourEntry.seq))
    )
    states = record_states(entries)
    records = [e for e in entries if states.get(e.id) == RecordStatus.VERIFIED]
    if not records:
        raise Conflict("transfer.no_hours", {"volunteer_id": ["certificate.no_verified_hours"]})
    organizations = _names(session, Organization, {r.organization_id for r in records}, "name")
    activities = _names(session, Activity, {r.activity_id for r in records}, "title")
    projects = _names(session, Project, {r.project_id for r in records}, "title")
    items: list[dict[str, Any]] = [
        {
            "record_id": r.id,
            "hash": r.hash,
            "date": cast(datetime, r.starts_at).astimezone(LOCAL_TZ).date().isoformat(),
            "starts_at": _iso(r.starts_at),
            "ends_at": _iso(r.ends_at),
            "minutes": r.minutes,
            "organization": organizations.get(cast(int, r.organization_id), ""),
            "project": projects.get(cast(int, r.project_id), ""),
            "activity": activities.get(cast(int, r.activity_id), "") or r.content,
            "kind": source_kind(r),
        }
        for r in records
    ]
    # The same ledger gives the same document (Ed25519 signatures are deterministic too), so the
    # JSON, signature and PDF a volunteer downloads one by one match while nothing new is recorded.
    last = entries[-1]
    document = {
        "format": FORMAT,
        "as_of": _iso(last.created_at),
        "export_id": hashlib.sha256(f"{signer.fingerprint}|{volunteer_id}|{last.hash}".encode()).hexdigest()[:32],
        "issuer": {"name": issuer_name, "url": base_url.rstrip("/"), "key_fingerprint": signer.fingerprint},
        "volunteer": {
            "platform_id": volunteer.code,
            "name": volunteer.name,
            "id_number_masked": mask_id_number(cipher.read(volunteer, "id_number")),
        },
        "ledger_head": chain_head(session, volunteer_id),
        "totals": {
            "minutes": sum(i["minutes"] for i in items),
            "credit_minutes": sum(i["minutes"] for i in items if i["kind"] == CREDIT),
            "honour_minutes": sum(i["minutes"] for i in items if i["kind"] == HONOUR),
        },
        "records": items,
    }
    return {
        "document": document,
        "signature": signer.sign(document_bytes(document)),
        "algorithm": signing.ALGORITHM,
        "public_key": signer.public_key_text,
        "key_fingerprint": signer.fingerprint,
    }


# -- the importing side --------------------------------------------------------------------------
def add_trusted_platform(uow: UnitOfWork, actor: Actor, name: str, public_key: str) -> TrustedPlatform:
    """Register another deployment's public key (its /.well-known/linkage-signing-key) as trusted."""
    require_trusted_platform_manager(actor)
    key = signing.load_public_key(public_key)
    if key is None:
        raise InvalidInput("transfer.bad_public_key", {"public_key": ["transfer.public_key_format"]})
    text, print_ = signing.public_key_text(key), signing.fingerprint(key)
    if uow.session.scalars(select(TrustedPlatform).where(TrustedPlatform.public_key == text)).first():
        raise Conflict("transfer.platform_known", {"public_key": ["transfer.platform_already_trusted"]})
    platform = TrustedPlatform(name=name.strip(), public_key=text, fingerprint=print_, added_by=actor.user_id)
    uow.session.add(platform)
    _commit_once(uow, Conflict("transfer.platform_known", {"public_key": ["transfer.platform_already_trusted"]}))
    return platform


def _commit_once(uow: UnitOfWork, refusal: Conflict) -> None:
    """Commit; a unique constraint another transaction won meanwhile is `refusal`, not a 500."""
    try:
        uow.commit()
    except IntegrityError:
        uow.session.rollback()
        raise refusal from None


def trusted_platforms(session: Session, actor: Actor) -> list[TrustedPlatform]:
    require_trusted_platform_manager(actor)
    return list(session.scalars(select(TrustedPlatform).order_by(TrustedPlatform.id)))


def _malformed(errors: dict[str, Any]) -> InvalidInput:
    """One field, `document`, naming what is wrong in it (the keys that failed, if any)."""
    return InvalidInput(
        "transfer.malformed",
        {
            "document": [Message("transfer.bad_parts", parts=", ".join(sorted(errors)))]
            if errors
            else ["transfer.not_an_export"]
        },
    )


def check_export(session: Session, document: Any, signature: str) -> tuple[TrustedPlatform, dict[str, Any]]:
    """The trusted platform that signed `document` and the document as loaded; InvalidInput when it is
    malformed, names no trusted platform, or its signature does not verify."""
    if not isinstance(document, dict):
        raise _malformed({})
    errors = TransferDocumentSchema().validate(document)
    if errors:
        raise _malformed(errors)
    loaded = TransferDocumentSchema().load(document)
    platform = session.scalars(
        select(TrustedPlatform).where(TrustedPlatform.fingerprint == loaded["issuer"]["key_fingerprint"])
    ).first()
    if platform is None:
        raise InvalidInput("transfer.unknown_platform", {"document.issuer": ["transfer.platform_not_trusted"]})
    key = signing.load_public_key(platform.public_key)
    if key is None or not signing.verify(key, document_bytes(document), signature):
        raise InvalidInput("transfer.bad_signature", {"signature": ["transfer.signature_mismatch"]})
    return platform, loaded


def import_export(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, volunteer_id: int, document: Any, signature: str
) -> dict[str, Any]:
    """Import a signed export for a local volunteer: the same person (name and masked ID number),
    each record once (a second import of the same export adds nothing)."""
    volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
    if volunteer is None or not may_see(uow.session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    require_record_importer(actor, volunteer)
    platform, loaded = check_export(uow.session, document, signature)
    person = loaded["volunteer"]
    if person["name"] != volunteer.name or person["id_number_masked"] != mask_id_number(
        cipher.read(volunteer, "id_number")
    ):
        raise Conflict("transfer.other_person", {"volunteer_id": ["transfer.person_mismatch"]})
    batch, added, already, seen = uuid.uuid4().hex, [], 0, set()
    for item in loaded["records"]:
        if item["hash"] in seen:  # the same record twice in one file: once
            already += 1
            continue
        seen.add(item["hash"])
        held = uow.session.scalars(
            select(ImportedHours).where(
                ImportedHours.platform_id == platform.id, ImportedHours.original_hash == item["hash"]
            )
        ).first()
        if held is not None:
            if held.volunteer_id != volunteer_id:
                raise Conflict("transfer.imported_for_other", {"document.records": ["transfer.record_elsewhere"]})
            already += 1
            continue
        added.append(
            ImportedHours(
                volunteer_id=volunteer_id,
                platform_id=platform.id,
                original_record_id=item["record_id"],
                original_hash=item["hash"],
                service_date=item["date"],
                starts_at=item["starts_at"],
                ends_at=item["ends_at"],
                minutes=item["minutes"],
                organization_name=item["organization"][:100],
                activity_title=item["activity"],
                source_kind=item["kind"],
                import_batch=batch,
                imported_by=actor.user_id,
            )
        )
    uow.session.add_all(added)
    _commit_once(uow, Conflict("transfer.imported_for_other", {"document.records": ["transfer.record_elsewhere"]}))
    return {
        "volunteer_id": volunteer_id,
        "platform": platform.name,
        "import_batch": batch if added else None,
        "imported": len(added),
        "already_imported": already,
        "minutes": sum(r.minutes for r in added),
    }


def imported_minutes(session: Session, volunteer_id: int) -> int:
    """The volunteer's imported hours (转入时长) in minutes: kept apart, never in the local totals."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(ImportedHours.minutes), 0)).where(ImportedHours.volunteer_id == volunteer_id)
        )
        or 0
    )


def imported_hours(session: Session, actor: Actor, volunteer_id: int) -> list[dict[str, Any]]:
    """A volunteer's imported records, oldest service first, for whoever may see the volunteer."""
    if not may_see(session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    rows = session.execute(
        select(ImportedHours, TrustedPlatform.name)
        .join(TrustedPlatform, TrustedPlatform.id == ImportedHours.platform_id)
        .where(ImportedHours.volunteer_id == volunteer_id)
        .order_by(ImportedHours.starts_at, ImportedHours.id)
    ).all()
    return [
        {
            "id": r.id,
            "platform": name,
            "original_record_id": r.original_record_id,
            "original_hash": r.original_hash,
            "date": r.service_date,
            "starts_at": r.starts_at,
            "ends_at": r.ends_at,
            "minutes": r.minutes,
            "organization": r.organization_name,
            "activity": r.activity_title,
            "kind": r.source_kind,
            "import_batch": r.import_batch,
            "imported_at": r.imported_at,
        }
        for r, name in rows
    ]
