"""Funding rounds and applications (申报) at the service: who opens and moves a round, what a plan must add up to."""

from __future__ import annotations

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.services.funding.rounds import (
    application_record,
    apply_for_funding,
    chain,
    get_round,
    list_applications,
    list_rounds,
    open_round,
    round_record,
    transition_round,
)
from linkage.services.needs import cancel_need
from tests.integration.services.funding_scene import RUBRIC, plan

ROUND = {"name": "2026年社区公益创投", "budget_fen": 1_000_000, "cap_fen": 400_000}


def test_the_district_opens_a_round_and_its_budget_enters_the_ledger(funding, read):
    found = funding.round(description="面向养老与助残", cofunding_pct=20)
    record = round_record(found)
    assert (record["status"], record["budget_fen"], record["cap_fen"], record["cofunding_pct"]) == (
        "open",
        1_000_000,
        400_000,
        20,
    )
    assert record["priority_categories"] == ["养老"] and set(record["rubric_weights"]) == set(RUBRIC)
    assert sum(record["rubric_weights"].values()) == 100 and (record["pass_score"], record["min_partial_pct"]) == (
        60,
        50,
    )
    with read() as s:
        [budget] = chain(s, found.id)
        assert (budget.kind, budget.source, budget.destination, budget.amount_fen, budget.seq) == (
            "budget",
            "district",
            "round",
            1_000_000,
            1,
        )
        assert [r.id for r in list_rounds(s)] == [found.id] and list_rounds(s, status="closed") == []
    assert funding.events(found.id) == ["ledger.budget", "round.opened"]


def test_a_round_may_bring_its_own_rubric_weights(funding):
    weights = dict(zip(RUBRIC, (40, 20, 20, 10, 10)))
    assert funding.round(rubric_weights=weights).rubric_weights == weights


@pytest.mark.parametrize(
    "over, field",
    [
        ({"cap_fen": 1_000_001}, "cap_fen"),  # a single project may not take more than the whole round
        ({"rubric_weights": dict(zip(RUBRIC[:4], (25, 25, 25, 25)))}, "rubric_weights"),  # a criterion missing
        ({"rubric_weights": dict(zip(RUBRIC, (30, 20, 20, 10, 10)))}, "rubric_weights"),  # 90, not 100
        ({"rubric_weights": dict(zip(RUBRIC, (50, 30, 30, 0, -10)))}, "rubric_weights"),  # a negative weight
    ],
)
def test_a_round_that_does_not_add_up_is_refused_with_the_field(funding, act, unchanged, over, field):
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(open_round, funding.admin, {**ROUND, **over})
    assert field in caught.value.errors


def test_only_the_district_opens_and_moves_rounds(funding, build, act, unchanged):
    found = funding.round()
    applicant = funding.applicant()
    for outsider in (funding.community_staff, applicant.staff, build.auditor()):
        with unchanged():
            with pytest.raises(Forbidden):
                act(open_round, outsider, ROUND)
            with pytest.raises(Forbidden):
                act(transition_round, outsider, found.id, "reviewing")


def test_a_round_moves_forward_only_and_is_awarded_only_by_committing_its_awards(funding, act, read, unchanged):
    found = funding.round()
    with unchanged():
        for target in ("awarded", "closed", "open"):
            with pytest.raises(Conflict):
                act(transition_round, funding.admin, found.id, target)
    reviewing = act(transition_round, funding.admin, found.id, "reviewing")
    assert reviewing.status == "reviewing" and reviewing.reviewing_at is not None
    with unchanged():
        for target in ("awarded", "open", "closed"):  # `awarded` is reached by award_round, never by a move
            with pytest.raises(Conflict):
                act(transition_round, funding.admin, found.id, target)
        with pytest.raises(NotFound):
            act(transition_round, funding.admin, 424242, "reviewing")
    with read() as s:
        assert get_round(s, found.id).status == "reviewing"
        with pytest.raises(NotFound):
            get_round(s, 424242)
    assert funding.events(found.id)[-1] == "round.transitioned"


def test_an_organization_applies_for_a_need_of_a_community(funding, read):
    found = funding.round()
    applicant = funding.applicant()
    need = funding.need("养老")
    application = funding.apply(found, applicant, need_id=need.id, title="乐龄陪诊计划")
    record = application_record(application)
    assert (record["organization_id"], record["need_id"], record["community_id"], record["project_id"]) == (
        applicant.id,
        need.id,
        funding.community.id,
        None,
    )
    assert (record["status"], record["category"], record["title"], record["requested_fen"]) == (
        "submitted",
        "养老",
        "乐龄陪诊计划",
        300_000,
    )
    assert record["score"] is None and record["awarded_fen"] is None
    assert funding.events(found.id)[-1] == "application.submitted"


def test_only_organization_staff_apply_and_once_per_need(funding, build, act, unchanged):
    found = funding.round()
    applicant = funding.applicant()
    need = funding.need()
    for outsider in (funding.admin, funding.community_staff, build.auditor()):
        with unchanged(), pytest.raises(Forbidden):
            act(apply_for_funding, outsider, found.id, {"need_id": need.id, **plan()})
    funding.apply(found, applicant, need_id=need.id)
    with unchanged(), pytest.raises(Conflict):
        funding.apply(found, applicant, need_id=need.id, requested=200_000)
    assert funding.apply(found, funding.applicant(), need_id=need.id).need_id == need.id  # another organization may


