"""Filing (备案) of community social organizations: a group of residents files with its community
without an account, the community's staff review it, the street (an admin) confirms it, and the
confirmation registers an Organization with registration "filed" through the provider service."""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import Community, Filing, FilingStatus, Organization, utcnow
from linkage.models.filings import OPEN_OR_CONFIRMED
from linkage.permissions import Actor
from linkage.policy.filings import (
    listed_communities,
    may_see_filing,
    require_filing_confirmer,
    require_filing_reviewer,
    shows_whole_phone,
)
from linkage.privacy import mask_id_number, mask_phone
from linkage.security import FieldCipher
from linkage.taxonomy import CATEGORIES
from linkage.uow import UnitOfWork, lock_or_404

RECEIPT_SALT = "linkage.filing-receipt"
STATUS_NAMES = {
    FilingStatus.PENDING_COMMUNITY.value: "待社区受理",
    FilingStatus.PENDING_STREET.value: "待街道确认",
    FilingStatus.RETURNED.value: "已退回",
    FilingStatus.CONFIRMED.value: "已备案",
}


def name_key(name: str) -> str:
    """A group's name as compared for "the same group": full-width folded (NFKC), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


# --- the receipt (回执): an unguessable signed token the group keeps ----------------------------------


def receipt_token(filing: Filing, secret_key: str) -> str:
    """The token of the filing's receipt page: its id and random nonce, signed with the platform's secret."""
    return URLSafeSerializer(secret_key, salt=RECEIPT_SALT).dumps([filing.id, filing.receipt_nonce])


def filing_by_receipt(session: Session, token: str, secret_key: str) -> Filing:
    """The filing a receipt token names; a forged, altered or unknown token is a 404."""
    try:
        filing_id, nonce = URLSafeSerializer(secret_key, salt=RECEIPT_SALT).loads(token)
        filing = session.get(Filing, int(filing_id))
    except (BadSignature, ValueError, TypeError):
        filing = None
        nonce = None
    if filing is None or not secrets.compare_digest(str(filing.receipt_nonce), str(nonce)):
        raise NotFound("filing.unknown_receipt")
    return filing


# --- reading ------------------------------------------------------------------------------------------


def get_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    filing = session.get(Filing, filing_id)
    if filing is None or not may_see_filing(actor, filing):
        raise NotFound("filing.not_found", id=filing_id)
    return filing


def list_filings(
    session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20
) -> tuple[list[Filing], int]:
    """The filings `actor` may see (their community's, or all for the district), newest first, and how many."""
    communities = listed_communities(actor)
    query = select(Filing)
    if communities is not None:
        query = query.where(Filing.community_id.in_(communities))
    if status:
        query = query.where(Filing.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Filing.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def filing_view(session: Session, filing: Filing, cipher: FieldCipher, actor: Actor | None = None) -> dict[str, Any]:
    """As staff see it (`actor`), or as the group sees its receipt (no actor): the ID number always masked,
    the responsible person's mobile whole only for those who review or confirm."""
    community = session.get(Community, filing.community_id)
    phone = cipher.read(filing, "responsible_phone")
    whole = actor is not None and shows_whole_phone(actor, filing)
    return {
        "id": filing.id,
        "community_id": filing.community_id,
        "community_name": community.name if community else "",
        "name": filing.name,
        "field": filing.field,
        "members": [dict(m) for m in filing.members],
        "member_count": len(filing.members),
        "responsible_name": filing.responsible_name,
        "responsible_phone": phone if whole else mask_phone(phone),
        "responsible_id_number_masked": mask_id_number(cipher.read(filing, "responsible_id_number")),
        "activity_place": filing.activity_place,
        "lat": filing.lat,
        "lon": filing.lon,
        "status": filing.status,
        "status_name": STATUS_NAMES.get(filing.status, filing.status),
        "return_reason": filing.return_reason,
        "organization_id": filing.organization_id,
        "created_at": filing.created_at,
        "reviewed_at": filing.reviewed_at,
        "confirmed_at": filing.confirmed_at,
    }


# --- writing ------------------------------------------------------------------------------------------


def _check_same_group(session: Session, community_id: int, key: str) -> None:
    """One filing per group: none pending or confirmed under the same name there, and no organization of it."""
    standing = session.scalar(
        select(Filing.id)
        .where(Filing.community_id == community_id, Filing.name_key == key, Filing.status.in_(OPEN_OR_CONFIRMED))
        .limit(1)
    )
    names = session.scalars(select(Organization.name).where(Organization.community_id == community_id))
    if standing is not None or any(name_key(n) == key for n in names):
        raise Conflict("filing.already_filed", {"name": ["filing.name_taken"]})


def file_group(uow: UnitOfWork, cipher: FieldCipher, data: dict[str, Any], *, min_members: int) -> Filing:
    """A group of residents files (no account: anyone may). Refused, writing nothing, with too few
    members, an unknown community or field, or when the group has filed already (Conflict)."""
    community = uow.session.get(Community, data.get("community_id"))
    if community is None:
        raise InvalidInput("community.unknown", {"community_id": ["field.no_such_community"]})
    if data.get("field") not in CATEGORIES:
        raise InvalidInput("filing.invalid", {"field": ["lib.one_of"]})
    members = data.get("members") or []
    if len(members) < min_members:
        raise InvalidInput(
            "filing.too_few_members", {"members": [Message("filing.members_at_least", n=min_members)]}, n=min_members
        )
    key = name_key(data["name"])
    if not key:
        raise InvalidInput("filing.invalid", {"name": ["field.required"]})
    _check_same_group(uow.session, community.id, key)
    filing = Filing(
        community_id=community.id,
        name=data["name"].strip(),
        name_key=key[:100],
        field=data["field"],
        members=[{"name": m["name"].strip(), "phone": mask_phone(m["phone"])} for m in members],
        responsible_name=data["responsible_name"].strip(),
        activity_place=data["activity_place"].strip(),
        lat=data.get("lat"),
        lon=data.get("lon"),
        status=FilingStatus.PENDING_COMMUNITY.value,
        receipt_nonce=secrets.token_urlsafe(16),
    )
    cipher.write(filing, "responsible_phone", data["responsible_phone"])
    cipher.write(filing, "responsible_id_number", data["responsible_id_number"].upper())
    uow.session.add(filing)
    try:
        uow.session.flush()
    except IntegrityError:  # the same group's filing raced this one past the look-up (uq_filings_standing_group)
        uow.rollback()
        raise Conflict("filing.already_filed", {"name": ["filing.name_taken"]}) from None
    uow.commit()
    return filing


def _locked(uow: UnitOfWork, actor: Actor, filing_id: int) -> Filing:
    get_filing(uow.session, actor, filing_id)  # another's filing is a 404 before anything else
    return lock_or_404(uow.session, Filing, filing_id, what="filing")


def review_filing(uow: UnitOfWork, actor: Actor, filing_id: int, decision: str, reason: str = "") -> Filing:
    """The community's staff accept a filing (on to the street) or return it with a reason."""
    filing = _locked(uow, actor, filing_id)
    require_filing_reviewer(actor, filing)
    if filing.status != FilingStatus.PENDING_COMMUNITY.value:
        raise Conflict("filing.not_pending_community")
    filing.reviewed_by, filing.reviewed_at = actor.user_id, utcnow()
    if decision == "accept":
        filing.status = FilingStatus.PENDING_STREET.value
    else:
        filing.status, filing.return_reason = FilingStatus.RETURNED.value, reason.strip()
    uow.commit()
    return filing


def confirm_filing(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, filing_id: int, decision: str, reason: str = ""
) -> Filing:
    """The street confirms a filing the community accepted: the organization is registered as filed
    (no USCC), in the same transaction, and announced to the matcher like any provider; or returns it."""
    from linkage.services.providers import add_provider

    filing = _locked(uow, actor, filing_id)
    require_filing_confirmer(actor)
    if filing.status != FilingStatus.PENDING_STREET.value:
        raise Conflict("filing.not_pending_street")
    filing.confirmed_by, filing.confirmed_at = actor.user_id, utcnow()
    if decision != "confirm":
        filing.status, filing.return_reason = FilingStatus.RETURNED.value, reason.strip()
        uow.commit()
        return filing
    _check_same_group_organization(uow.session, filing)
    community = uow.session.get_one(Community, filing.community_id)
    organization = add_provider(
        uow,
        actor,
        "organization",
        {
            "name": filing.name,
            "uscc": None,
            "registration": "filed",
            "categories": [filing.field],
            "community_id": community.id,
            "district": community.district,
            "lat": filing.lat if filing.lat is not None else community.lat,
            "lon": filing.lon if filing.lon is not None else community.lon,
            "description": f"活动场所：{filing.activity_place}；成员 {len(filing.members)} 人",
            "contact_name": filing.responsible_name,
            "contact_phone": cipher.read(filing, "responsible_phone"),
        },
        cipher,
    )
    filing.status, filing.organization_id = FilingStatus.CONFIRMED.value, organization.id
    uow.commit()
    return filing


def _check_same_group_organization(session: Session, filing: Filing) -> None:
    """An organization of the same name registered in the community since the filing: not a second one."""
    names = session.scalars(select(Organization.name).where(Organization.community_id == filing.community_id))
    if any(name_key(n) == filing.name_key for n in names):
        raise Conflict("filing.already_filed", {"name": ["filing.name_taken"]})
