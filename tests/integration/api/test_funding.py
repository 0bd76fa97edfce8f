"""Venture philanthropy (公益创投) over HTTP: a round from the call for applications to its closing."""

from __future__ import annotations

import json

import pytest

from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.funding_world import (
    API,
    add_third_organization,
    application_body,
    apply,
    apply_three,
    assign_reviewer,
    funding_events,
    open_fund,
    open_round,
    pay_tranche,
    post_need,
    scores,
    user_id,
)
from tests.integration.services.funding_scene import ROUND_LIFE_EVENTS


def test_a_district_runs_a_round_end_to_end_and_every_fen_is_accounted_for(world):
    # 1. The district opens the round; three organizations apply for their communities' needs.
    add_third_organization(world)
    fund = open_fund(world)
    rnd = open_round(world)
    round_id = rnd["id"]
    assert rnd["status"] == "open" and rnd["rubric_weights"]["necessity"] == 25
    apps = apply_three(world, round_id, fund)
    assert [a["id"] for a in world.call("GET", f"{API}/funding-rounds/{round_id}/applications", "org_staff").json] == [
        apps["org_staff"]
    ]

    # 2. Reviewers: the social worker employed by the first organization is refused for its
    #    application, the auditor for every one (auditors audit, they do not review).
    social_worker, reviewer = user_id(world, "social_worker"), user_id(world, "admin")
    before = db_fingerprint(world.platform)
    refused = world.call(
        "POST", f"{API}/applications/{apps['org_staff']}/reviewers", "admin", json={"user_id": social_worker}
    )
    assert refused.status_code == 403 and "conflict of interest" in refused.json["message"]
    auditor = world.call(
        "POST",
        f"{API}/applications/{apps['third_org_staff']}/reviewers",
        "admin",
        json={"user_id": user_id(world, "auditor")},
    )
    assert auditor.status_code == 422 and "user_id" in auditor.json["errors"]
    assert db_fingerprint(world.platform) == before
    assign_reviewer(world, reviewer, *apps.values())
    assign_reviewer(world, social_worker, apps["other_org_staff"], apps["third_org_staff"])
    early = world.call("POST", f"{API}/applications/{apps['org_staff']}/reviews", "admin", json={"scores": scores(80)})
    assert early.status_code == 409  # reviews wait for the reviewing stage
    assert (
        world.call("POST", f"{API}/funding-rounds/{round_id}/transitions", "admin", json={"to": "reviewing"}).json[
            "status"
        ]
        == "reviewing"
    )
    assert (
        apply(world, round_id, "org_staff", application_body(post_need(world), world.ids["resource"])).status_code
        == 409
    )
    for who, value in (("org_staff", 70), ("other_org_staff", 90), ("third_org_staff", 80)):
        r = world.call(
            "POST",
            f"{API}/applications/{apps[who]}/reviews",
            "admin",
            json={"scores": scores(value), "comments": "需求明确，方案可行"},
        )
        assert r.status_code == 201 and r.json["total"] == value
    r = world.call(
        "POST",
        f"{API}/applications/{apps['other_org_staff']}/reviews",
        "social_worker",
        json={"scores": {**scores(90), "sustainability": 70}, "comments": "可持续性一般"},
    )
    assert r.status_code == 201 and r.json["total"] == 87.0
    assert (
        world.call(
            "POST", f"{API}/applications/{apps['org_staff']}/reviews", "social_worker", json={"scores": scores(100)}
        ).status_code
        == 403
    )

    # 3. Awards: the preview explains; the commit keeps to the budget and the cap, priority first.
    preview = world.call("GET", f"{API}/funding-rounds/{round_id}/awards", "admin").json
    assert preview["status"] == "preview"
    assert world.call("GET", f"{API}/funding-rounds/{round_id}/awards", "org_staff").status_code == 403
    committed = world.call("POST", f"{API}/funding-rounds/{round_id}/awards", "admin", json={})
    assert committed.status_code == 201, committed.json
    alloc = {a["application_id"]: a for a in committed.json["allocations"]}
    assert [a["application_id"] for a in committed.json["allocations"]] == [
        apps["org_staff"],
        apps["other_org_staff"],
        apps["third_org_staff"],
    ]
    assert alloc[apps["org_staff"]]["amount_fen"] == 400_000  # priority category 养老, despite the lowest score
    assert alloc[apps["other_org_staff"]]["amount_fen"] == 350_000
    assert alloc[apps["third_org_staff"]]["amount_fen"] == 250_000  # what was left: partly funded
    assert any("partly funded" in reason for reason in alloc[apps["third_org_staff"]]["reasons"])
    assert committed.json["awarded_fen"] == 1_000_000
    public_awards = world.call("GET", f"{API}/funding-rounds/{round_id}/awards", "volunteer").json
    assert public_awards["status"] == "committed" and public_awards["awarded_fen"] == 1_000_000
    resource = world.call("GET", f"{API}/resources/{world.ids['resource']}", "admin").json
    assert resource["remaining_fen"] == 5_000_000 - 100_000  # the co-funding was drawn at the award

    # 4. Money: tranche 1 after the launch milestone, spending, milestone 2, tranche 2, closing report.
    grant_id = alloc[apps["org_staff"]]["grant_id"]
    grant_path = f"{API}/grants/{grant_id}"
    before = db_fingerprint(world.platform)
    assert world.call("POST", f"{grant_path}/disbursements", "admin").status_code == 409
    assert db_fingerprint(world.platform) == before
    tranche = pay_tranche(world, grant_id, 1, "协议已签订")
    assert tranche["amount_fen"] == 160_000 and tranche["tranche"] == 1
    spend = world.call(
        "POST",
        f"{grant_path}/expenditures",
        "org_staff",
        json={"amount_fen": 90_000, "budget_line": "人员费", "receipt_ref": "FP-2026-0001", "note": "社工劳务费"},
    )
    assert spend.status_code == 201, spend.json
    over = world.call(
        "POST",
        f"{grant_path}/expenditures",
        "org_staff",
        json={"amount_fen": 64_001, "budget_line": "活动费", "receipt_ref": "FP-2026-0002"},
    )
    assert over.status_code == 409 and "amount_fen" in over.json["errors"]
    second = pay_tranche(world, grant_id, 2, "中期评估合格")
    assert second["tranche"] == 2 and second["amount_fen"] == 160_000
    grant = world.call("GET", grant_path, "org_staff").json
    assert grant["disbursed_fen"] == 320_000 and grant["spent_fen"] == 90_000
    assert {line["name"]: line["spent_fen"] for line in grant["lines"]} == {"人员费": 90_000, "活动费": 0}
    closed = world.call(
        "POST", f"{grant_path}/closing-report", "org_staff", json={"summary": "服务独居老人120人次，满意度96%"}
    )
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["released_fen"] == 80_000 and closed.json["refunded_fen"] == 230_000

    # 5. Supervision: the district sees every fen; residents see the summary without personal data.
    for other in ("other_org_staff", "third_org_staff"):
        assert (
            world.call(
                "POST",
                f"{API}/grants/{alloc[apps[other]]['grant_id']}/closing-report",
                "admin",
                json={"summary": "项目未实施，资金收回"},
            ).status_code
            == 200
        )
    assert (
        world.call("POST", f"{API}/funding-rounds/{round_id}/transitions", "admin", json={"to": "closed"}).json[
            "status"
        ]
        == "closed"
    )
    report = world.call("GET", f"{API}/funding-rounds/{round_id}/supervision", "auditor").json
    assert report["ledger"] == {
        "valid": True,
        "balanced": True,
        "entries": report["ledger"]["entries"],
        "first_bad_entry_id": None,
    }
    assert (report["budget_fen"], report["awarded_fen"], report["disbursed_fen"], report["spent_fen"]) == (
        1_000_000,
        1_000_000,
        320_000,
        90_000,
    )
    assert report["returned_fen"] == 1_000_000 - 90_000 and report["unallocated_fen"] == 0
    summary = world.call("GET", f"{API}/funding-rounds/{round_id}/public-summary", "volunteer").json
    assert summary["spent_fen"] == 90_000 and summary["grants_count"] == 3 and summary["applications"] == 3
    text = json.dumps(summary, ensure_ascii=False)
    assert "FP-2026" not in text and "user" not in text and "phone" not in text
    types = funding_events(world)
    for expected in (*ROUND_LIFE_EVENTS, "ledger.cofunding"):
        assert f"linkage.funding.{expected}.v1" in types


