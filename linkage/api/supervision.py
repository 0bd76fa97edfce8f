"""/supervision/…, /social-workers/{id}/trainings: social workers' supervision (督导) and continuing education (继续教育)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.services import supervision as service
from schemas.supervision import (
    AssignmentListArgs,
    AssignmentSchema,
    EndAssignmentSchema,
    SessionAnswerSchema,
    SessionListArgs,
    SessionSchema,
    SupervisionSummarySchema,
    TrainingSchema,
)

blp = Blueprint(
    "supervision",
    __name__,
    url_prefix="/api/v1",
    description="社工督导与继续教育 / social workers' supervision and continuing education",
)


@blp.route("/supervision/assignments")
class Assignments(MethodView):
    @blp.arguments(AssignmentListArgs, location="query")
    @blp.response(200, AssignmentSchema(many=True))
    def get(self, args):
        """Every assignment (district, auditors); a social worker's own, as supervisee or supervisor."""
        s = session()
        return [service.assignment_view(s, a) for a in service.assignments(s, actor(), current_only=args["current"])]

    @blp.arguments(AssignmentSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, body):
        """The district assigns a supervisor (社工师 or 高级社工师) to a social worker; one current at a time."""
        with platform().uow() as uow:
            return service.assignment_view(uow.session, service.assign_supervisor(uow, actor(), body))


@blp.route("/supervision/assignments/<int:assignment_id>/end")
class EndAssignment(MethodView):
    @blp.arguments(EndAssignmentSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, body, assignment_id):
        """The district ends an assignment: it stays as history."""
        with platform().uow() as uow:
            row = service.end_assignment(uow, actor(), assignment_id, body.get("ends_on"))
            return service.assignment_view(uow.session, row)


@blp.route("/supervision/sessions")
class Sessions(MethodView):
    @blp.arguments(SessionListArgs, location="query")
    @blp.response(200, SessionSchema(many=True))
    def get(self, args):
        """A social worker's sessions (pending and disputed ones too; `counts` says which count)."""
        return [service.session_view(r) for r in service.sessions_of(session(), actor(), args["social_worker_id"])]

    @blp.arguments(SessionSchema)
    @blp.response(201, SessionSchema)
    def post(self, body):
        """The supervisor records a session with their current supervisee (`confirmed: true`); it counts
        once the supervisee confirms it."""
        with platform().uow() as uow:
            return service.session_view(service.record_session(uow, actor(), body))


@blp.route("/supervision/sessions/<int:session_id>/answer")
class AnswerSession(MethodView):
    @blp.arguments(SessionAnswerSchema)
    @blp.response(200, SessionSchema)
    def post(self, body, session_id):
        """The supervisee confirms the session, or disputes it with a reason."""
        with platform().uow() as uow:
            row = service.answer_session(
                uow, actor(), session_id, confirm=body["decision"] == "confirm", reason=body["reason"]
            )
            return service.session_view(row)


@blp.route("/supervision/social-workers/<int:social_worker_id>")
class Summary(MethodView):
    @blp.response(200, SupervisionSummarySchema)
    def get(self, social_worker_id):
        """Certificate, current supervisor, 督导中, this year's supervision and continuing-education hours."""
        required = platform().settings.sw_ce_hours_per_year
        return service.summary(session(), actor(), social_worker_id, required)


@blp.route("/social-workers/<int:social_worker_id>/trainings")
class Trainings(MethodView):
    @blp.response(200, TrainingSchema(many=True))
    def get(self, social_worker_id):
        """The social worker's continuing-education trainings, newest first."""
        return [service.training_view(t) for t in service.trainings_of(session(), actor(), social_worker_id)]

    @blp.arguments(TrainingSchema)
    @blp.response(201, TrainingSchema)
    def post(self, body, social_worker_id):
        """A training attended: by the social worker, their organization's staff or the district."""
        with platform().uow() as uow:
            return service.training_view(service.add_training(uow, actor(), social_worker_id, body))
