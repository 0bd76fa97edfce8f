"""/projects/{id}/series, /series/{id} and its occurrences (周期活动); /signups/{id}/no-show (未到)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import write_as_caller
from linkage.http.context import actor, platform, session
from linkage.services import projects, series, waitlist
from schemas.projects import SignupSchema
from schemas.series import (
    OccurrenceChangeSchema,
    OccurrenceKeySchema,
    OccurrenceSchema,
    SeriesRequestSchema,
    SeriesSchema,
)

blp = Blueprint("series", __name__, url_prefix="/api/v1", description="周期活动与候补 / recurring activities, waitlist")


@blp.route("/projects/<int:project_id>/series", methods=["POST"])
@blp.arguments(SeriesRequestSchema)
@blp.response(201, SeriesSchema)
def create_series(body, project_id):
    """Create a recurring activity: its shifts over the next 90 days (at most 200 activities)."""
    who = actor()
    with platform().uow() as uow:
        created = series.schedule_series(uow, who, project_id, body)
    with platform().read_session() as read:
        return series.series_view(read, series.get_series(read, created.id))


@blp.route("/series/<int:series_id>")
class Series(MethodView):
    @blp.response(200, SeriesSchema)
    def get(self, series_id):
        found = series.get_series(session(), series_id)
        projects.get_project(session(), found.project_id)
        return series.series_view(session(), found)


@blp.route("/series/<int:series_id>/cancellations", methods=["POST"])
@blp.arguments(OccurrenceKeySchema)
@blp.response(200, OccurrenceSchema)
def cancel_occurrence(body, series_id):
    """Cancel one occurrence (an exception to the rule): its shifts, sign-ups and waitlists."""
    start = body["occurrence_start"]
    shifts = write_as_caller(series.cancel_occurrence, series_id, start)
    return series.occurrence_view(start, shifts)


@blp.route("/series/<int:series_id>/occurrences", methods=["PATCH"])
@blp.arguments(OccurrenceChangeSchema)
@blp.response(200, OccurrenceSchema)
def change_occurrence(body, series_id):
    """Move one occurrence (new start, same length) and/or change its place."""
    start = body.pop("occurrence_start")
    shifts = write_as_caller(series.change_occurrence, series_id, start, body)
    return series.occurrence_view(start, shifts)


@blp.route("/signups/<int:signup_id>/no-show", methods=["POST"])
@blp.response(200, SignupSchema)
def no_show(signup_id):
    """The organizer marks a confirmed volunteer who will not come; the slot goes to the waitlist."""
    return write_as_caller(waitlist.mark_no_show, signup_id)
