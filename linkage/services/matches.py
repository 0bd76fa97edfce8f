"""Storing the matcher's rankings (the projector's use case) and reading them back."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from linkage.models import MatchSet, Need, NeedStatus, ProcessedEvent, utcnow
from linkage.uow import UnitOfWork

PROVIDER_KINDS = ("organization", "social_worker", "volunteer", "resource")


def already_processed(uow: UnitOfWork, consumer: str, event_id: str) -> bool:
    return uow.session.get(ProcessedEvent, (consumer, event_id)) is not None


def record_matches(uow: UnitOfWork, *, consumer: str, event_id: str, need_id: int,
                   ranked_at: datetime, matches: dict, need_version: str = "") -> bool:
    """Store one need's ranking; idempotent by event id, and a stale ranking never replaces a newer one.

    Returns False when the event was a duplicate or stale (nothing changed). Does not commit.
    """
    if already_processed(uow, consumer, event_id):
        return False
    uow.session.add(ProcessedEvent(consumer=consumer, event_id=event_id))
    need = uow.session.get(Need, need_id)
    if need is None:
        return False  # a need we never stored (e.g. produced by hand for a test): nothing to attach to
    current = uow.session.get(MatchSet, need_id)
    if current is not None and current.ranked_at >= ranked_at:
        return False
    cleaned = {kind: [_as_served(kind, e) for e in matches.get(kind, [])] for kind in PROVIDER_KINDS}
    if current is None:
        uow.session.add(MatchSet(need_id=need_id, event_id=event_id, need_version=need_version,
                                 ranked_at=ranked_at, matches=cleaned))
    else:
        current.event_id, current.need_version = event_id, need_version
        current.ranked_at, current.matches, current.stored_at = ranked_at, cleaned, utcnow()
    if need.status == NeedStatus.OPEN.value:
        need.status = NeedStatus.MATCHED.value
    if need.matched_at is None:
        need.matched_at = utcnow()
    return True


def _as_served(kind: str, entry: dict) -> dict:
    """A ranked entry (its types checked by events.envelope) with exactly the fields the API
    shows: the read path serves stored rankings as they are, without re-serialising 80
    entries a call."""
    return {"provider_id": entry["provider_id"], "kind": kind, "name": entry["name"],
            "score": entry["score"], "distance_km": entry.get("distance_km"),
            "factors": entry.get("factors", {}), "reasons": entry.get("reasons", [])}


def matches_for(session, need_id: int, kind: str | None = None) -> dict:
    """The API view: pending until the matcher's answer is stored (DESIGN §8)."""
    row = session.scalars(select(MatchSet).where(MatchSet.need_id == need_id)).first()
    if row is None:
        return {"need_id": need_id, "status": "pending", "ranked_at": None,
                "matches": {k: [] for k in ((kind,) if kind else PROVIDER_KINDS)}}
    kinds = (kind,) if kind else PROVIDER_KINDS
    return {"need_id": need_id, "status": "ready", "ranked_at": row.ranked_at,
            "matches": {k: row.matches.get(k, []) for k in kinds}}
