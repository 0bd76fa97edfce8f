"""My hours, star level and certificates (volunteers); residents' evaluation with a code."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from linkage import exports
from linkage.errors import DomainError, Forbidden, NotFound
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.http.downloads import attachment
from linkage.policy.service import may_download_certificate
from linkage.reports.certificate_pdf import render_certificate
from linkage.services import certificates, disclosures, evaluations, hours, transfer
from linkage.services import projects as project_service
from linkage.web.actions import fail, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t
from linkage.web.paging import export_format, page_export
from schemas.hours import CertificateRequestSchema, HourRecordSchema
from schemas.projects import EvaluationRequestSchema


def _hours_view(*, message="", status=200):
    who = current_actor()
    volunteer = hours.read_volunteer(db_session(), who, who.volunteer_id)
    return render_template("my_hours.html", volunteer=volunteer,
                           summary=hours.hours_of_volunteer(db_session(), who, volunteer.id),
                           certificates=certificates.certificates_of(db_session(), who, volunteer.id),
                           disclosures=disclosures.disclosures_of(db_session(), who),
                           imported=transfer.imported_hours(db_session(), who, volunteer.id),
                           message=message), status


@bp.get("/me/hours")
@roles("volunteer")
def my_hours():
    if export_format():  # 导出: the volunteer's own records, as GET /api/v1/hours?format= gives them
        who = current_actor()
        rows, total = hours.list_records(db_session(), who, volunteer_id=who.volunteer_id, page=1,
                                         page_size=exports.EXPORT_CAP)
        return page_export(exports.HOURS, HourRecordSchema(many=True).dump(rows), total)
    return _hours_view()


def _pdf(certificate) -> Response:
    answer = attachment(render_certificate(certificate.snapshot), f"certificate-{certificate.code}.pdf",
                        "application/pdf")
    answer.headers["X-Certificate-Code"] = certificate.code
    return answer


@bp.post("/me/certificates")
@roles("volunteer")
def issue_certificate():
    who = current_actor()
    try:
        body = load(CertificateRequestSchema(), request.form)
        with platform().uow() as uow:
            certificate = certificates.issue_certificate(uow, who, platform().cipher, who.volunteer_id, body,
                                                         platform().settings.public_base_url)
    except (FormError, DomainError) as err:
        if isinstance(err, Forbidden):
            raise
        message = t("fix_errors") if isinstance(err, FormError) else domain_form_error(err).message
        return _hours_view(message=message, status=getattr(err, "status", 422))
    return _pdf(certificate)


@bp.get("/me/certificates/<code>.pdf")
@roles("volunteer", "org_staff", "admin")
def certificate_pdf(code: str):
    certificate = certificates.get_certificate(db_session(), code)
    if not may_download_certificate(current_actor(), certificate):
        raise NotFound("certificate.unknown_code")
    return _pdf(certificate)


@bp.route("/evaluate", methods=["GET", "POST"])
def evaluate():
    """No login: the one-time code handed to the household is the right to speak."""
    projects = evaluations.evaluable_projects(db_session())
    failed = failed_form()
    errors, message, done = failed.get("errors", {}), failed.get("message", ""), None

    def page(errors, message, done=None):
        # The printed cards' link (?project=&code=) fills the form in; the resident adds the stars.
        form = posted() or {"code": request.args.get("code", "").strip().upper()}
        return render_template("evaluate.html", projects=projects, errors=errors, message=message,
                               form=form, done=done,
                               chosen=posted().get("project_id") or request.args.get("project", ""))

    if request.method == "POST":
        try:
            project_id = int(request.form.get("project_id", "0"))
        except ValueError:
            project_id = 0
        try:
            if project_id <= 0:
                raise FormError({"project_id": [t("not_found")]})
            body = load(EvaluationRequestSchema(), request.form)
            with platform().uow() as uow:
                evaluations.evaluate_project(uow, project_id, body["code"], body["satisfaction"], body["comment"])
            done = project_service.get_project(db_session(), project_id)
            flash(t("thanks"))
            return redirect(url_for("web.evaluate", done=project_id))
        except FormError as failure:
            errors, message = failure.errors, t("fix_errors")
        except DomainError as err:
            refused = domain_form_error(err)
            errors, message = refused.errors, refused.message
        return fail(url_for("web.evaluate", project=project_id or None), errors, message,
                    at_once=lambda: (page(errors, message), 422))
    return page(errors, message, True if request.args.get("done") else done)  # GET: thanks for the code just taken
