"""Venture philanthropy over HTTP once the applications are in: awards and overrides, grants' money, reviews, supervision."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.funding_world import API, awarded_grant, review_three, scores, user_id


@pytest.fixture
def reviewing_round(world):
    """A round in review: three organizations applied, each reviewed by district staff (admin)."""
    return review_three(world)


def test_a_correction_reverses_an_expenditure_and_cannot_be_applied_twice(world, reviewing_round):
    grant_id = awarded_grant(world, reviewing_round)
    path = f"{API}/grants/{grant_id}"
    world.call("POST", f"{path}/milestones/1/acceptance", "admin", json={})
    paid = world.call("POST", f"{path}/disbursements", "admin").json
    spent = world.call(
        "POST",
        f"{path}/expenditures",
        "org_staff",
        json={"amount_fen": 50_000, "budget_line": "人员费", "receipt_ref": "R-1"},
    ).json
    before = db_fingerprint(world.platform)
    blocked = world.call("POST", f"{path}/corrections", "admin", json={"entry_id": paid["id"], "reason": "银行退票"})
    assert blocked.status_code == 409  # the tranche was partly spent: reverse the spending first
    assert db_fingerprint(world.platform) == before
    r = world.call("POST", f"{path}/corrections", "admin", json={"entry_id": spent["id"], "reason": "票据重复报销"})
    assert r.status_code == 201 and r.json["kind"] == "reversal" and r.json["target_id"] == spent["id"]
    assert (
        world.call(
            "POST", f"{path}/corrections", "admin", json={"entry_id": spent["id"], "reason": "again"}
        ).status_code
        == 409
    )
    listed = world.call("GET", f"{path}/expenditures", "org_staff").json
    assert [e["reversed"] for e in listed] == [True]
    assert world.call("GET", path, "admin").json["spent_fen"] == 0
    assert (
        world.call(
            "POST", f"{path}/corrections", "org_staff", json={"entry_id": paid["id"], "reason": "x y"}
        ).status_code
        == 403
    )


def test_an_admin_override_changes_an_award_and_the_reason_is_kept(world, reviewing_round):
    apps, round_id = reviewing_round["apps"], reviewing_round["round_id"]
    r = world.call(
        "POST",
        f"{API}/funding-rounds/{round_id}/awards",
        "admin",
        json={
            "overrides": [
                {"application_id": apps["third_org_staff"], "amount_fen": 300_000, "reason": "文体项目覆盖面广"}
            ]
        },
    )
    assert r.status_code == 201, r.json
    alloc = {a["application_id"]: a for a in r.json["allocations"]}
    assert alloc[apps["third_org_staff"]]["amount_fen"] == 300_000
    assert r.json["awarded_fen"] <= 1_000_000
    app = world.call("GET", f"{API}/applications/{apps['third_org_staff']}", "admin").json
    assert app["override_reason"] == "文体项目覆盖面广" and app["status"] == "awarded"
    assert world.call("POST", f"{API}/funding-rounds/{round_id}/awards", "admin", json={}).status_code == 409


@pytest.mark.parametrize("override", [{"amount_fen": 500_000, "reason": "超过上限"}, {"amount_fen": 100, "reason": ""}])
def test_an_override_beyond_the_cap_or_without_a_reason_is_refused_and_changes_nothing(
    world, reviewing_round, override
):
    before = db_fingerprint(world.platform)
    r = world.call(
        "POST",
        f"{API}/funding-rounds/{reviewing_round['round_id']}/awards",
        "admin",
        json={"overrides": [{"application_id": reviewing_round["apps"]["org_staff"], **override}]},
    )
    assert r.status_code == 422
    assert db_fingerprint(world.platform) == before


def test_a_round_is_awarded_only_by_committing_awards_and_closes_only_when_its_grants_have(world, reviewing_round):
    round_id = reviewing_round["round_id"]
    path = f"{API}/funding-rounds/{round_id}/transitions"
    assert world.call("POST", path, "admin", json={"to": "awarded"}).status_code == 409
    assert world.call("POST", path, "admin", json={"to": "open"}).status_code == 409
    awarded_grant(world, reviewing_round)
    r = world.call("POST", path, "admin", json={"to": "closed"})
    assert r.status_code == 409 and "to" in r.json["errors"]


def test_only_the_grantee_reports_spending_and_only_on_its_budget_lines(world, reviewing_round):
    grant_id = awarded_grant(world, reviewing_round)
    path = f"{API}/grants/{grant_id}"
    world.call("POST", f"{path}/milestones/1/acceptance", "admin", json={})
    world.call("POST", f"{path}/disbursements", "admin")
    body = {"amount_fen": 1_000, "budget_line": "人员费", "receipt_ref": "R-9"}
    for who in ("other_org_staff", "community_staff", "admin"):
        assert world.call("POST", f"{path}/expenditures", who, json=body).status_code == 403
    r = world.call("POST", f"{path}/expenditures", "org_staff", json={**body, "budget_line": "宴请费"})
    assert r.status_code == 422 and "budget_line" in r.json["errors"]
    assert world.call("POST", f"{path}/expenditures", "org_staff", json={**body, "amount_fen": -5}).status_code == 422


def test_milestones_are_accepted_in_order_by_the_needs_community_or_the_district(world, reviewing_round):
    grant_id = awarded_grant(world, reviewing_round)
    path = f"{API}/grants/{grant_id}/milestones"
    assert world.call("POST", f"{path}/1/acceptance", "other_community_staff", json={}).status_code == 403
    assert world.call("POST", f"{path}/1/acceptance", "org_staff", json={}).status_code == 403
    assert world.call("POST", f"{path}/2/acceptance", "community_staff", json={}).status_code == 409
    assert world.call("POST", f"{path}/9/acceptance", "community_staff", json={}).status_code == 404
    assert world.call("POST", f"{path}/1/acceptance", "community_staff", json={}).status_code == 200
    assert world.call("POST", f"{path}/1/acceptance", "community_staff", json={}).status_code == 409


def test_reviewers_are_district_staff_or_social_workers_and_see_only_their_own_reviews(world, reviewing_round):
    app_id = reviewing_round["apps"]["other_org_staff"]
    r = world.call(
        "POST", f"{API}/applications/{app_id}/reviewers", "admin", json={"user_id": user_id(world, "volunteer")}
    )
    assert r.status_code == 422 and "user_id" in r.json["errors"]
    tied = world.call(
        "POST", f"{API}/applications/{app_id}/reviewers", "admin", json={"user_id": user_id(world, "other_org_staff")}
    )
    assert tied.status_code == 403
    assert (
        world.call(
            "POST",
            f"{API}/applications/{app_id}/reviewers",
            "community_staff",
            json={"user_id": user_id(world, "admin")},
        ).status_code
        == 403
    )
    assert world.call("GET", f"{API}/applications/{app_id}/reviews", "other_org_staff").status_code == 403
    assert (
        world.call("POST", f"{API}/applications/{app_id}/reviews", "admin", json={"scores": scores(60)}).status_code
        == 409
    )  # one review per reviewer
    awarded_grant(world, reviewing_round)
    feedback = world.call("GET", f"{API}/applications/{app_id}/reviews", "other_org_staff").json
    assert feedback and all(review["reviewer_user_id"] is None for review in feedback)


def test_supervision_is_scoped_and_the_full_ledger_is_for_the_district(world, reviewing_round):
    round_id = reviewing_round["round_id"]
    awarded_grant(world, reviewing_round)
    mine = world.call("GET", f"{API}/funding-rounds/{round_id}/supervision", "org_staff").json
    assert [g["organization_id"] for g in mine["grants"]] == [world.ids["organization"]]
    assert world.call("GET", f"{API}/funding-rounds/{round_id}/supervision", "volunteer").status_code == 403
    ledger = world.call("GET", f"{API}/funding-rounds/{round_id}/ledger", "auditor").json
    assert ledger["valid"] and [e["seq"] for e in ledger["items"]] == list(range(1, len(ledger["items"]) + 1))
    assert world.call("GET", f"{API}/funding-rounds/{round_id}/ledger", "org_staff").status_code == 403
