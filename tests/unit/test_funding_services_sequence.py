"""Random sequences of funding operations through the service layer, on SQLite: the money rules hold.

Not a pure unit test (it uses a SQLite file copied from the migrated template), but it exercises the
services directly, without HTTP, so that hypothesis can afford many sequences.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from linkage.errors import DomainError
from linkage.models import Grant
from linkage.models.funding import is_external, replay
from linkage.permissions import Actor
from linkage.platform import build_platform
from linkage.services import funding
from linkage.services.accounts import create_user
from linkage.services.communities import register_community
from linkage.services.needs import post_need
from linkage.services.providers import register_provider
from tests.conftest import settings_for_tests as settings_for
from tests.integration.api.conftest import community_body, db_fingerprint, need_body, org_body, resource_body

ADMIN = Actor(user_id=None, role="admin", username="admin")
WINDOW = {"starts_at": datetime(2026, 12, 5, 1, tzinfo=timezone.utc),
          "ends_at": datetime(2026, 12, 5, 4, tzinfo=timezone.utc)}
RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")


@pytest.fixture(scope="module")
def setting(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("funding") / "sequence.db"
    shutil.copyfile(sqlite_template, path)
    platform = build_platform(settings_for(f"sqlite:///{path}"))
    with platform.uow() as u:
        community = register_community(u, ADMIN, community_body()).id
    orgs = []
    for serial in (1, 2):
        with platform.uow() as u:
            orgs.append(register_provider(u, ADMIN, "organization", org_body(serial), platform.cipher).id)
    with platform.uow() as u:
        resource = register_provider(u, ADMIN, "resource", resource_body(amount_fen=10**11, restricted_categories=[]),
                                     platform.cipher).id
    with platform.uow() as u:
        reviewer = create_user(u, platform.passwords, username="reviewer", password="correct-horse-9", role="admin")
    yield {"platform": platform, "community": community, "orgs": orgs, "resource": resource,
           "reviewer": Actor(user_id=reviewer.id, role="admin"),
           "staff": [Actor(user_id=None, role="org_staff", organization_id=o) for o in orgs],
           "community_staff": Actor(user_id=None, role="community_staff", community_id=community)}
    platform.dispose()


def _awarded_round(s, budget, cap, requests):
    p = s["platform"]
    with p.uow() as u:
        round_id = funding.rounds.open_round(u, ADMIN, {"name": "随机轮次", "budget_fen": budget, "cap_fen": cap,
                                                  "cofunding_pct": 10}).id
    for staff, requested in zip(s["staff"], requests):
        with p.uow() as u:
            need = post_need(u, s["community_staff"], need_body(s["community"]) | WINDOW)
        half = requested // 2
        body = {"need_id": need.id, "requested_fen": requested,
                "budget_lines": [{"name": "a", "amount_fen": requested - half}] +
                                ([{"name": "b", "amount_fen": half}] if half else []),
                "milestones": [{"title": "启动", "share_pct": 40}, {"title": "中期", "share_pct": 40},
                               {"title": "结项", "share_pct": 20}],
                "cofunding_resource_id": s["resource"], "cofunding_fen": requested}
        try:
            with p.uow() as u:
                app = funding.rounds.apply_for_funding(u, staff, round_id, body)
        except DomainError:  # over the cap: refused at the door
            continue
        with p.uow() as u:
            funding.reviews.assign_reviewer(u, ADMIN, app.id, s["reviewer"].user_id)
    with p.uow() as u:
        funding.rounds.transition_round(u, ADMIN, round_id, "reviewing")
    with p.uow() as u:
        apps = funding.rounds.list_applications(u.session, ADMIN, round_id)
    for app in apps:
        with p.uow() as u:
            funding.reviews.review_application(u, s["reviewer"], app.id, {k: 75 for k in RUBRIC}, "")
    with p.uow() as u:
        funding.awards.award_round(u, ADMIN, round_id)
    return round_id


def _check(s, round_id, budget, cap):
    p = s["platform"]
    with p.uow() as u:
        report = funding.supervision.supervision(u.session, ADMIN, round_id)
        balances = replay(funding.rounds.chain(u.session, round_id))
    assert report["ledger"]["valid"] and report["ledger"]["balanced"]
    assert sum(balances.values()) == 0 and all(v >= 0 for k, v in balances.items() if not is_external(k))
    assert report["awarded_fen"] <= budget
    for g in report["grants"]:
        assert g["awarded_fen"] <= cap and g["disbursed_fen"] <= g["awarded_fen"]
        for line in g["lines"]:
            assert 0 <= line["spent_fen"] <= line["disbursed_fen"] <= line["budget_fen"]


operations = st.lists(st.tuples(st.sampled_from(["accept", "disburse", "spend", "correct", "close"]),
                                st.integers(0, 1), st.sampled_from(["a", "b", "c"]), st.integers(1, 400_000)),
                      max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.integers(1, 1_000_000), cap_share=st.integers(1, 100),
       shares=st.lists(st.integers(1, 130), min_size=1, max_size=2), ops=operations)
def test_random_funding_sequences_keep_every_fen_accounted_and_refusals_change_nothing(setting, budget, cap_share,
                                                                                         shares, ops):
    s, p = setting, setting["platform"]
    cap = max(1, budget * cap_share // 100)
    requests = [max(1, cap * share // 100) for share in shares]  # above 100 %: refused at the door
    round_id = _awarded_round(s, budget, cap, requests)
    _check(s, round_id, budget, cap)
    with p.uow() as u:
        grants = [g.id for g in u.session.scalars(select(Grant).where(Grant.round_id == round_id))]
    event(f"grants: {len(grants)}")
    if not grants:
        return
    for op, which, line, amount in ops:
        grant_id = grants[which % len(grants)]
        with p.uow() as u:
            grant = u.session.get(Grant, grant_id)
            staff = Actor(user_id=None, role="org_staff", organization_id=grant.organization_id)
            entries = funding.grants.grant_entries(u.session, grant)
            accepted = sum(1 for m in funding.grants.milestones_of(u.session, grant_id) if m.accepted_at)
        before = db_fingerprint(p)
        try:
            with p.uow() as u:
                if op == "accept":
                    funding.grants.accept_milestone(u, ADMIN, grant_id, accepted + 1)
                elif op == "disburse":
                    funding.grants.disburse_tranche(u, ADMIN, grant_id)
                elif op == "spend":
                    funding.grants.report_expenditure(u, staff, grant_id, {"amount_fen": amount, "budget_line": line,
                                                                           "receipt_ref": "R"})
                elif op == "correct" and entries:
                    target = entries[amount % len(entries)]
                    funding.grants.correct_entry(u, ADMIN, grant_id, target.id, "更正 / correction")
                elif op == "close":
                    funding.grants.close_grant(u, staff, grant_id, "结项报告 / closing report")
        except DomainError:
            assert db_fingerprint(p) == before  # a refused operation changes nothing
        _check(s, round_id, budget, cap)
