"""/volunteers/{id}/reveal and /me/disclosures: seeing personal data whole, on the record."""
from __future__ import annotations

from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.services import disclosures as service
from schemas.disclosures import DisclosureSchema, RevealRequestSchema, RevealSchema

blp = Blueprint("disclosures", __name__, url_prefix="/api/v1",
                description="个人信息查看 / revealing personal data, and who did")


@blp.route("/volunteers/<int:volunteer_id>/reveal", methods=["POST"])
@blp.arguments(RevealRequestSchema)
@blp.response(200, RevealSchema)
def reveal(body, volunteer_id):
    """The whole phone or ID number, for district staff and auditors with a reason (audited; the
    volunteer sees it in /me/disclosures)."""
    who = actor()
    with platform().uow() as uow:
        return service.reveal(uow, who, platform().cipher, volunteer_id, body["field"], body["reason"])


@blp.route("/me/disclosures")
@blp.response(200, DisclosureSchema(many=True))
def my_disclosures():
    """Who revealed the calling volunteer's whole phone or ID number, when, and why."""
    return service.disclosures_of(session(), actor())
