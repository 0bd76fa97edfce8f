"""/projects/{id}/activities, /activities/{id}/signups, /signups/{id}/check-in|check-out."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import write_as_caller
from linkage.http.context import actor, platform, session
from linkage.services import activities, projects, series, waitlist
from schemas.projects import (
    ActivitySchema,
    AttendanceResultSchema,
    AttendanceSchema,
    SignupQuerySchema,
    SignupRequestSchema,
    SignupSchema,
)

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="活动与报名 / activities and sign-ups")


def _with_taken(activity, taken):
    activity.taken = taken  # a plain attribute for the response, not a column
    return activity


@blp.route("/projects/<int:project_id>/activities")
class ProjectActivities(MethodView):
    @blp.response(200, ActivitySchema(many=True))
    def get(self, project_id):
        projects.get_project(session(), project_id)
        return [_with_taken(a, taken) for a, taken in activities.list_activities(session(), project_id)]

    @blp.arguments(ActivitySchema)
    @blp.response(201, ActivitySchema)
    def post(self, body, project_id):
        who = actor()
        with platform().uow() as uow:
            return _with_taken(activities.schedule_activity(uow, who, project_id, body), 0)


@blp.route("/activities/<int:activity_id>/signups")
class ActivitySignups(MethodView):
    @blp.response(200, SignupSchema(many=True))
    def get(self, activity_id):
        return activities.read_signups(session(), actor(), activity_id)

    @blp.arguments(SignupRequestSchema)
    @blp.response(201, SignupSchema)
    def post(self, body, activity_id):
        who = actor()
        with platform().uow() as uow:
            signup = activities.sign_up(uow, who, activity_id, body.get("volunteer_id"))
        signup.waitlist_position = waitlist.position(session(), signup)  # 候补: None when signed up
        return signup

    @blp.arguments(SignupQuerySchema, location="query")
    @blp.response(200, SignupSchema)
    def delete(self, args, activity_id):
        """Cancel a sign-up or leave the waitlist: your own, or (org staff) the given volunteer's."""
        who = actor()
        current = activities.open_signup(session(), activity_id, args.get("volunteer_id") or who.volunteer_id)
        with platform().uow() as uow:
            return activities.cancel_signup(uow, who, current.id)


@blp.route("/activities/<int:activity_id>/cancellation", methods=["POST"])
@blp.response(200, ActivitySchema)
def cancel_activity(activity_id):
    """Cancel an activity (or one shift): its sign-ups and waitlist still to come are cancelled too."""
    cancelled = write_as_caller(series.cancel_activity, activity_id)
    return _with_taken(cancelled, 0)


@blp.route("/signups/<int:signup_id>/check-in", methods=["POST"])
@blp.arguments(AttendanceSchema)
@blp.response(200, AttendanceResultSchema)
def check_in(body, signup_id):
    signup = write_as_caller(activities.check_in, signup_id, body.get("at"))
    return {"signup": signup, "hour_entry_id": None, "minutes": None}


@blp.route("/signups/<int:signup_id>/check-out", methods=["POST"])
@blp.arguments(AttendanceSchema)
@blp.response(200, AttendanceResultSchema)
def check_out(body, signup_id):
    who = actor()
    with platform().uow() as uow:
        signup, entry = activities.check_out(uow, who, signup_id, body.get("at"), body["content"])
        return {"signup": signup, "hour_entry_id": entry.id, "minutes": entry.minutes}
