"""/consultations: residents' voice (议事协商) — staff open, issue codes, close and turn items into needs;
residents propose and vote with a one-time code and no account (…/proposals, …/votes, …/result are public)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import read_as_caller, write_as_caller
from linkage.http.context import platform, session
from linkage.services import consultations as service
from schemas.consultations import (
    ConsultationCodesRequestSchema,
    ConsultationCodesSchema,
    ConsultationResultSchema,
    ConsultationSchema,
    ItemToNeedSchema,
    ProposalSchema,
    VoteSchema,
)
from schemas.needs import NeedSchema

blp = Blueprint(
    "consultations",
    __name__,
    url_prefix="/api/v1",
    description="居民议事协商 / residents' voice: consultations, one-time codes, proposals, votes",
)


def _staff_view(row) -> dict:
    """The consultation with its public summary (phase, codes issued and used)."""
    shown = service.result(session(), row)
    return {**shown, "status": row.status}


@blp.route("/consultations")
class Consultations(MethodView):
    @blp.response(200, ConsultationSchema(many=True))
    def get(self):
        """Staff: their community's consultations (the district's and auditors': every community's)."""
        return [_staff_view(row) for row in read_as_caller(service.list_consultations)]

    @blp.arguments(ConsultationSchema)
    @blp.response(201, ConsultationSchema)
    def post(self, body):
        return _staff_view(write_as_caller(service.open_consultation, body))


@blp.route("/consultations/<int:consultation_id>")
class Consultation(MethodView):
    @blp.response(200, ConsultationResultSchema)
    def get(self, consultation_id):
        """Staff view; anyone else: 404 (residents read …/result)."""
        return service.result(session(), read_as_caller(service.staff_consultation, consultation_id))


@blp.post("/consultations/<int:consultation_id>/codes")
@blp.arguments(ConsultationCodesRequestSchema)
@blp.response(201, ConsultationCodesSchema)
def issue_codes(body, consultation_id):
    """One-time codes (议事码), shown once: only their hashes are stored."""
    return {
        "consultation_id": consultation_id,
        "codes": write_as_caller(service.issue_codes, consultation_id, body["count"]),
    }


@blp.post("/consultations/<int:consultation_id>/closure")
@blp.response(200, ConsultationSchema)
def close(consultation_id):
    return _staff_view(write_as_caller(service.close_consultation, consultation_id))


@blp.post("/consultation-items/<int:item_id>/need")
@blp.arguments(ItemToNeedSchema)
@blp.response(201, NeedSchema)
def item_to_need(body, item_id):
    """Once closed: the item becomes a need of the community (ranked by the matcher as any other)."""
    return write_as_caller(service.item_to_need, item_id, body)


@blp.route("/consultations/<int:consultation_id>/result")
class Result(MethodView):
    @blp.response(200, ConsultationResultSchema)
    def get(self, consultation_id):
        """Public: items with their votes and every anonymous receipt, and what became of each item."""
        return service.result(session(), service.public_consultation(session(), consultation_id))


@blp.route("/consultations/<int:consultation_id>/proposals")
class Proposals(MethodView):
    @blp.arguments(ProposalSchema)
    @blp.response(201, ProposalSchema)
    def post(self, body, consultation_id):
        """Public: a household proposes one item with its code, while the consultation is open."""
        with platform().uow() as uow:
            return service.propose_item(uow, consultation_id, body["code"], body["title"], body["description"])


@blp.route("/consultations/<int:consultation_id>/votes")
class Votes(MethodView):
    @blp.arguments(VoteSchema)
    @blp.response(201, VoteSchema)
    def post(self, body, consultation_id):
        """Public: a household votes once with its code; the answer's receipt is listed on the result."""
        with platform().uow() as uow:
            receipt = service.cast_vote(uow, consultation_id, body["code"], body["item_id"])
        return {"item_id": body["item_id"], "receipt": receipt}
