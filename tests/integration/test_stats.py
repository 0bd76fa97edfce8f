"""The dashboard's figures equal the ones computed independently from the database with raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from linkage.models import User, Volunteer
from linkage.services import stats
from tests.integration._stats_count import expected, scopes
from tests.integration._stats_world import FUNDS, seeded_world


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    """The demo at scale 0.2, plus projects, hours, evaluations and a funding round made through the services."""
    with seeded_world(request.param, tmp_path_factory) as platform:
        yield platform


def test_the_dashboard_figures_equal_an_independent_count_at_every_level(seeded):
    with seeded.engine.connect() as conn, seeded.read_session() as session:
        for filters, where, params in scopes(seeded):
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
        rows = conn.execute(
            text("""
            SELECT c.id AS community_id, c.street, c.district, e.kind, SUM(e.amount_fen) AS fen
              FROM fund_entries e JOIN grants g ON g.id = e.grant_id JOIN communities c ON c.id = g.community_id
             WHERE e.kind IN ('award', 'disbursement', 'expenditure')
               AND NOT EXISTS (SELECT 1 FROM fund_entries r WHERE r.kind = 'reversal' AND r.target_id = e.id)
             GROUP BY c.id, c.street, c.district, e.kind""")
        ).all()
        reversed_fen = conn.execute(text("SELECT SUM(amount_fen) FROM fund_entries WHERE kind = 'reversal'")).scalar()
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
        for filters, _, _ in scopes(seeded):
            figures = stats.linkage_stats(session, **filters)["indicators"]
            keep = {
                "community_id": lambda row: row.community_id == filters["community_id"],
                "street": lambda row: (row.district, row.street) == (filters["district"], filters.get("street")),
                "district": lambda row: row.district == filters["district"],
            }
            chosen = next((keep[k] for k in ("community_id", "street", "district") if k in filters), lambda row: True)
            assert {k: figures[k] for k in field.values()} == want(chosen), filters
        first = stats.linkage_stats(session, community_id=scopes(seeded)[-1][0]["community_id"])["indicators"]
    assert first["funds_awarded_fen"] == 300_000 and first["funds_spent_fen"] == 50_000  # grant A only


def test_the_breakdown_rows_add_up_to_the_scope(seeded):
    with seeded.read_session() as session:
        result = stats.linkage_stats(session)
    assert [row["level"] for row in result["breakdown"]] == ["district"] * 5
    for name in (
        "organizations",
        "social_workers",
        "volunteers",
        "needs_posted",
        "population",
        "volunteer_minutes_verified",
        "evaluations",
        "funds_awarded_fen",
        "funds_disbursed_fen",
        "funds_spent_fen",
        "new_community_organizations",
        "brand_organizations",
        "organizations_with_social_workers",
        "streets",
        "districts",
    ):
        assert sum(row["indicators"][name] for row in result["breakdown"]) == result["indicators"][name], name
    assert result["targets"] == {
        "organizations_per_10k": 20,
        "social_workers_per_community": 2,
        "community_organizations_per_community": 10,
        "new_community_organizations_per_community": 4,  # the seeds' growth targets (stats.GROWTH_TARGETS)
        "brand_organizations_per_district": 50,
        "organizations_with_social_workers_per_street": 3,
    }
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
        for filters, _, _ in scopes(seeded):
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