def test_residents_read_the_public_summary_without_logging_in(world):
    # Passes once the lead adds r"^/api/v1/funding-rounds/\d+/public-summary$" to PUBLIC_PATTERNS.
    round_id = open_round(world)["id"]
    r = world.client.get(f"{API}/funding-rounds/{round_id}/public-summary")
    assert r.status_code == 200 and r.json["budget_fen"] == 1_000_000


@pytest.mark.parametrize(
    "change,field",
    [
        ({"requested_fen": 300_000}, "budget_lines"),
        ({"milestones": [{"title": "启动", "share_pct": 50}, {"title": "结项", "share_pct": 40}]}, "milestones"),
        ({"cofunding_fen": 50_000}, "cofunding_fen"),
        ({"requested_fen": 500_000, "budget_lines": [{"name": "人员费", "amount_fen": 500_000}]}, "requested_fen"),
        ({"cofunding_resource_id": 999_999}, "cofunding_resource_id"),
    ],
)
def test_an_application_that_does_not_add_up_is_refused_with_the_field(world, change, field):
    round_id = open_round(world)["id"]
    need_id = post_need(world)
    before = db_fingerprint(world.platform)
    r = apply(world, round_id, "org_staff", {**application_body(need_id, world.ids["resource"]), **change})
    assert r.status_code == 422 and field in r.json["errors"], r.json
    assert db_fingerprint(world.platform) == before


def test_a_restricted_fund_cannot_co_fund_another_category(world):
    round_id = open_round(world)["id"]
    r = apply(world, round_id, "org_staff", application_body(post_need(world, "文体"), world.ids["resource"]))
    assert r.status_code == 422 and "cofunding_resource_id" in r.json["errors"]


@pytest.mark.parametrize("who", ["community_staff", "org_staff", "auditor", "volunteer"])
def test_only_the_district_opens_and_moves_rounds(world, who):
    assert (
        world.call(
            "POST", f"{API}/funding-rounds", who, json={"name": "x", "budget_fen": 100, "cap_fen": 100}
        ).status_code
        == 403
    )
    round_id = open_round(world)["id"]
    before = db_fingerprint(world.platform)
    assert (
        world.call("POST", f"{API}/funding-rounds/{round_id}/transitions", who, json={"to": "reviewing"}).status_code
        == 403
    )
    assert db_fingerprint(world.platform) == before
