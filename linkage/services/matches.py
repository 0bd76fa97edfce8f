"""Storing the matcher's rankings (the projector's use case) and reading them back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

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


_processed, _needs, _sets = (cast(Table, model.__table__) for model in (ProcessedEvent, Need, MatchSet))
# Built once, run as plain statements (no ORM objects, no statement built per call): per ranking,
# ORM objects and their flush cost more CPU than the ranking itself (benchmarks/e2e.py --profile).
_SEEN = select(_processed.c.event_id).where(_processed.c.consumer == bindparam("consumer"),
                                            _processed.c.event_id.in_(bindparam("ids", expanding=True)))
_KNOWN = select(_needs.c.id).where(_needs.c.id.in_(bindparam("ids", expanding=True)))
_LATEST = select(_sets.c.need_id, _sets.c.ranked_at).where(_sets.c.need_id.in_(bindparam("ids", expanding=True)))
_REPLACE = update(_sets).where(_sets.c.need_id == bindparam("row_need_id")).values(
    {name: bindparam(name, type_=_sets.c[name].type)
     for name in ("event_id", "need_version", "ranked_at", "stored_at", "matches")})
_MATCHED = update(_needs).where(_needs.c.id.in_(bindparam("ids", expanding=True)),
                                _needs.c.status == NeedStatus.OPEN.value).values(status=NeedStatus.MATCHED.value)
_FIRST_MATCHED = update(_needs).where(_needs.c.id.in_(bindparam("ids", expanding=True)),
                                      _needs.c.matched_at.is_(None)).values(matched_at=bindparam("now", type_=_needs.c.matched_at.type))


def record_rankings(uow: UnitOfWork, *, consumer: str, rankings: list[Ranking]) -> int:
    """record_matches for a batch (the projector stores a poll's rankings together): three reads and
    at most five writes for the whole batch, whatever its size. Returns how many were stored."""
    conn = uow.session.connection()
    need_ids = list({r.need_id for r in rankings})
    seen = set(conn.scalars(_SEEN, {"consumer": consumer, "ids": [r.event_id for r in rankings]}))
    known = set(conn.scalars(_KNOWN, {"ids": need_ids}))
    latest: dict[int, datetime] = dict(conn.execute(_LATEST, {"ids": need_ids}).tuples().all())
    had_row = set(latest)
    now = utcnow()
    processed: list[dict[str, Any]] = []
    rows: dict[int, dict[str, Any]] = {}
    stored = 0
    for ranking in rankings:
        if ranking.event_id in seen:
            continue  # a duplicate delivery (or the same event twice in this batch)
        seen.add(ranking.event_id)
        processed.append({"consumer": consumer, "event_id": ranking.event_id, "processed_at": now})
        if ranking.need_id not in known:
            continue  # a need we never stored (e.g. produced by hand for a test)
        if ranking.need_id in latest and latest[ranking.need_id] >= ranking.ranked_at:
            continue  # stale: a newer ranking of this need is already stored
        latest[ranking.need_id] = ranking.ranked_at
        rows[ranking.need_id] = _row(ranking, now)
        stored += 1
    if processed:
        conn.execute(insert(_processed), processed)
    if rows:
        _write(conn, rows, had_row, now)
    return stored


def _row(ranking: Ranking, now: datetime) -> dict[str, Any]:
    served = {kind: [_as_served(kind, e) for e in ranking.matches.get(kind, [])] for kind in PROVIDER_KINDS}
    return {"need_id": ranking.need_id, "event_id": ranking.event_id, "need_version": ranking.need_version,
            "ranked_at": ranking.ranked_at, "stored_at": now, "matches": served}


def _write(conn: Connection, rows: dict[int, dict[str, Any]], had_row: set[int], now: datetime) -> None:
    """The newest ranking of each need in, and its need marked matched (first ranking: matched_at)."""
    new = [row for need_id, row in rows.items() if need_id not in had_row]
    replaced = [{"row_need_id": need_id, **row} for need_id, row in rows.items() if need_id in had_row]
    if new:
        conn.execute(insert(_sets), new)
    if replaced:
        conn.execute(_REPLACE, replaced)
    conn.execute(_MATCHED, {"ids": list(rows)})
    conn.execute(_FIRST_MATCHED, {"ids": list(rows), "now": now})


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
