"""Residents' voice (议事协商): a community opens a consultation and hands out one-time codes; residents
propose items and vote without an account, each vote answered with an anonymous receipt (回执); staff
close it and turn an item into a need (需求), which keeps the link so residents see what became of it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import Community, Consultation, ConsultationCode, ConsultationItem, ConsultationVote, Need, utcnow
from linkage.permissions import Actor
from linkage.policy.consultations import (
    listed_communities,
    may_run_consultation,
    may_see_consultation,
    require_consultation_opener,
)
from linkage.services import needs as need_service
from linkage.services.one_time_codes import CODE_ALPHABET, digest, new_code, new_codes, wanted_codes
from linkage.uow import UnitOfWork

MAX_CODES = 2000  # codes in one issue (schemas.consultations.ConsultationCodesSchema): cards on one sheet
RECEIPT_LENGTH = 10  # random, not derived from the code: 31^10 receipts, none guessable from another
DIGITS = "".join(ch for ch in CODE_ALPHABET if ch.isdigit())
NEED_DAYS = 30  # a need made from an item runs from tomorrow for this many days unless staff say otherwise


def _new_receipt() -> str:
    """Random, not derived from the code; ending in a digit, so it reads as a code, never as a word."""
    return new_code(RECEIPT_LENGTH - 1) + secrets.choice(DIGITS)


# --- reading ------------------------------------------------------------------------------------------


def phase(consultation: Consultation, now: datetime | None = None) -> str:
    """upcoming (before opens_at), open (proposals and votes taken), closed (by its staff or by closes_at)."""
    now = now or utcnow()
    if consultation.status == "closed" or now >= consultation.closes_at:
        return "closed"
    return "upcoming" if now < consultation.opens_at else "open"


def public_consultation(session: Session, consultation_id: int) -> Consultation:
    """What residents see without an account: any consultation, by its id (public by design)."""
    row = session.get(Consultation, consultation_id)
    if row is None:
        raise NotFound("consultation.not_found", id=consultation_id)
    return row


def staff_consultation(session: Session, actor: Actor, consultation_id: int) -> Consultation:
    """The staff view: its community's staff, the district and auditors; to anyone else a 404."""
    row = session.get(Consultation, consultation_id)
    if row is None or not may_see_consultation(actor, row.community_id):
        raise NotFound("consultation.not_found", id=consultation_id)
    return row


def list_consultations(session: Session, actor: Actor) -> list[Consultation]:
    communities = listed_communities(actor)
    query = select(Consultation).order_by(Consultation.id.desc())
    if communities is not None:
        query = query.where(Consultation.community_id.in_(communities))
    return list(session.scalars(query))


def community_consultations(session: Session, community_id: int) -> list[Consultation]:
    """A community's consultations, newest first: the public list residents pick from."""
    return list(
        session.scalars(
            select(Consultation).where(Consultation.community_id == community_id).order_by(Consultation.id.desc())
        )
    )


def result(session: Session, consultation: Consultation) -> dict[str, Any]:
    """The public result: each item with its votes and their receipts, and what became of it (the need's
    status); the total of votes equals the number of receipts listed, which anyone can count."""
    items = list(
        session.scalars(
            select(ConsultationItem)
            .where(ConsultationItem.consultation_id == consultation.id)
            .order_by(ConsultationItem.id)
        )
    )
    receipts: dict[int, list[str]] = {item.id: [] for item in items}
    for item_id, receipt in session.execute(
        select(ConsultationVote.item_id, ConsultationVote.receipt)
        .where(ConsultationVote.consultation_id == consultation.id)
        .order_by(ConsultationVote.receipt)
    ):
        receipts[item_id].append(receipt)
    needs = {
        n.id: n
        for n in session.scalars(select(Need).where(Need.id.in_([i.need_id for i in items if i.need_id is not None])))
    }
    shown: list[dict[str, Any]] = [
        {
            "id": item.id,
            "title": item.title,
            "description": item.description,
            "votes": len(receipts[item.id]),
            "receipts": receipts[item.id],
            "need_id": item.need_id,
            "need_status": needs[item.need_id].status if item.need_id in needs else None,
        }
        for item in items
    ]
    shown.sort(key=lambda i: (-i["votes"], i["id"]))
    top = shown[0]["votes"] if shown else 0
    for entry in shown:
        entry["leading"] = top > 0 and entry["votes"] == top
    issued, voted = session.execute(
        select(func.count(ConsultationCode.id), func.count(ConsultationCode.voted_at)).where(
            ConsultationCode.consultation_id == consultation.id
        )
    ).one()
    community = session.get(Community, consultation.community_id)
    return {
        "id": consultation.id,
        "community_id": consultation.community_id,
        "community_name": community.name if community else "",
        "title": consultation.title,
        "description": consultation.description,
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "max_proposals": consultation.max_proposals,
        "phase": phase(consultation),
        "items": shown,
        "votes": sum(i["votes"] for i in shown),
        "codes_issued": int(issued),
        "codes_voted": int(voted),
    }


