"""Storing the matcher's rankings (the projector's use case) and reading them back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, lazyload

from linkage.catalogue import PROVIDER_KINDS
from linkage.models import MatchSet, Need, NeedStatus, ProcessedEvent, utcnow
from linkage.permissions import Actor, whole_name_in_matches
from linkage.privacy import distance_band, distance_band_zh, mask_name
from linkage.uow import UnitOfWork


def already_processed(uow: UnitOfWork, consumer: str, event_id: str) -> bool:
    return uow.session.get(ProcessedEvent, (consumer, event_id)) is not None


@dataclass(frozen=True)
class Ranking:
    """One `linkage.need.matched.v1`: the matcher's ranked lists for one need."""

    event_id: str
    need_id: int
    ranked_at: datetime
    matches: dict[str, Any]
    need_version: str = ""


def record_matches(uow: UnitOfWork, *, consumer: str, event_id: str, need_id: int,
                   ranked_at: datetime, matches: dict[str, Any], need_version: str = "") -> bool:
    """Store one need's ranking; idempotent by event id, and a stale ranking never replaces a newer one.

    Returns False when the event was a duplicate or stale (nothing changed). Does not commit.
    """
    ranking = Ranking(event_id, need_id, ranked_at, matches, need_version)
    return record_rankings(uow, consumer=consumer, rankings=[ranking]) == 1


def record_rankings(uow: UnitOfWork, *, consumer: str, rankings: list[Ranking]) -> int:
    """record_matches for a batch, with three reads for the whole batch instead of three per
    need (the projector stores a poll's rankings together). Returns how many were stored."""
    session = uow.session
    need_ids = {r.need_id for r in rankings}
    with session.no_autoflush:
        seen = set(session.scalars(select(ProcessedEvent.event_id).where(
            ProcessedEvent.consumer == consumer,
            ProcessedEvent.event_id.in_([r.event_id for r in rankings]))))
        needs = {n.id: n for n in session.scalars(
            select(Need).options(lazyload(Need.community)).where(Need.id.in_(need_ids)))}
        # The stored lists are only replaced, never read here: leave their JSON unloaded.
        current = {m.need_id: m for m in session.scalars(
            select(MatchSet).options(defer(MatchSet.matches)).where(MatchSet.need_id.in_(need_ids)))}
        stored = 0
        for ranking in rankings:
            if ranking.event_id in seen:
                continue  # a duplicate delivery (or the same event twice in this batch)
            seen.add(ranking.event_id)
            session.add(ProcessedEvent(consumer=consumer, event_id=ranking.event_id))
            need = needs.get(ranking.need_id)
            if need is None:
                continue  # a need we never stored (e.g. produced by hand for a test)
            existing = current.get(ranking.need_id)
            if existing is not None and existing.ranked_at >= ranking.ranked_at:
                continue  # stale: a newer ranking of this need is already stored
            _store(session, current, ranking)
            if need.status == NeedStatus.OPEN.value:
                need.status = NeedStatus.MATCHED.value
            if need.matched_at is None:
                need.matched_at = utcnow()
            stored += 1
    return stored


def _store(session: Session, current: dict[int, MatchSet], ranking: Ranking) -> None:
    served = {kind: [_as_served(kind, e) for e in ranking.matches.get(kind, [])] for kind in PROVIDER_KINDS}
    existing = current.get(ranking.need_id)
    if existing is None:
        current[ranking.need_id] = MatchSet(need_id=ranking.need_id, event_id=ranking.event_id,
                                            need_version=ranking.need_version,
                                            ranked_at=ranking.ranked_at, matches=served)
        session.add(current[ranking.need_id])
    else:
        existing.event_id, existing.need_version = ranking.event_id, ranking.need_version
        existing.ranked_at, existing.matches, existing.stored_at = ranking.ranked_at, served, utcnow()


def _as_served(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A ranked entry (its types checked by events.envelope) with exactly the fields the API
    shows: the read path serves stored rankings as they are, without re-serialising 80
    entries a call."""
    return {"provider_id": entry["provider_id"], "kind": kind, "name": entry["name"],
            "score": entry["score"], "distance_km": entry.get("distance_km"),
            "factors": entry.get("factors", {}), "reasons": entry.get("reasons", [])}


def matches_for(session: Session, actor: Actor, need_id: int, kind: str | None = None, *, offset: int = 0,
                limit: int | None = None) -> dict[str, Any]:
    """The API view: pending until the matcher's answer is stored (DESIGN §8); every entry as the
    policy lets `actor` see it (`shown_entry`). `offset`/`limit` page each kind's stored ranking (the
    matcher stores its top k, 20 by default: events.matcher); `totals` says how many each kind has."""
    row = session.scalars(select(MatchSet).where(MatchSet.need_id == need_id)).first()
    kinds = (kind,) if kind else PROVIDER_KINDS
    if row is None:
        return {"need_id": need_id, "status": "pending", "ranked_at": None,
                "matches": {k: [] for k in kinds}, "totals": {k: 0 for k in kinds}}
    end = None if limit is None else offset + limit
    return {"need_id": need_id, "status": "ready", "ranked_at": row.ranked_at,
            "matches": {k: [shown_entry(actor, e) for e in row.matches.get(k, [])[offset:end]] for k in kinds},
            "totals": {k: len(row.matches.get(k, [])) for k in kinds}}


_DISTANCE_REASON = re.compile(r"^距离 [\d.,]+ ?(米|公里)$")


def shown_entry(actor: Actor, entry: dict[str, Any]) -> dict[str, Any]:
    """A stored entry with its distance as a band; a volunteer's (to anyone but themselves) with
    surname + masked given name, no distance in metres, no factor breakdown (the score and the
    published weights would give the distance factor back) and the distance reason as the band."""
    km = entry.get("distance_km")
    shown = {**entry, "distance_band": distance_band(km)}
    if entry["kind"] != "volunteer":
        return shown
    if not whole_name_in_matches(actor, entry["kind"], entry["provider_id"]):
        shown["name"] = mask_name(entry["name"])
    shown["distance_km"], shown["factors"] = None, {}
    shown["reasons"] = [f"距离 {distance_band_zh(km)}" if _DISTANCE_REASON.match(r) else r
                        for r in entry.get("reasons", [])]
    return shown
