"""/needs/{id}/invitations, /invitations: invite a provider ranked for a need, and answer an invitation."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.api.caller import read_as_caller, write_as_caller
from linkage.services import invitations as service
from schemas.invitations import AnswerSchema, InvitationRequestSchema, InvitationSchema

blp = Blueprint("invitations", __name__, url_prefix="/api/v1", description="邀请 / invitations")


@blp.route("/needs/<int:need_id>/invitations")
class NeedInvitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    def get(self, need_id):
        """The invitations sent for a need (to those who may send them; empty to anyone else)."""
        return read_as_caller(service.sent_for_need, need_id)

    @blp.arguments(InvitationRequestSchema)
    @blp.response(201, InvitationSchema)
    def post(self, body, need_id):
        """Invite a provider in the need's ranked matches (422 otherwise; 409 if one is already pending)."""
        return write_as_caller(service.invite, need_id, body)


@blp.route("/invitations")
class MyInvitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    def get(self):
        """The invitations the caller answers (for their organization, or themself), pending first."""
        return read_as_caller(service.my_invitations)


@blp.route("/invitations/<int:invitation_id>/answer")
class Answer(MethodView):
    @blp.arguments(AnswerSchema)
    @blp.response(200, InvitationSchema)
    def post(self, body, invitation_id):
        """Accept (a claim invitation submits the claim with `plan`; an activity one signs the volunteer
        up) or decline; once. Another's invitation is a 404."""
        return write_as_caller(service.answer_invitation, invitation_id, body["answer"], body["plan"])