def item_of_need(session: Session, need_id: int) -> ConsultationItem | None:
    """The consultation item a need was made from (its origin), if any."""
    return session.scalars(select(ConsultationItem).where(ConsultationItem.need_id == need_id)).first()


# --- staff --------------------------------------------------------------------------------------------


def open_consultation(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Consultation:
    community_id = data.get("community_id") or actor.community_id
    require_consultation_opener(actor, community_id)
    if uow.session.get(Community, community_id) is None:
        raise InvalidInput("community.unknown", {"community_id": ["field.no_such_community"]})
    if data["closes_at"] <= data["opens_at"]:
        raise InvalidInput("consultation.invalid", {"closes_at": ["consultation.closes_after_opens"]})
    if data["closes_at"] <= utcnow():
        raise InvalidInput("consultation.invalid", {"closes_at": ["consultation.closes_in_past"]})
    row = Consultation(
        community_id=community_id,
        title=data["title"].strip(),
        description=(data.get("description") or "").strip(),
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        max_proposals=data["max_proposals"],
        created_by=actor.user_id,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.commit()
    return row


def _run(uow: UnitOfWork, actor: Actor, consultation_id: int) -> Consultation:
    row = uow.session.get(Consultation, consultation_id)
    if row is None or not may_see_consultation(actor, row.community_id):
        raise NotFound("consultation.not_found", id=consultation_id)
    if not may_run_consultation(actor, row.community_id):
        raise Forbidden("consultation.run_forbidden")
    return row


def issue_codes(uow: UnitOfWork, actor: Actor, consultation_id: int, count: int) -> list[str]:
    """One code per household (议事码), shown once to the staff who issue them: only hashes are kept."""
    row = _run(uow, actor, consultation_id)
    if phase(row) == "closed":
        raise Conflict("consultation.closed")
    codes = new_codes(count)
    for code in codes:
        uow.session.add(ConsultationCode(consultation_id=row.id, code_digest=digest(code), issued_by=actor.user_id))
    uow.commit()
    return codes


def printable_codes(session: Session, actor: Actor, consultation_id: int, codes: list[str]) -> dict[str, Any]:
    """Of the codes just shown (posted back from that page), those of this consultation not yet used at all."""
    row = staff_consultation(session, actor, consultation_id)
    if not may_run_consultation(actor, row.community_id):
        raise NotFound("consultation.not_found", id=consultation_id)
    wanted = wanted_codes(codes, MAX_CODES)
    unused = set(
        session.scalars(
            select(ConsultationCode.code_digest).where(
                ConsultationCode.consultation_id == row.id,
                ConsultationCode.voted_at.is_(None),
                ConsultationCode.proposed_at.is_(None),
                ConsultationCode.code_digest.in_([digest(c) for c in wanted]),
            )
        )
    )
    printable = [code for code in wanted if digest(code) in unused]
    return {"consultation": row, "codes": printable, "skipped": len(wanted) - len(printable)}


def close_consultation(uow: UnitOfWork, actor: Actor, consultation_id: int) -> Consultation:
    row = _run(uow, actor, consultation_id)
    if row.status == "closed":
        raise Conflict("consultation.already_closed")
    row.status, row.closed_at = "closed", utcnow()
    uow.commit()
    return row


def item_to_need(uow: UnitOfWork, actor: Actor, item_id: int, data: dict[str, Any]) -> Need:
    """One click: the item becomes a need of the consultation's community, posted through the needs
    service (so the matcher ranks it as any other), and the item keeps the need's id."""
    item = uow.session.get(ConsultationItem, item_id)
    if item is None:
        raise NotFound("consultation.item_not_found", id=item_id)
    consultation = _run(uow, actor, item.consultation_id)
    if phase(consultation) != "closed":
        raise Conflict("consultation.still_open")
    if item.need_id is not None:
        raise Conflict("consultation.item_has_need", need=item.need_id)
    starts = data.get("starts_at") or (utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    ends = data.get("ends_at") or starts + timedelta(days=NEED_DAYS)
    need = need_service.place_need(
        uow,
        actor,
        {
            "community_id": consultation.community_id,
            "title": item.title,
            "description": item.description or consultation.title,
            "category": data["category"],
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    item.need_id, item.converted_by, item.converted_at = need.id, actor.user_id, utcnow()
    uow.commit()
    return need


# --- residents (no account: the code is the right to speak) ----------------------------------------------


def _open_for_residents(uow: UnitOfWork, consultation_id: int) -> Consultation:
    row = uow.session.get(Consultation, consultation_id)
    if row is None:
        raise NotFound("consultation.not_found", id=consultation_id)
    now = phase(row)
    if now != "open":
        raise Conflict("consultation.not_open" if now == "upcoming" else "consultation.closed")
    return row


def _code(uow: UnitOfWork, consultation: Consultation, code: str) -> ConsultationCode:
    row = uow.session.scalars(
        select(ConsultationCode).where(
            ConsultationCode.code_digest == digest(code), ConsultationCode.consultation_id == consultation.id
        )
    ).first()
    if row is None:
        raise InvalidInput("consultation.unknown_code", {"code": ["consultation.code_invalid"]})
    return row


def _claim(uow: UnitOfWork, code: ConsultationCode, column: Any) -> None:
    """Compare-and-set: of two racing requests with one code, exactly one uses it."""
    claimed = cast(
        "CursorResult[*tuple[Any, ...]]",
        uow.session.execute(
            update(ConsultationCode)
            .where(ConsultationCode.id == code.id, column.is_(None))
            .values({column.key: utcnow()})
        ),
    )
    if claimed.rowcount != 1:
        raise Conflict("consultation.code_used", {"code": ["field.already_used"]})


def propose_item(uow: UnitOfWork, consultation_id: int, code: str, title: str, description: str) -> ConsultationItem:
    """A household proposes one item while the consultation is open and has room for more."""
    consultation = _open_for_residents(uow, consultation_id)
    row = _code(uow, consultation, code)
    taken = (
        uow.session.scalar(
            select(func.count(ConsultationItem.id)).where(ConsultationItem.consultation_id == consultation.id)
        )
        or 0
    )
    if taken >= consultation.max_proposals:
        raise Conflict("consultation.proposals_full", n=consultation.max_proposals)
    _claim(uow, row, ConsultationCode.proposed_at)
    item = ConsultationItem(consultation_id=consultation.id, title=title.strip(), description=description.strip())
    uow.session.add(item)
    uow.session.flush()
    uow.commit()
    return item


def cast_vote(uow: UnitOfWork, consultation_id: int, code: str, item_id: int) -> str:
    """A household votes once, for one item; the answer is an anonymous receipt (回执) listed on the result page.
    The vote keeps no link to the code, nor a time to pair it with the code's."""
    consultation = _open_for_residents(uow, consultation_id)
    item = uow.session.get(ConsultationItem, item_id)
    if item is None or item.consultation_id != consultation.id:
        raise InvalidInput("consultation.invalid", {"item_id": ["consultation.no_such_item"]})
    row = _code(uow, consultation, code)
    _claim(uow, row, ConsultationCode.voted_at)
    receipt = _new_receipt()
    uow.session.add(ConsultationVote(consultation_id=consultation.id, item_id=item.id, receipt=receipt))
    uow.commit()
    return receipt
