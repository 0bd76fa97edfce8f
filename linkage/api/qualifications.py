"""/volunteers/{id}/qualifications, /qualifications/{id}: a volunteer's own 资质 (急救证, 驾驶证, 社工证 …)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.http.context import actor, platform, session
from linkage.services import qualifications as service
from schemas.qualifications import QualificationSchema

blp = Blueprint(
    "qualifications",
    __name__,
    url_prefix="/api/v1",
    description="志愿者资质 / volunteers' qualifications (numbers answered masked)",
)


@blp.route("/volunteers/<int:volunteer_id>/qualifications")
class Qualifications(MethodView):
    @blp.response(200, QualificationSchema(many=True))
    def get(self, volunteer_id):
        """The volunteer's qualifications, expired ones too (`valid` false): only themselves (or an admin)."""
        cipher = platform().cipher
        return [
            service.qualification_view(q, cipher) for q in service.qualifications_of(session(), actor(), volunteer_id)
        ]

    @blp.arguments(QualificationSchema)
    @blp.response(201, QualificationSchema)
    def post(self, body, volunteer_id):
        cipher = platform().cipher
        with platform().uow() as uow:
            return service.qualification_view(
                service.add_qualification(uow, actor(), cipher, volunteer_id, body), cipher
            )


@blp.route("/qualifications/<int:qualification_id>")
class Qualification(MethodView):
    @blp.arguments(QualificationSchema(partial=True))
    @blp.response(200, QualificationSchema)
    def patch(self, body, qualification_id):
        cipher = platform().cipher
        with platform().uow() as uow:
            return service.qualification_view(
                service.update_qualification(uow, actor(), cipher, qualification_id, body), cipher
            )

    @blp.response(204)
    def delete(self, qualification_id):
        with platform().uow() as uow:
            service.remove_qualification(uow, actor(), qualification_id)
