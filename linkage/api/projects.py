"""/needs/{id}/claims, /claims/{id}/decision, /projects: from a matched need to a running project."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage import exports
from linkage.api.caller import write_as_caller
from linkage.api.paging import listed_page
from linkage.http.context import actor, platform, session
from linkage.services import evaluations, needs, projects
from schemas.projects import (
    ClaimRequestSchema,
    ClaimSchema,
    CodesRequestSchema,
    CodesSchema,
    DecisionResultSchema,
    DecisionSchema,
    EvaluationRequestSchema,
    EvaluationSummarySchema,
    LeadSchema,
    ProjectPageSchema,
    ProjectQuerySchema,
    ProjectSchema,
    TransitionSchema,
)

blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="认领与项目 / claims and projects")


@blp.route("/needs/<int:need_id>/claims")
class NeedClaims(MethodView):
    @blp.response(200, ClaimSchema(many=True))
    def get(self, need_id):
        needs.get_need(session(), need_id)
        return projects.claims_for_need(session(), need_id)

    @blp.arguments(ClaimRequestSchema)
    @blp.response(201, ClaimSchema)
    def post(self, body, need_id):
        return write_as_caller(projects.claim_need, need_id, body["plan"], body.get("organization_id"))


@blp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, DecisionResultSchema)
def decide(body, claim_id):
    who = actor()
    with platform().uow() as uow:
        claim = projects.decide_claim(uow, who, claim_id, body["decision"], body["reason"])
        project = projects.project_for_claim(uow.session, claim.id)
        return {"claim": claim, "project_id": project.id if project else None}


@blp.route("/projects")
@blp.arguments(ProjectQuerySchema, location="query")
@blp.response(200, ProjectPageSchema)
def list_projects(args):
    return listed_page(
        projects.list_projects,
        args,
        "status",
        "organization_id",
        "community_id",
        schema=ProjectSchema,
        table=exports.PROJECTS,
    )


@blp.route("/projects/<int:project_id>")
@blp.response(200, ProjectSchema)
def get_project(project_id):
    return projects.get_project(session(), project_id)


@blp.route("/projects/<int:project_id>/transitions", methods=["POST"])
@blp.arguments(TransitionSchema)
@blp.response(200, ProjectSchema)
def transition(body, project_id):
    return write_as_caller(projects.transition_project, project_id, body["to"], body["reason"])


@blp.route("/projects/<int:project_id>/lead", methods=["POST"])
@blp.arguments(LeadSchema)
@blp.response(200, ProjectSchema)
def assign_lead(body, project_id):
    return write_as_caller(projects.assign_lead, project_id, body["social_worker_id"])


@blp.route("/projects/<int:project_id>/evaluation-codes", methods=["POST"])
@blp.arguments(CodesRequestSchema)
@blp.response(201, CodesSchema)
def issue_codes(body, project_id):
    return {"project_id": project_id, "codes": write_as_caller(evaluations.issue_codes, project_id, body["households"])}


@blp.route("/projects/<int:project_id>/evaluations")
class Evaluations(MethodView):
    @blp.response(200, EvaluationSummarySchema)
    def get(self, project_id):
        projects.get_project(session(), project_id)
        return {"project_id": project_id, **evaluations.evaluation_summary(session(), project_id)}

    @blp.arguments(EvaluationRequestSchema)
    @blp.response(201, EvaluationSummarySchema)
    def post(self, body, project_id):
        """Residents evaluate with a one-time code; no login."""
        with platform().uow() as uow:
            evaluations.evaluate_project(uow, project_id, body["code"], body["satisfaction"], body["comment"])
        return {"project_id": project_id, **evaluations.evaluation_summary(session(), project_id)}
