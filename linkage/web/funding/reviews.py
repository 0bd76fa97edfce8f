"""Review forms on an application's page: the district assigns reviewers (评审专家), a reviewer scores."""
from __future__ import annotations

from functools import partial

from flask import request, url_for

from linkage import permissions as perm
from linkage.http.context import session as db_session
from linkage.services import funding
from linkage.web.auth import roles
from linkage.web.blueprint import bp
from linkage.web.funding.applications import application_view
from linkage.web.funding.common import as_current_user, post
from linkage.web.i18n import t
from schemas.funding import FundingReviewRequestSchema, ReviewerRequestSchema


def _back_to(application_id: int, anchor: str) -> str:
    return url_for("web.funding_application", application_id=application_id) + f"#{anchor}"


@bp.post("/funding/applications/<int:application_id>/reviewers")
@roles("admin")
def assign_reviewer(application_id: int):
    def run(body):
        as_current_user(funding.reviews.assign_reviewer, application_id, body["user_id"])
    # A conflict of interest (403) is shown by the form, not as a bare page.
    return post(partial(application_view, application_id), "reviewers", _back_to(application_id, "reviewers"),
                run, ReviewerRequestSchema(), forbidden_is_page=False)


@bp.post("/funding/applications/<int:application_id>/reviews")
@roles(*perm.REVIEWER_ROLES)
def review_application(application_id: int):
    application = funding.rounds.get_application(db_session(), application_id)
    found = funding.rounds.get_round(db_session(), application.round_id)
    pre, scores = {}, {}
    for name in found.rubric_weights:
        raw = request.form.get(f"score_{name}", "").strip()
        if not raw.isdigit():
            pre[f"score_{name}"] = [t("whole_number") if raw else t("required")]
        else:
            scores[name] = int(raw)

    def run(body):
        as_current_user(funding.reviews.review_application, application_id, body["scores"], body["comments"])
    return post(partial(application_view, application_id), "review", _back_to(application_id, "reviews"),
                run, FundingReviewRequestSchema(), pre=pre, extra={"scores": scores}, forbidden_is_page=False)