def test_applications_close_when_the_review_starts(funding, act, unchanged):
    found = funding.round()
    applicant = funding.applicant()
    act(transition_round, funding.admin, found.id, "reviewing")
    need = funding.need()
    with unchanged(), pytest.raises(Conflict):
        funding.apply(found, applicant, need_id=need.id)
    with unchanged(), pytest.raises(NotFound):
        act(apply_for_funding, applicant.staff, 515151, {"need_id": need.id, **plan()})


@pytest.mark.parametrize(
    "change, field",
    [
        ({"requested_fen": 250_000}, "budget_lines"),  # the lines still add up to 300 000
        ({"budget_lines": [{"name": "人员费", "amount_fen": 150_000}] * 2}, "budget_lines"),  # a line twice
        ({"milestones": [{"title": "启动", "share_pct": 50}, {"title": "结项", "share_pct": 40}]}, "milestones"),
        ({"requested_fen": 450_000, "budget_lines": [{"name": "人员费", "amount_fen": 450_000}]}, "requested_fen"),
        ({"cofunding_fen": 50_000, "cofunding_resource_id": None}, "cofunding_resource_id"),
        ({"cofunding_resource_id": 999_999, "cofunding_fen": 100_000}, "cofunding_resource_id"),
    ],
)
def test_a_plan_that_does_not_add_up_is_refused_with_the_field(funding, unchanged, change, field):
    found = funding.round()
    applicant = funding.applicant()
    need = funding.need()
    with unchanged(), pytest.raises(InvalidInput) as caught:
        funding.apply(found, applicant, need_id=need.id, **change)
    assert field in caught.value.errors


def test_co_funding_meets_the_round_s_share_from_a_fund_that_may_pay_for_the_category(funding, build, unchanged):
    found = funding.round(cofunding_pct=20)
    applicant = funding.applicant()
    elderly_only = build.resource(restricted_categories=["养老"])
    small = build.resource(name="小额基金", amount_fen=10_000, restricted_categories=[])
    refusals = [
        ({"cofunding_resource_id": elderly_only.id, "cofunding_fen": 50_000}, "养老", "cofunding_fen"),  # 14 %
        ({"cofunding_resource_id": elderly_only.id, "cofunding_fen": 100_000}, "文体", "cofunding_resource_id"),
        ({"cofunding_resource_id": small.id, "cofunding_fen": 100_000}, "养老", "cofunding_fen"),  # only 10 000 left
        ({}, "养老", "cofunding_fen"),  # no co-funding at all
    ]
    for change, category, field in refusals:
        need = funding.need(category)
        with unchanged(), pytest.raises(InvalidInput) as caught:
            funding.apply(found, applicant, need_id=need.id, **change)
        assert field in caught.value.errors, (change, category)
    application = funding.apply(found, applicant, cofunding_resource_id=elderly_only.id, cofunding_fen=75_000)
    assert (application.cofunding_fen, application.cofunding_resource_id) == (75_000, elderly_only.id)  # exactly 20 %


def test_an_organization_applies_for_its_own_running_project_and_no_one_else_s(funding, build, act, unchanged):
    found = funding.round()
    applicant, rival = funding.applicant(), funding.applicant()
    project = build.project(community=funding.community, organization=applicant.organization, status="in_progress")
    with unchanged(), pytest.raises(Forbidden):
        funding.apply(found, rival, project_id=project.id)
    with unchanged(), pytest.raises(Forbidden):  # its need is taken by the project: a rival cannot go round it
        funding.apply(found, rival, need_id=project.need_id)
    application = funding.apply(found, applicant, project_id=project.id)
    assert (application.project_id, application.need_id, application.title) == (
        project.id,
        project.need_id,
        project.title,
    )
    finished = build.project(community=funding.community, organization=applicant.organization, status="completed")
    with unchanged(), pytest.raises(Conflict):
        funding.apply(found, applicant, project_id=finished.id)


def test_an_application_names_one_open_need_or_one_project(funding, build, act, unchanged):
    found = funding.round()
    applicant = funding.applicant()
    need = funding.need()
    project = build.project(community=funding.community, organization=applicant.organization)
    with unchanged():
        for target in ({}, {"need_id": need.id, "project_id": project.id}, {"need_id": 8888}, {"project_id": 8888}):
            with pytest.raises(InvalidInput):
                act(apply_for_funding, applicant.staff, found.id, {**target, **plan()})
    act(cancel_need, funding.admin, need.id)
    with unchanged(), pytest.raises(Conflict):
        funding.apply(found, applicant, need_id=need.id)


def test_each_party_lists_the_applications_it_may_see(funding, build, read):
    found = funding.round()
    mine, theirs = funding.applicant(), funding.applicant()
    elsewhere = build.community()
    a = funding.apply(found, mine)
    b = funding.apply(found, theirs, need_id=funding.need(community=elsewhere).id)
    with read() as s:
        assert [x.id for x in list_applications(s, funding.admin, found.id)] == [a.id, b.id]
        assert [x.id for x in list_applications(s, build.auditor(), found.id)] == [a.id, b.id]
        assert [x.id for x in list_applications(s, mine.staff, found.id)] == [a.id]
        assert [x.id for x in list_applications(s, funding.community_staff, found.id)] == [a.id]
        assert [x.id for x in list_applications(s, build.community_staff(elsewhere), found.id)] == [b.id]
        assert list_applications(s, build.volunteer_actor(build.volunteer()), found.id) == []
        with pytest.raises(NotFound):
            list_applications(s, funding.admin, 313131)
