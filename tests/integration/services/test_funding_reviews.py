"""Funding reviews (评审) at the service: who may review what, conflicts of interest, the rubric, who reads the scores."""

from __future__ import annotations

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.services.funding.reviews import application_scores, assign_reviewer, review_application, reviews_for
from linkage.services.funding.rounds import transition_round, view_application
from linkage.services.providers import update_provider
from tests.integration.services.funding_scene import scores


@pytest.fixture
def submitted(funding, build):
    """An open round with one application; a social worker of the applicant and an independent one."""
    found = funding.round()
    applicant = funding.applicant()
    application = funding.apply(found, applicant)
    own_worker = build.social_worker(applicant.organization)
    other_worker = build.social_worker(build.organization())
    return {
        "other_worker": other_worker,
        "round": found,
        "applicant": applicant,
        "application": application,
        "tied": build.actor("social_worker", social_worker_id=own_worker),
        "expert": build.actor("social_worker", social_worker_id=other_worker),
    }


def test_district_staff_and_independent_social_workers_review_on_the_weighted_rubric(submitted, funding, act, read):
    application, expert = submitted["application"], submitted["expert"]
    for reviewer in (funding.admin, expert):
        assignment = act(assign_reviewer, funding.admin, application.id, reviewer.user_id)
        assert (assignment.application_id, assignment.reviewer_user_id) == (application.id, reviewer.user_id)
    act(transition_round, funding.admin, submitted["round"].id, "reviewing")
    even = act(review_application, funding.admin, application.id, scores(80), "方案可行")
    uneven = act(review_application, expert, application.id, scores(90, sustainability=70), "可持续性一般")
    assert (even.total, uneven.total) == (80.0, 87.0)  # (85 × 90 + 15 × 70) / 100
    with read() as s:
        assert application_scores(s, submitted["round"].id) == {application.id: 83.5}
    assert funding.events(submitted["round"].id).count("reviewer.assigned") == 2
    assert funding.events(submitted["round"].id).count("application.reviewed") == 2


def test_a_reviewer_tied_to_the_applicant_is_refused_as_a_conflict_of_interest(submitted, funding, act, unchanged):
    application = submitted["application"]
    with unchanged():
        for tied in (submitted["tied"], submitted["applicant"].staff):
            with pytest.raises(Forbidden):
                act(assign_reviewer, funding.admin, application.id, tied.user_id)


def test_reviewers_are_district_staff_or_social_workers_never_auditors(submitted, funding, build, act, unchanged):
    application = submitted["application"]
    others = (
        build.auditor(),
        funding.community_staff,
        build.volunteer_actor(build.volunteer()),
        build.org_staff(build.organization()),
    )
    with unchanged():
        for unfit in others:
            with pytest.raises(InvalidInput) as caught:
                act(assign_reviewer, funding.admin, application.id, unfit.user_id)
            assert "user_id" in caught.value.errors
        with pytest.raises(InvalidInput):
            act(assign_reviewer, funding.admin, application.id, 777_777)
        with pytest.raises(NotFound):
            act(assign_reviewer, funding.admin, 777_777, funding.admin.user_id)


def test_only_the_district_assigns_and_nobody_is_assigned_twice(submitted, funding, act, unchanged):
    application, expert = submitted["application"], submitted["expert"]
    with unchanged():
        for outsider in (funding.community_staff, submitted["applicant"].staff, expert):
            with pytest.raises(Forbidden):
                act(assign_reviewer, outsider, application.id, expert.user_id)
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    with unchanged(), pytest.raises(Conflict):
        act(assign_reviewer, funding.admin, application.id, expert.user_id)


def test_reviews_wait_for_the_reviewing_stage_and_come_once_per_reviewer(submitted, funding, act, unchanged):
    application, expert = submitted["application"], submitted["expert"]
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    with unchanged(), pytest.raises(Conflict):
        act(review_application, expert, application.id, scores(80), "")
    act(transition_round, funding.admin, submitted["round"].id, "reviewing")
    act(review_application, expert, application.id, scores(80), "")
    with unchanged(), pytest.raises(Conflict):
        act(review_application, expert, application.id, scores(60), "改分")


