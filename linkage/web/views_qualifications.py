"""My qualifications (资质), weekly free time and leave (请假): the volunteer keeps them here; the matcher reads them."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from marshmallow import ValidationError

from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import Volunteer
from linkage.services import providers
from linkage.services import qualifications as service
from linkage.taxonomy import AVAILABILITY_SLOTS, CERTIFICATE_LEVELS, DAY_PARTS, QUALIFICATION_KINDS, WEEKDAYS
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, _flatten
from linkage.web.i18n import localize
from schemas.providers import MAX_LEAVE, LeaveSchema, VolunteerSchema
from schemas.qualifications import QualificationSchema


def _page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    volunteer = db_session().get(Volunteer, who.volunteer_id)
    cipher = platform().cipher
    rows = [
        service.qualification_view(q, cipher) for q in service.qualifications_of(db_session(), who, who.volunteer_id)
    ]
    today = service.china_day()
    leave = [r for r in (volunteer.leave if volunteer else []) if r["to"] >= today.isoformat()]
    return render_template(
        "my_qualifications.html",
        qualifications=rows,
        volunteer=volunteer,
        leave=leave,
        kinds=QUALIFICATION_KINDS,
        levels=CERTIFICATE_LEVELS,
        weekdays=WEEKDAYS,
        parts=DAY_PARTS,
        errors=errors or {},
        message=message,
        form=posted(),
        today=today,
    ), status


@bp.get("/me/qualifications")
@roles("volunteer")
def my_qualifications():
    failed = failed_form()
    return _page(errors=failed.get("errors"), message=failed.get("message", ""))


def _back() -> str:
    return url_for("web.my_qualifications")


@bp.post("/me/qualifications")
@roles("volunteer")
def add_qualification():
    who = current_actor()

    def add(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.add_qualification(uow, who, platform().cipher, who.volunteer_id, body)

    return act(_page, _back(), add, QualificationSchema())


@bp.post("/me/qualifications/<int:qualification_id>")
@roles("volunteer")
def edit_qualification(qualification_id: int):
    who = current_actor()

    def edit(body: dict[str, Any]) -> None:
        if request.form.get("expires_on", None) == "":
            body["expires_on"] = None  # cleared: no expiry
        with platform().uow() as uow:
            service.update_qualification(uow, who, platform().cipher, qualification_id, body)

    return act(_page, _back(), edit, QualificationSchema(partial=True))


@bp.post("/me/qualifications/<int:qualification_id>/delete")
@roles("volunteer")
def remove_qualification(qualification_id: int):
    who = current_actor()

    def remove(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.remove_qualification(uow, who, qualification_id)

    return act(_page, _back(), remove)


def _change(changes: dict[str, Any]) -> None:
    who = current_actor()
    with platform().uow() as uow:
        providers.update_provider(uow, who, "volunteer", who.volunteer_id, changes, platform().cipher)


@bp.post("/me/availability")
@roles("volunteer")
def set_availability():
    def save(body: dict[str, Any]) -> None:
        _change({"availability": [s for s in AVAILABILITY_SLOTS if s in body.get("availability", [])]})

    return act(_page, _back(), save, VolunteerSchema(partial=True, only=("availability",)), multi=("availability",))


def _current_leave() -> list[dict[str, str]]:
    """The leave still to come (past ranges are dropped when the list is saved)."""
    volunteer = db_session().get(Volunteer, current_actor().volunteer_id)
    today = service.china_day().isoformat()
    return [r for r in (volunteer.leave if volunteer else []) if r["to"] >= today]


@bp.post("/me/leave")
@roles("volunteer")
def add_leave():
    def save(body: dict[str, Any]) -> None:
        try:
            added = LeaveSchema().load({k: request.form.get(k, "").strip() for k in ("from", "to")})
        except ValidationError as err:
            raise FormError(_flatten(err.messages)) from None
        if added["to"] < service.china_day().isoformat():
            raise FormError({"to": [localize("leave.in_past")]})
        leave = sorted(_current_leave() + [added], key=lambda r: (r["from"], r["to"]))
        if len(leave) > MAX_LEAVE:
            raise FormError({"from": [localize("leave.too_many")]})
        _change({"leave": leave})

    return act(_page, _back(), save)


@bp.post("/me/leave/delete")
@roles("volunteer")
def remove_leave():
    def save(body: dict[str, Any]) -> None:
        gone = (request.form.get("from", ""), request.form.get("to", ""))
        _change({"leave": [r for r in _current_leave() if (r["from"], r["to"]) != gone]})

    return act(_page, _back(), save)
