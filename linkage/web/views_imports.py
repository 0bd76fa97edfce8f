"""Import pages (批量导入): my batches and the upload form with template links; a batch's progress
(polled by static/imports.js), its preview with the bad rows' reasons, the commit, the report."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, request, url_for

from linkage.errors import DomainError, InvalidInput, Message, NotFound
from linkage.http.background import run_in_background
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.http.downloads import attachment
from linkage.models import ImportBatch
from linkage.policy.imports import importable_kinds
from linkage.services.imports import batches as service
from linkage.services.imports.columns import KINDS
from linkage.services.imports.reading import MAX_ROWS, MAX_UPLOAD_BYTES
from linkage.spreadsheets import XLSX_MIMETYPE
from linkage.web.actions import fail, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import domain_form_error
from linkage.web.i18n import t

IMPORTERS = ("community_staff", "org_staff", "admin")


def _kinds() -> list[dict[str, str]]:
    return [{"code": k, "label": KINDS[k].label} for k in importable_kinds(current_actor())]


def _list_view(*, errors: dict[str, Any] | None = None, message: str = "", status: int = 200):
    failed = failed_form()
    return render_template(
        "imports.html",
        batches=service.list_batches(db_session(), current_actor()),
        kinds=_kinds(),
        words=service.STATUS_WORDS,
        labels={k: s.label for k, s in KINDS.items()},
        errors=errors or failed.get("errors", {}),
        message=message or failed.get("message", ""),
        form=posted() or {"kind": request.args.get("kind", "")},
        max_rows=MAX_ROWS,
        max_mb=MAX_UPLOAD_BYTES >> 20,
    ), status


@bp.get("/imports")
@roles(*IMPORTERS)
def imports_page():
    return _list_view()


@bp.post("/imports")
@roles(*IMPORTERS)
def imports_upload():
    who = current_actor()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("import.no_file", {"file": [Message("import.no_file")]})
        body = upload.read(MAX_UPLOAD_BYTES + 1)
        with platform().uow() as uow:
            batch = service.start_import(uow, who, request.form.get("kind", ""), upload.filename, body)
            batch_id = batch.id
    except DomainError as err:
        failure = domain_form_error(err)
        return fail(url_for("web.imports_page"), failure.errors, failure.message)
    p = platform()
    run_in_background(
        f"import-{batch_id}", service.run_preview, p.read_sessions, p.write_sessions, who, batch_id, p.cipher
    )
    return redirect(url_for("web.import_batch", batch_id=batch_id), 303)


def _batch(batch_id: int) -> ImportBatch:
    return service.read_batch(db_session(), current_actor(), batch_id)


def _batch_view(batch_id: int, *, errors: dict[str, Any] | None = None, message: str = "", status: int = 200):
    batch, failed = _batch(batch_id), failed_form()
    outcomes = [o for o in batch.outcomes if o[1] != service.Outcome.CREATED][: service.SHOWN_PROBLEMS]
    return render_template(
        "import_batch.html",
        batch=batch,
        label=KINDS[batch.kind].label,
        words=service.STATUS_WORDS,
        outcome_words=service.OUTCOME_WORDS,
        problems=batch.problems[: service.SHOWN_PROBLEMS],
        outcomes=outcomes,
        errors=errors or failed.get("errors", {}),
        message=message or failed.get("message", ""),
        form=posted(),
    ), status


@bp.get("/imports/<int:batch_id>")
@roles(*IMPORTERS)
def import_batch(batch_id):
    return _batch_view(batch_id)


@bp.get("/imports/<int:batch_id>/progress.json")
@roles(*IMPORTERS)
def import_progress(batch_id):
    """What the progress bar polls: the batch's status and counts."""
    batch = _batch(batch_id)
    return jsonify(
        {
            "status": batch.status,
            "total_rows": batch.total_rows,
            "valid_rows": batch.valid_rows,
            "error_rows": batch.error_rows,
            "label": t("imports.progress", n=batch.total_rows, max=MAX_ROWS),
        }
    )


@bp.post("/imports/<int:batch_id>/commit")
@roles(*IMPORTERS)
def import_commit(batch_id):
    back = url_for("web.import_batch", batch_id=batch_id)
    try:
        with platform().uow() as uow:
            service.commit_import(
                uow,
                current_actor(),
                batch_id,
                platform().cipher,
                mode=request.form.get("mode", ""),
                update_existing=request.form.get("update_existing") == "1",
                paper_consents_held=request.form.get("paper_consents_held") == "1",
            )
    except DomainError as err:
        if err.status == 404:
            raise
        failure = domain_form_error(err)
        return fail(back, failure.errors, failure.message)
    return redirect(back, 303)


@bp.get("/imports/<int:batch_id>/report.xlsx")
@roles(*IMPORTERS)
def import_report(batch_id):
    batch = _batch(batch_id)
    return attachment(service.report_xlsx(batch), f"导入结果-{batch.id}.xlsx", XLSX_MIMETYPE)


@bp.get("/imports/templates/<string:kind>.xlsx")
@roles(*IMPORTERS)
def import_template(kind):
    if kind not in KINDS:
        raise NotFound("import.unknown_template", kind=kind)
    return attachment(service.template_xlsx(kind), f"{KINDS[kind].label}导入模板.xlsx", XLSX_MIMETYPE)