def test_only_assigned_untied_reviewers_score_and_they_score_every_criterion(submitted, funding, build, act, unchanged):
    application, expert = submitted["application"], submitted["expert"]
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    act(transition_round, funding.admin, submitted["round"].id, "reviewing")
    unassigned = build.actor("social_worker", social_worker_id=build.social_worker(build.organization()))
    outsiders = (unassigned, submitted["tied"], submitted["applicant"].staff, funding.admin, build.auditor())
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                act(review_application, outsider, application.id, scores(90), "")
        for partial in ({"necessity": 90}, {**scores(90), "innovation": 90}):
            with pytest.raises(InvalidInput):
                act(review_application, expert, application.id, partial, "")
        with pytest.raises(NotFound):
            act(review_application, expert, 616161, scores(90), "")


def test_reviewers_are_assigned_while_the_round_is_open_or_reviewing_only(funding, act, unchanged):
    granted = funding.grant()
    late = funding.build.actor(
        "social_worker", social_worker_id=funding.build.social_worker(funding.build.organization())
    )
    with unchanged(), pytest.raises(Conflict):
        act(assign_reviewer, funding.admin, granted["application"].id, late.user_id)


def test_who_reads_the_reviews_and_when(submitted, funding, build, act, read):
    application, expert = submitted["application"], submitted["expert"]
    applicant = submitted["applicant"]
    funding.review(submitted["round"], {application: 70})
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    act(review_application, expert, application.id, scores(90), "")
    with read() as s:
        assert [r["total"] for r in reviews_for(s, funding.admin, application.id)] == [70.0, 90.0]
        assert len(reviews_for(s, build.auditor(), application.id)) == 2
        assert [r["reviewer_user_id"] for r in reviews_for(s, expert, application.id)] == [expert.user_id]
        for outsider in (applicant.staff, funding.community_staff):  # not before the awards are public
            with pytest.raises(Forbidden):
                reviews_for(s, outsider, application.id)
    funding.award(submitted["round"])
    with read() as s:
        feedback = reviews_for(s, applicant.staff, application.id)
        assert [r["total"] for r in feedback] == [70.0, 90.0]
        assert all(r["reviewer_user_id"] is None for r in feedback)  # the applicant never learns who scored


def test_an_application_is_seen_by_its_parties_and_its_assigned_reviewers_only(submitted, funding, build, act, read):
    application, expert = submitted["application"], submitted["expert"]
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    strangers = (
        build.org_staff(build.organization()),
        build.community_staff(build.community()),
        submitted["tied"],
        build.actor("social_worker", social_worker_id=build.social_worker(build.organization())),
    )
    with read() as s:
        for party in (submitted["applicant"].staff, funding.community_staff, funding.admin, build.auditor(), expert):
            assert view_application(s, party, application.id).id == application.id
        for stranger in strangers:
            with pytest.raises(NotFound):
                view_application(s, stranger, application.id)


def test_a_reviewer_who_joins_the_applicant_later_may_no_longer_score_or_read_it(
    submitted, funding, act, read, platform, unchanged
):
    application, expert = submitted["application"], submitted["expert"]
    act(assign_reviewer, funding.admin, application.id, expert.user_id)
    act(transition_round, funding.admin, submitted["round"].id, "reviewing")
    changes = {"organization_id": submitted["applicant"].id}  # the social worker changes employer
    act(update_provider, funding.admin, "social_worker", submitted["other_worker"].id, changes, platform.cipher)
    with unchanged(), pytest.raises(Forbidden):
        act(review_application, expert, application.id, scores(95), "")
    with read() as s:
        with pytest.raises(NotFound):
            view_application(s, expert, application.id)
        with pytest.raises(NotFound):
            reviews_for(s, expert, application.id)
