"""The statistics tests' independent count: each dashboard figure computed from the database with raw SQL."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from linkage.models import Community


def _when(value) -> datetime:
    if isinstance(value, str):  # SQLite hands raw SQL timestamps back as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def expected(conn, where: str, params: dict) -> dict:
    everyone = conn.execute(text("SELECT id, lat, lon FROM communities ORDER BY id")).all()
    scope = conn.execute(text(f"SELECT id, population FROM communities WHERE {where}"), params).all()
    ids = {row.id for row in scope}
    population = sum(row.population for row in scope)

    def home(own, lat, lon):
        if own is not None:
            return own
        return min(everyone, key=lambda c: (_km(lat, lon, c.lat, c.lon), c.id)).id

    def counted(sql):
        return [r for r in conn.execute(text(sql)).all() if home(r.community_id, r.lat, r.lon) in ids]

    orgs = counted("SELECT community_id, lat, lon FROM organizations WHERE active = :t".replace(":t", "true"))
    workers = counted("SELECT NULL AS community_id, lat, lon FROM social_workers WHERE active = true")
    vols = counted("SELECT community_id, lat, lon FROM volunteers WHERE active = true")
    needs = [
        r
        for r in conn.execute(text("SELECT community_id, status, created_at, matched_at, created_by FROM needs")).all()
        if r.community_id in ids
    ]
    since = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=30)  # the window; the seeder: no account
    to_match = [
        (_when(r.matched_at) - _when(r.created_at)).total_seconds()
        for r in needs
        if r.matched_at and r.created_by is not None and _when(r.created_at) >= since
    ]
    to_claim = [
        (_when(r.decided_at) - _when(r.created_at)).total_seconds()
        for r in conn.execute(
            text(
                "SELECT n.community_id, n.created_at, c.decided_at FROM claims c JOIN needs n ON n.id = c.need_id "
                "WHERE c.status = 'approved'"
            )
        ).all()
        if r.community_id in ids
    ]
    evals = [
        r.satisfaction
        for r in conn.execute(
            text("SELECT p.community_id, e.satisfaction FROM evaluations e JOIN projects p ON p.id = e.project_id")
        ).all()
        if r.community_id in ids
    ]
    minutes = defaultdict(int)
    for r in conn.execute(
        text("""
        SELECT p.community_id, r.minutes,
               (SELECT v.action FROM hour_entries v WHERE v.target_id = r.id
                  AND v.action IN ('verify', 'reject', 'dispute') ORDER BY v.seq DESC LIMIT 1) AS review
          FROM hour_entries r JOIN projects p ON p.id = r.project_id
         WHERE r.action IN ('record', 'correct') AND r.starts_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM hour_entries c WHERE c.action = 'correct' AND c.target_id = r.id)
    """)
    ).all():
        if r.community_id in ids:
            if r.review in (None, "verify", "dispute"):
                minutes["recorded"] += r.minutes
            if r.review == "verify":
                minutes["verified"] += r.minutes
    funds = defaultdict(int)
    for r in conn.execute(
        text("""
        SELECT g.community_id, e.kind, e.amount_fen FROM fund_entries e JOIN grants g ON g.id = e.grant_id
         WHERE e.kind IN ('award', 'disbursement', 'expenditure')
           AND e.id NOT IN (SELECT target_id FROM fund_entries WHERE kind = 'reversal' AND target_id IS NOT NULL)
    """)
    ).all():
        if r.community_id in ids:
            funds[r.kind] += r.amount_fen
    n = len(ids)
    return {
        "funds_awarded_fen": funds["award"],
        "funds_disbursed_fen": funds["disbursement"],
        "funds_spent_fen": funds["expenditure"],
        "communities": n,
        "population": population,
        "organizations": len(orgs),
        "organizations_per_10k": round(len(orgs) * 10000 / population, 2),
        "social_workers": len(workers),
        "social_workers_per_community": round(len(workers) / n, 2),
        "community_organizations": sum(1 for r in orgs if r.community_id is not None),
        "community_organizations_per_community": round(sum(1 for r in orgs if r.community_id is not None) / n, 2),
        "volunteers": len(vols),
        "volunteer_minutes_recorded": minutes["recorded"],
        "volunteer_minutes_verified": minutes["verified"],
        "needs_posted": len(needs),
        "needs_matched": sum(1 for r in needs if r.matched_at),
        "needs_claimed": sum(1 for r in needs if r.status in ("claimed", "completed")),
        "needs_completed": sum(1 for r in needs if r.status == "completed"),
        "median_seconds_to_match": round(statistics.median(to_match), 1) if to_match else None,
        "median_seconds_to_claim": round(statistics.median(to_claim), 1) if to_claim else None,
        "evaluations": len(evals),
        "mean_satisfaction": round(sum(evals) / len(evals), 2) if evals else None,
    }


def scopes(platform):
    """The four levels the figures are checked at: all, the first community's district, its street, itself."""
    with platform.read_session() as s:
        first = s.scalars(select(Community).order_by(Community.id)).first()
    return [
        ({}, "1 = 1", {}),
        ({"district": first.district}, "district = :d", {"d": first.district}),
        (
            {"district": first.district, "street": first.street},
            "district = :d AND street = :s",
            {"d": first.district, "s": first.street},
        ),
        ({"community_id": first.id}, "id = :c", {"c": first.id}),
    ]
