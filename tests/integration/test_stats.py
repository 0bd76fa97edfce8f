"""The dashboard's figures equal the ones computed independently from the database with raw SQL."""
from __future__ import annotations

import math
import statistics
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select, text

from linkage.demo import seed_demo
from linkage.models import Community, Need, Organization, Project, User, Volunteer, utcnow
from linkage.permissions import Actor
from linkage.platform import build_platform
from linkage.services import activities, evaluations, funding, hours, matches, projects, stats
from linkage.services import needs as need_service
from linkage.services.accounts import actor_for
from schemas.needs import NeedSchema
from tests.conftest import PG_ADMIN_URL
from tests.conftest import settings_for_tests as make_settings

ADMIN = Actor(user_id=None, role="admin", username="stats-test")
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _migrated_platform(url: str):
    from linkage.migrate import upgrade
    upgrade(url)
    return build_platform(make_settings(url))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    """The demo at scale 0.2, plus projects, hours, evaluations and a funding round made through the services."""
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'stats.db'}"
    else:
        name = f"linkage_stats_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
    platform = _migrated_platform(url)
    seed_demo(platform, scale=0.2, today=DAY.date())
    _story(platform)
    _funding_story(platform)
    yield platform
    platform.dispose()
    if drop:
        drop()


def _story(platform) -> None:
    """Four needs matched, three claimed, two completed with verified, rejected and corrected hours."""
    with platform.read_session() as s:
        needs = list(s.scalars(select(Need).order_by(Need.id)))[:4]
        orgs = {n.id: s.scalars(select(Organization.id).order_by(Organization.id)).all()[i % 5]
                for i, n in enumerate(needs)}
        volunteers = list(s.scalars(select(Volunteer.id).order_by(Volunteer.id)))[:3]
    for need in needs:
        with platform.uow() as uow:
            matches.record_matches(uow, consumer="test", event_id=f"ev-{need.id}", need_id=need.id,
                                   ranked_at=utcnow(), matches={"organization": []})
            uow.commit()
    project_ids = []
    for need in needs[:3]:
        with platform.uow() as uow:
            claim = projects.claim_need(uow, ADMIN, need.id, "上门服务方案，每周两次", orgs[need.id])
        with platform.uow() as uow:
            projects.decide_claim(uow, ADMIN, claim.id, "approve")
        with platform.uow() as uow:
            project_ids.append(projects.project_for_claim(uow.session, claim.id).id)
    start = utcnow() - timedelta(days=3)
    for n, project_id in enumerate(project_ids[:2]):
        with platform.uow() as uow:
            projects.transition_project(uow, ADMIN, project_id, "in_progress")
        with platform.uow() as uow:
            activity = activities.schedule_activity(uow, ADMIN, project_id, {
                "title": "上门探访", "place": "社区服务站", "starts_at": start + timedelta(hours=4 * n),
                "ends_at": start + timedelta(hours=4 * n + 3), "slots": 5, "skills_wanted": []})
        entries = []
        for k, volunteer_id in enumerate(volunteers):
            with platform.uow() as uow:
                signup = activities.sign_up(uow, ADMIN, activity.id, volunteer_id)
            with platform.uow() as uow:
                activities.check_in(uow, ADMIN, signup.id, activity.starts_at)
            with platform.uow() as uow:
                _, entry = activities.check_out(uow, ADMIN, signup.id,
                                                activity.starts_at + timedelta(minutes=60 + 30 * k))
                entries.append(entry.id)
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, entries[0], "verify")
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, entries[1], "reject", "时间不符")
        with platform.uow() as uow:  # the third is corrected to 45 minutes, then verified
            fixed = hours.correct_hours(uow, ADMIN, entries[2], {
                "reason": "签退时间录错", "ends_at": activity.starts_at + timedelta(minutes=45)})
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, fixed.id, "verify")
        with platform.uow() as uow:
            projects.transition_project(uow, ADMIN, project_id, "completed")
        with platform.uow() as uow:
            codes = evaluations.issue_codes(uow, ADMIN, project_id, 3)
        for score, code in zip((5, 4 - n), codes):
            with platform.uow() as uow:
                evaluations.evaluate_project(uow, project_id, code, score, "")


RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")
# What _funding_story moves, in fen: grant A 300 000 (two tranches of 40 % paid), grant B 200 000 (one).
FUNDS = {"funds_awarded_fen": 500_000, "funds_disbursed_fen": 240_000 + 80_000, "funds_spent_fen": 50_000 + 10_000}


def _funding_story(platform) -> None:
    """A round through the funding services: two awards, three tranches, expenditures (one reversed).

    Grant A is for a need of the first community (the narrowest scope the tests check), grant B
    for a need elsewhere, so the funds differ by scope."""
    with platform.read_session() as s:
        people = {u.username: actor_for(u) for u in s.scalars(
            select(User).where(User.username.in_(("admin", "zuzhi"))))}
        first = s.scalars(select(Community.id).order_by(Community.id)).first()
        taken = set(s.scalars(select(Project.need_id)))
        free = [n for n in s.scalars(select(Need).where(Need.status.in_(("open", "matched"))).order_by(Need.id))
                if n.id not in taken]
        need_b = next(n.id for n in free if n.community_id != first)
    admin, org = people["admin"], people["zuzhi"]
    reviewer = admin  # the district reviews; an auditor never does (separation of duties)
    start = utcnow() + timedelta(days=5)
    with platform.uow() as uow:  # the first community may have no open need left: post one
        need_a = need_service.post_need(uow, admin, NeedSchema().load({
            "community_id": first, "title": "独居老人陪诊", "category": "养老", "description": "每周陪诊探访",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()})).id
    with platform.uow() as uow:
        found = funding.rounds.open_round(uow, admin, {"name": "统计测试创投", "budget_fen": 1_000_000,
                                                 "cap_fen": 400_000, "priority_categories": []})
    applications = []
    for need_id, requested in ((need_a, 300_000), (need_b, 200_000)):
        with platform.uow() as uow:
            applications.append(funding.rounds.apply_for_funding(uow, org, found.id, {
                "need_id": need_id, "requested_fen": requested,
                "budget_lines": [{"name": "人员费", "amount_fen": requested // 2},
                                 {"name": "活动费", "amount_fen": requested - requested // 2}],
                "milestones": [{"title": "项目启动", "share_pct": 40}, {"title": "中期评估", "share_pct": 40},
                               {"title": "结项评估", "share_pct": 20}]}).id)
    with platform.uow() as uow:
        funding.rounds.transition_round(uow, admin, found.id, "reviewing")
    for application_id in applications:
        with platform.uow() as uow:
            funding.reviews.assign_reviewer(uow, admin, application_id, reviewer.user_id)
        with platform.uow() as uow:
            funding.reviews.review_application(uow, reviewer, application_id, dict.fromkeys(RUBRIC, 80), "")
    with platform.uow() as uow:
        awards = funding.awards.award_round(uow, admin, found.id)
    grant_a, grant_b = (next(a["grant_id"] for a in awards["allocations"] if a["application_id"] == i)
                        for i in applications)
    for grant_id, tranches in ((grant_a, 2), (grant_b, 1)):
        for n in range(1, tranches + 1):
            with platform.uow() as uow:
                funding.grants.accept_milestone(uow, admin, grant_id, n)
            with platform.uow() as uow:
                funding.grants.disburse_tranche(uow, admin, grant_id)
    spending = []
    for grant_id, line, amount in ((grant_a, "人员费", 50_000), (grant_a, "活动费", 20_000), (grant_b, "人员费", 10_000)):
        with platform.uow() as uow:
            spending.append(funding.grants.report_expenditure(uow, org, grant_id, {
                "amount_fen": amount, "budget_line": line, "receipt_ref": f"FP-{len(spending) + 1:03d}"}).id)
    with platform.uow() as uow:  # the second receipt was entered twice elsewhere: reversed, so not spent
        funding.grants.correct_entry(uow, admin, grant_a, spending[1], "票据重复录入")


# -- the independent computation ---------------------------------------------------------------
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
    needs = [r for r in conn.execute(text("SELECT community_id, status, created_at, matched_at FROM needs")).all()
             if r.community_id in ids]
    to_match = [(_when(r.matched_at) - _when(r.created_at)).total_seconds() for r in needs if r.matched_at]
    to_claim = [(_when(r.decided_at) - _when(r.created_at)).total_seconds() for r in conn.execute(text(
        "SELECT n.community_id, n.created_at, c.decided_at FROM claims c JOIN needs n ON n.id = c.need_id "
        "WHERE c.status = 'approved'")).all() if r.community_id in ids]
    evals = [r.satisfaction for r in conn.execute(text(
        "SELECT p.community_id, e.satisfaction FROM evaluations e JOIN projects p ON p.id = e.project_id")).all()
        if r.community_id in ids]
    minutes = defaultdict(int)
    for r in conn.execute(text("""
        SELECT p.community_id, r.minutes,
               (SELECT v.action FROM hour_entries v WHERE v.target_id = r.id
                  AND v.action IN ('verify', 'reject', 'dispute') ORDER BY v.seq DESC LIMIT 1) AS review
          FROM hour_entries r JOIN projects p ON p.id = r.project_id
         WHERE r.action IN ('record', 'correct') AND r.starts_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM hour_entries c WHERE c.action = 'correct' AND c.target_id = r.id)
    """)).all():
        if r.community_id in ids:
            if r.review in (None, "verify", "dispute"):
                minutes["recorded"] += r.minutes
            if r.review == "verify":
                minutes["verified"] += r.minutes
    funds = defaultdict(int)
    for r in conn.execute(text("""
        SELECT g.community_id, e.kind, e.amount_fen FROM fund_entries e JOIN grants g ON g.id = e.grant_id
         WHERE e.kind IN ('award', 'disbursement', 'expenditure')
           AND e.id NOT IN (SELECT target_id FROM fund_entries WHERE kind = 'reversal' AND target_id IS NOT NULL)
    """)).all():
        if r.community_id in ids:
            funds[r.kind] += r.amount_fen
    n = len(ids)
    return {
        "funds_awarded_fen": funds["award"], "funds_disbursed_fen": funds["disbursement"],
        "funds_spent_fen": funds["expenditure"],
        "communities": n, "population": population,
        "organizations": len(orgs), "organizations_per_10k": round(len(orgs) * 10000 / population, 2),
        "social_workers": len(workers), "social_workers_per_community": round(len(workers) / n, 2),
        "community_organizations": sum(1 for r in orgs if r.community_id is not None),
        "community_organizations_per_community": round(sum(1 for r in orgs if r.community_id is not None) / n, 2),
        "volunteers": len(vols),
        "volunteer_minutes_recorded": minutes["recorded"], "volunteer_minutes_verified": minutes["verified"],
        "needs_posted": len(needs), "needs_matched": sum(1 for r in needs if r.matched_at),
        "needs_claimed": sum(1 for r in needs if r.status in ("claimed", "completed")),
        "needs_completed": sum(1 for r in needs if r.status == "completed"),
        "median_seconds_to_match": round(statistics.median(to_match), 1) if to_match else None,
        "median_seconds_to_claim": round(statistics.median(to_claim), 1) if to_claim else None,
        "evaluations": len(evals),
        "mean_satisfaction": round(sum(evals) / len(evals), 2) if evals else None,
    }


def _scopes(platform):
    with platform.read_session() as s:
        first = s.scalars(select(Community).order_by(Community.id)).first()
    return [
        ({}, "1 = 1", {}),
        ({"district": first.district}, "district = :d", {"d": first.district}),
        ({"district": first.district, "street": first.street}, "district = :d AND street = :s",
         {"d": first.district, "s": first.street}),
        ({"community_id": first.id}, "id = :c", {"c": first.id}),
    ]


def test_the_dashboard_figures_equal_an_independent_count_at_every_level(seeded):
    with seeded.engine.connect() as conn, seeded.read_session() as session:
        for filters, where, params in _scopes(seeded):
            figures = stats.linkage_stats(session, **filters)["indicators"]
            want = expected(conn, where, params)
            assert {k: figures[k] for k in want} == want, filters


def test_the_story_moves_the_figures(seeded):
    with seeded.read_session() as session:
        figures = stats.linkage_stats(session)["indicators"]
    assert figures["needs_matched"] == 4 and figures["needs_claimed"] == 3 and figures["needs_completed"] == 2
    assert figures["volunteer_minutes_verified"] == 2 * (60 + 45)  # verified + corrected-then-verified
    assert figures["evaluations"] == 4 and figures["mean_satisfaction"] == round((5 + 4 + 5 + 3) / 4, 2)
    assert figures["median_seconds_to_claim"] is not None
    assert {k: figures[k] for k in FUNDS} == FUNDS


def test_the_funds_equal_the_funding_ledger_summed_in_raw_sql(seeded):
    """Awarded, disbursed and spent by the grant's community, straight from fund_entries and grants:
    reversals cancel what they target; per community, per street, per district and in total."""
    with seeded.engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT c.id AS community_id, c.street, c.district, e.kind, SUM(e.amount_fen) AS fen
              FROM fund_entries e JOIN grants g ON g.id = e.grant_id JOIN communities c ON c.id = g.community_id
             WHERE e.kind IN ('award', 'disbursement', 'expenditure')
               AND NOT EXISTS (SELECT 1 FROM fund_entries r WHERE r.kind = 'reversal' AND r.target_id = e.id)
             GROUP BY c.id, c.street, c.district, e.kind""")).all()
        reversed_fen = conn.execute(text(
            "SELECT SUM(amount_fen) FROM fund_entries WHERE kind = 'reversal'")).scalar()
    assert reversed_fen == 20_000
    field = {"award": "funds_awarded_fen", "disbursement": "funds_disbursed_fen", "expenditure": "funds_spent_fen"}

    def want(keep) -> dict:
        totals = dict.fromkeys(field.values(), 0)
        for row in rows:
            if keep(row):
                totals[field[row.kind]] += row.fen
        return totals

    assert want(lambda row: True) == FUNDS
    with seeded.read_session() as session:
        for filters, _, _ in _scopes(seeded):
            figures = stats.linkage_stats(session, **filters)["indicators"]
            keep = {"community_id": lambda row: row.community_id == filters["community_id"],
                    "street": lambda row: (row.district, row.street) == (filters["district"], filters.get("street")),
                    "district": lambda row: row.district == filters["district"]}
            chosen = next((keep[k] for k in ("community_id", "street", "district") if k in filters), lambda row: True)
            assert {k: figures[k] for k in field.values()} == want(chosen), filters
        first = stats.linkage_stats(session, community_id=_scopes(seeded)[-1][0]["community_id"])["indicators"]
    assert first["funds_awarded_fen"] == 300_000 and first["funds_spent_fen"] == 50_000  # grant A only


def test_the_breakdown_rows_add_up_to_the_scope(seeded):
    with seeded.read_session() as session:
        result = stats.linkage_stats(session)
    assert [row["level"] for row in result["breakdown"]] == ["district"] * 5
    for name in ("organizations", "social_workers", "volunteers", "needs_posted", "population",
                 "volunteer_minutes_verified", "evaluations", "funds_awarded_fen", "funds_disbursed_fen",
                 "funds_spent_fen"):
        assert sum(row["indicators"][name] for row in result["breakdown"]) == result["indicators"][name], name
    assert result["targets"] == {"organizations_per_10k": 20, "social_workers_per_community": 2,
                                 "community_organizations_per_community": 10}
    assert result["funding"] in ("not available", "available")


def test_the_json_endpoint_returns_the_same_figures(seeded):
    from app import create_app
    app = create_app(seeded.settings, testing=True)
    platform = app.extensions["linkage"]
    with platform.read_session() as s:
        admin = s.scalars(select(User).where(User.username == "admin")).one()
        token = platform.tokens.issue(admin.id, admin.token_version)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with seeded.read_session() as session:
        for filters, _, _ in _scopes(seeded):
            response = client.get("/api/v1/stats/linkage", query_string=filters, headers=headers)
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            assert body["indicators"] == stats.linkage_stats(session, **filters)["indicators"]
    assert client.get("/api/v1/stats/linkage").status_code == 401
    bad = client.get("/api/v1/stats/linkage?community_id=abc", headers=headers)
    assert bad.status_code == 422 and "community_id" in bad.get_json()["errors"]
    platform.dispose()


def test_the_map_places_volunteers_in_their_neighbourhood_never_at_their_door(seeded):
    from linkage.services.stats import map_layers

    with seeded.read_session() as s:
        homes = {(v.lat, v.lon) for v in s.scalars(select(Volunteer))}
        layers = map_layers(s)
    points = [(p["lat"], p["lon"]) for layer in layers for p in layer["providers"]["volunteer"]]
    assert points and all(lat == round(lat, 2) and lon == round(lon, 2) for lat, lon in points)
    # The demo's homes are finer than 0.01°, so whole coordinates on the map would fail the line above.
    assert any(home != (round(home[0], 2), round(home[1], 2)) for home in homes)
