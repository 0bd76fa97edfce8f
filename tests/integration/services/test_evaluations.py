"""Residents' evaluations at the service: one-time codes per household, each used once, the summary."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.messages import Types
from linkage.models import EvaluationCode, OutboxEvent
from linkage.services.evaluations import evaluate_project, evaluation_summary, issue_codes
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    community = build.community()
    project = build.project(community=community, status="completed")
    return {"project": project, "community_staff": build.community_staff(community)}


def test_community_staff_issue_one_code_per_household_and_only_hashes_are_kept(scene, act, read):
    codes = act(issue_codes, scene["community_staff"], scene["project"].id, 3)
    assert len(set(codes)) == 3 and all(len(c) == 8 for c in codes)
    with read() as s:
        stored = list(s.scalars(select(EvaluationCode.code_digest)))
        assert len(stored) == 3 and not set(codes) & set(stored)
        assert evaluation_summary(s, scene["project"].id) == {"evaluations": 0, "codes_issued": 3,
                                                               "mean_satisfaction": None}


def test_codes_come_from_the_project_s_community_once_it_is_completed(scene, build, act, unchanged):
    outsider = build.community_staff(build.community())
    running = build.project(status="in_progress")
    with unchanged():
        with pytest.raises(Forbidden):
            act(issue_codes, outsider, scene["project"].id, 2)
        with pytest.raises(Conflict):
            act(issue_codes, ADMIN, running.id, 2)
        with pytest.raises(NotFound):
            act(issue_codes, ADMIN, 3131, 2)


def test_a_resident_evaluates_once_with_a_code_and_the_reputation_moves(scene, act, read, unchanged):
    first, second = act(issue_codes, scene["community_staff"], scene["project"].id, 2)
    act(evaluate_project, scene["project"].id, first.lower(), 5, " 很满意 ")
    act(evaluate_project, scene["project"].id, second, 4, "")
    with unchanged(), pytest.raises(Conflict):
        act(evaluate_project, scene["project"].id, first, 1, "再评一次")
    with read() as s:
        assert evaluation_summary(s, scene["project"].id) == {"evaluations": 2, "codes_issued": 2,
                                                               "mean_satisfaction": 4.5}
        types = list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.type.in_(
            (Types.PROJECT_EVALUATED, Types.PROVIDER_UPSERTED))).order_by(OutboxEvent.id)))
    assert types.count(Types.PROJECT_EVALUATED) == 2


def test_a_code_of_another_project_or_a_made_up_one_is_refused(scene, build, act, unchanged):
    other = build.project(status="completed")
    [code] = act(issue_codes, ADMIN, other.id, 1)
    with unchanged():
        for wrong in (code, "ABCDEFGH"):
            with pytest.raises(InvalidInput):
                act(evaluate_project, scene["project"].id, wrong, 5, "")
        with pytest.raises(NotFound):
            act(evaluate_project, 2323, code, 5, "")


def test_a_project_that_is_not_finished_is_not_evaluated(build, act, unchanged):
    running = build.project(status="in_progress")
    with unchanged(), pytest.raises(Conflict):
        act(evaluate_project, running.id, "ABCDEFGH", 5, "")


def test_an_evaluated_project_still_takes_its_codes(scene, act, read):
    from linkage.services.projects import transition_project
    [code] = act(issue_codes, ADMIN, scene["project"].id, 1)
    act(transition_project, scene["community_staff"], scene["project"].id, "evaluated")
    act(evaluate_project, scene["project"].id, code, 3, "一般")
    with read() as s:
        assert evaluation_summary(s, scene["project"].id)["mean_satisfaction"] == 3
