"""An organization's track record and a volunteer's experience as the matcher sees them."""
from __future__ import annotations

from linkage.services.evaluations import evaluate_project, issue_codes
from linkage.services.hours import review_hours
from linkage.services.projects import transition_project
from linkage.services.reputation import organization_stats, volunteer_verified_minutes
from tests.factories import ADMIN


def test_a_new_organization_has_no_record(build, read):
    org = build.organization()
    with read() as s:
        assert organization_stats(s, org.id) == {"open_projects": 0, "reputation": {
            "rating_sum": 0.0, "rating_count": 0, "completed": 0, "cancelled": 0}}


def test_open_completed_cancelled_projects_and_ratings_are_counted(build, act, read):
    org = build.organization()
    build.project(organization=org, status="approved")
    build.project(organization=org, status="in_progress")
    done = build.project(organization=org, status="completed")
    cancelled = build.project(organization=org, status="approved")
    act(transition_project, ADMIN, cancelled.id, "cancelled", "需求方取消")
    build.project(status="completed")  # another organization's
    codes = act(issue_codes, ADMIN, done.id, 2)
    act(evaluate_project, done.id, codes[0], 5, "")
    act(evaluate_project, done.id, codes[1], 3, "")
    with read() as s:
        assert organization_stats(s, org.id) == {"open_projects": 2, "reputation": {
            "rating_sum": 8.0, "rating_count": 2, "completed": 1, "cancelled": 1}}


def test_a_volunteer_s_experience_is_their_verified_minutes_only(build, act, read):
    volunteer = build.volunteer(build.community())
    with read() as s:
        assert volunteer_verified_minutes(s, volunteer.id) == 0
    build.verified_hours(volunteer, minutes=90)
    later = build.past_activity(build.project(status="in_progress"), ended_hours_ago=10)
    pending = build.hour_record(later, volunteer, minutes=60)
    rejected = build.hour_record(build.past_activity(build.project(status="in_progress"), ended_hours_ago=20),
                                 volunteer, minutes=30)
    act(review_hours, ADMIN, rejected.id, "reject", "未到场")
    with read() as s:
        assert volunteer_verified_minutes(s, volunteer.id) == 90
    act(review_hours, ADMIN, pending.id, "verify")
    with read() as s:
        assert volunteer_verified_minutes(s, volunteer.id) == 150
