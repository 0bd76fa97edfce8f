"""The funding (公益创投) API tests' world: request bodies, a round with three applicants, one in review."""

from __future__ import annotations

from sqlalchemy import select

from linkage.models import OutboxEvent
from linkage.services.accounts import create_user
from linkage.services.providers import register_provider
from tests.integration.api.conftest import ADMIN, PASSWORD, need_body, org_body, resource_body

API = "/api/v1"
RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")


def scores(value: int) -> dict:
    return {criterion: value for criterion in RUBRIC}


def open_round(world, **over) -> dict:
    body = {
        "name": "2026年滨海新区社区公益创投",
        "budget_fen": 1_000_000,
        "cap_fen": 400_000,
        "priority_categories": ["养老"],
        "cofunding_pct": 20,
    }
    body.update(over)
    r = world.call("POST", f"{API}/funding-rounds", "admin", json=body)
    assert r.status_code == 201, r.json
    return r.json


def post_need(world, category="养老", **over) -> int:
    r = world.call(
        "POST",
        f"{API}/needs",
        "community_staff",
        json=need_body(world.ids["community"], category=category, title=f"{category}服务项目", **over),
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


def application_body(need_id, resource_id, requested=400_000, cofunding=100_000, **over) -> dict:
    staff = requested * 3 // 5
    body = {
        "need_id": need_id,
        "summary": "为辖区独居老人提供陪诊与探访服务",
        "requested_fen": requested,
        "budget_lines": [{"name": "人员费", "amount_fen": staff}, {"name": "活动费", "amount_fen": requested - staff}],
        "milestones": [
            {"title": "项目启动", "share_pct": 40},
            {"title": "中期评估", "share_pct": 40},
            {"title": "结项评估", "share_pct": 20},
        ],
        "cofunding_resource_id": resource_id,
        "cofunding_fen": cofunding,
    }
    body.update(over)
    return body


def apply(world, round_id, who, body):
    return world.call("POST", f"{API}/funding-rounds/{round_id}/applications", who, json=body)


def add_third_organization(world) -> None:
    platform = world.platform
    with platform.uow() as u:
        org_id = register_provider(
            u, ADMIN, "organization", org_body(3, name="滨海新区文体发展中心"), platform.cipher
        ).id
    with platform.uow() as u:
        user = create_user(
            u,
            platform.passwords,
            username="third_org_staff",
            password=PASSWORD,
            role="org_staff",
            organization_id=org_id,
        )
    world.ids["third_organization"] = org_id
    world.tokens["third_org_staff"] = platform.tokens.issue(user.id, user.token_version)


def open_fund(world) -> int:
    with world.platform.uow() as u:
        return register_provider(
            u, ADMIN, "resource", resource_body(name="社区发展基金", restricted_categories=[]), world.platform.cipher
        ).id


def user_id(world, username) -> int:
    from linkage.models import User

    with world.platform.engine.connect() as conn:
        return conn.execute(select(User.id).where(User.username == username)).scalar_one()


def funding_events(world) -> list[str]:
    with world.platform.engine.connect() as conn:
        return [
            row.type
            for row in conn.execute(
                select(OutboxEvent).where(OutboxEvent.topic == "linkage.funding").order_by(OutboxEvent.id)
            )
        ]


def apply_three(world, round_id: int, fund: int) -> dict[str, int]:
    """Three organizations apply for needs of three categories; the first co-funds from the world's
    resource, the others from `fund`. Returns each applicant's application id."""
    apps = {}
    for who, category, requested, resource in (
        ("org_staff", "养老", 400_000, world.ids["resource"]),
        ("other_org_staff", "助残", 350_000, fund),
        ("third_org_staff", "文体", 400_000, fund),
    ):
        r = apply(world, round_id, who, application_body(post_need(world, category), resource, requested))
        assert r.status_code == 201, r.json
        assert r.json["status"] == "submitted" and r.json["category"] == category
        apps[who] = r.json["id"]
    return apps


def assign_reviewer(world, reviewer: int, *app_ids: int) -> None:
    """The district assigns the user `reviewer` to each application; every assignment is made (201)."""
    for app_id in app_ids:
        r = world.call("POST", f"{API}/applications/{app_id}/reviewers", "admin", json={"user_id": reviewer})
        assert r.status_code == 201, r.json


def pay_tranche(world, grant_id: int, n: int, note: str) -> dict:
    """The community accepts milestone `n` of the grant, then the district pays its tranche (201): the entry."""
    path = f"{API}/grants/{grant_id}"
    accepted = world.call("POST", f"{path}/milestones/{n}/acceptance", "community_staff", json={"note": note})
    assert accepted.status_code == 200, accepted.json
    paid = world.call("POST", f"{path}/disbursements", "admin")
    assert paid.status_code == 201, paid.json
    return paid.json


def review_three(world) -> dict:
    """A round in review: three organizations applied, each reviewed by district staff (admin)."""
    add_third_organization(world)
    fund = open_fund(world)
    round_id = open_round(world)["id"]
    apps = apply_three(world, round_id, fund)
    assign_reviewer(world, user_id(world, "admin"), *apps.values())
    assert (
        world.call(
            "POST", f"{API}/funding-rounds/{round_id}/transitions", "admin", json={"to": "reviewing"}
        ).status_code
        == 200
    )
    for who, value in (("org_staff", 70), ("other_org_staff", 90), ("third_org_staff", 80)):
        assert (
            world.call(
                "POST",
                f"{API}/applications/{apps[who]}/reviews",
                "admin",
                json={"scores": scores(value), "comments": "方案可行"},
            ).status_code
            == 201
        )
    return {"round_id": round_id, "apps": apps, "fund": fund}


def awarded_grant(world, reviewing_round, who="org_staff") -> int:
    r = world.call("POST", f"{API}/funding-rounds/{reviewing_round['round_id']}/awards", "admin", json={})
    assert r.status_code == 201, r.json
    return next(a["grant_id"] for a in r.json["allocations"] if a["application_id"] == reviewing_round["apps"][who])
