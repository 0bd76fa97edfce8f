"""Revealing a volunteer's whole phone or ID number on purpose (a reason, the audit log), and
showing the person every reveal of their data (PIPL art. 45: the right to know who saw it)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.audit import AuditContext, note_disclosure
from linkage.errors import InvalidInput, Message, NotFound
from linkage.models import AuditEntry, Volunteer, utcnow
from linkage.permissions import REVEALABLE, Actor, may_see, may_see_disclosures, require_revealer
from linkage.security import FieldCipher
from linkage.uow import UnitOfWork

REASON_MIN = 5    # characters: "核实身份" is too short to say why; "核实志愿者身份" will do
REASON_MAX = 300  # audit_log.reason
REVEAL = "reveal"  # audit_log.change of a reveal


def reveal(uow: UnitOfWork, actor: Actor, cipher: FieldCipher, volunteer_id: int, field: str,
           reason: str) -> dict[str, Any]:
    """The whole value of one field, for an admin or auditor who says why; written to the audit
    log (who, when, which field, the reason) in the same transaction that hands the value out."""
    if not may_see(uow.session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    require_revealer(actor)
    reason = (reason or "").strip()
    if field not in REVEALABLE:
        raise InvalidInput("reveal.field", {"field": [Message("field.one_of", choices=", ".join(REVEALABLE))]})
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput("reveal.reason_required",
                           {"reason": [Message("reveal.say_why", min=REASON_MIN, max=REASON_MAX)]})
    volunteer = uow.session.get(Volunteer, volunteer_id)
    value = cipher.read(volunteer, field)
    context = AuditContext(user_id=actor.user_id, username=actor.username, role=actor.role,
                           action=f"reveal {field}")
    note_disclosure(uow.session, context, "volunteers", str(volunteer_id), [field], reason)
    uow.commit()
    return {"volunteer_id": volunteer_id, "field": field, "value": value, "revealed_at": utcnow()}


def disclosures_of(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every reveal of the calling volunteer's data, newest first: when, by whom, what, why."""
    may_see_disclosures(actor)
    rows = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "volunteers",
                                                    AuditEntry.object_id == str(actor.volunteer_id),
                                                    AuditEntry.change == REVEAL)
                           .order_by(AuditEntry.id.desc()))
    return [{"at": r.at, "by": r.username, "role": r.role, "field": (r.fields or [""])[0], "reason": r.reason}
            for r in rows]
