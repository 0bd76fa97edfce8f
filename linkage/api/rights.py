"""/privacy-notice, /me/export, /me/erasure, and consents and erasure of a volunteer (PIPL)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.notice import current_notice
from linkage.permissions import require_admin
from linkage.policy.people import require_erasure_requester
from linkage.services import consents as consent_service
from linkage.services import rights as service
from schemas.rights import (
    ConsentSchema,
    DistrictErasureRequestSchema,
    ErasureRequestSchema,
    ErasureSchema,
    ExportSchema,
    NoticeSchema,
)

blp = Blueprint("rights", __name__, url_prefix="/api/v1",
                description="个人信息权利 / personal-information rights: notice, consent, export, erasure")


@blp.route("/privacy-notice")
@blp.response(200, NoticeSchema)
def privacy_notice():
    """The privacy notice in force (public): what a volunteer or their guardian consents to."""
    return current_notice()


@blp.route("/me/export")
@blp.response(200, ExportSchema)
def export():
    """Everything held about you, as JSON: your account, and as a volunteer your whole profile,
    consents, hour records, sign-ups, certificates, and the audit entries about them."""
    return service.export_person(session(), actor(), platform().cipher)


@blp.route("/me/erasure", methods=["POST"])
@blp.arguments(ErasureRequestSchema)
@blp.response(200, ErasureSchema)
def erase_me(body):
    """A volunteer erases their own personal data (cannot be undone; the account is closed)."""
    who = actor()
    require_erasure_requester(who)
    with platform().uow() as uow:
        return service.erase_volunteer(uow, who, who.volunteer_id, body["reason"])


@blp.route("/volunteers/<int:volunteer_id>/erasure", methods=["POST"])
@blp.arguments(DistrictErasureRequestSchema)
@blp.response(200, ErasureSchema)
def erase_volunteer(body, volunteer_id):
    """The district erases a volunteer's personal data at their request (`reason` required)."""
    who = actor()
    require_admin(who)
    with platform().uow() as uow:
        return service.erase_volunteer(uow, who, volunteer_id, body["reason"])


@blp.route("/volunteers/<int:volunteer_id>/consents")
class Consents(MethodView):
    @blp.response(200, ConsentSchema(many=True))
    def get(self, volunteer_id):
        """The volunteer's consent records (guardian phones are never shown here)."""
        return consent_service.read_consents(session(), actor(), volunteer_id, platform().cipher)

    @blp.arguments(ConsentSchema)
    @blp.response(201, ConsentSchema)
    def post(self, body, volunteer_id):
        """Record a further consent: the volunteer themself (`self`), or staff confirming paper."""
        who = actor()
        with platform().uow() as uow:
            row = consent_service.record_consent(uow, who, volunteer_id, body, platform().cipher)
            return consent_service.consent_record(row, platform().cipher)
