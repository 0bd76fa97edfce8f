"""The 待办 list: each role's counts, with the page that acts on them."""

from __future__ import annotations

from datetime import timedelta

from linkage.clock import LOCAL_TZ
from linkage.models import utcnow
from linkage.services.funding.reviews import assign_reviewer, review_application
from linkage.services.funding.rounds import transition_round
from linkage.services.todo import todo_list
from schemas.funding import MilestonePlanSchema
from tests.integration.services.funding_scene import scores


def counts(read, actor) -> dict[str, tuple[int, str]]:
    with read() as s:
        return {item.key: (item.count, item.link) for item in todo_list(s, actor)}


def test_reviews_assigned_then_milestones_due_show_on_the_lists_of_those_who_act(funding, read):
    due = str((utcnow() + timedelta(days=3)).astimezone(LOCAL_TZ).date())
    milestones = MilestonePlanSchema(many=True).load(
        [{"title": "启动", "share_pct": 60, "due_on": due}, {"title": "结项", "share_pct": 40}]
    )
    found, applicant = funding.round(), funding.applicant()
    application = funding.apply(found, applicant, milestones=milestones)
    funding.act(assign_reviewer, funding.admin, application.id, funding.admin.user_id)
    funding.act(transition_round, funding.admin, found.id, "reviewing")
    assert counts(read, funding.admin)["reviews"] == (1, "/funding")
    funding.act(review_application, funding.admin, application.id, scores(80), "需求明确，方案可行")
    assert counts(read, funding.admin)["reviews"] == (0, "/funding")
    funding.award(found)
    assert counts(read, applicant.staff)["milestones"] == (1, "/funding")
    assert counts(read, funding.community_staff)["milestones"] == (1, "/funding")
    other = funding.applicant()
    assert counts(read, other.staff)["milestones"] == (0, "/funding")
    assert "claims" not in counts(read, applicant.staff) and "hours" not in counts(read, funding.community_staff)
