"""/imports: spreadsheet imports of providers — templates, upload (then a background preview), the
batch's progress and findings, commit, and the report (docs/import-export.md)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.errors import InvalidInput, Message, NotFound
from linkage.http.background import run_in_background
from linkage.http.context import actor, platform, session
from linkage.http.downloads import attachment
from linkage.models import ImportBatch
from linkage.services.imports import batches as service
from linkage.services.imports.columns import KINDS
from linkage.services.imports.reading import MAX_UPLOAD_BYTES
from linkage.spreadsheets import XLSX_MIMETYPE
from schemas.imports import ImportBatchSchema, ImportCommitSchema, ImportUploadSchema

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="批量导入 / spreadsheet imports of volunteers, organizations, social workers, resources",
)


def batch_view(batch: ImportBatch) -> dict[str, Any]:
    """A batch as answered: its counts and its first problems (the report has every row)."""
    fields = (
        "id",
        "kind",
        "status",
        "filename",
        "total_rows",
        "valid_rows",
        "error_rows",
        "duplicate_rows",
        "committed_rows",
        "message",
        "created_at",
        "finished_at",
    )
    return {**{f: getattr(batch, f) for f in fields}, "problems": list(batch.problems[: service.SHOWN_PROBLEMS])}


def start_preview(batch: ImportBatch) -> None:
    """Check the batch's rows in the background (the page polls the batch)."""
    p = platform()
    run_in_background(
        f"import-{batch.id}", service.run_preview, p.read_sessions, p.write_sessions, actor(), batch.id, p.cipher
    )


def decoded(content: str) -> bytes:
    try:
        body = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("import.not_base64", {"content": [Message("import.not_base64")]}) from None
    if len(body) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            "import.too_large",
            {"content": [Message("import.too_large", mb=MAX_UPLOAD_BYTES >> 20)]},
            mb=MAX_UPLOAD_BYTES >> 20,
        )
    return body


@blp.route("/templates/<string:kind>.xlsx")
@blp.response(200, description="the kind's template: Chinese headers (required ones starred), a sample row")
def template(kind):
    if kind not in KINDS:
        raise NotFound("import.unknown_template", kind=kind)
    return attachment(service.template_xlsx(kind), f"{KINDS[kind].label}导入模板.xlsx", XLSX_MIMETYPE)


@blp.route("")
class Batches(MethodView):
    @blp.response(200, ImportBatchSchema(many=True))
    def get(self):
        """The caller's own batches, newest first."""
        return [batch_view(b) for b in service.list_batches(session(), actor())]

    @blp.arguments(ImportUploadSchema)
    @blp.response(202, ImportBatchSchema)
    def post(self, body):
        """Upload a file: refused at once (422, nothing stored) when it is too large, not a
        spreadsheet, a zip bomb or has wrong headers; else a batch whose rows are checked in the
        background — poll it until `status` is ready (or failed: e.g. more than 20,000 rows)."""
        content = decoded(body["content"])
        try:
            with platform().uow() as uow:
                batch = service.start_import(uow, actor(), body["kind"], body["filename"], content)
        except InvalidInput as refused:  # the file's refusal, named by this body's field
            if "file" in refused.errors:
                refused.errors = {"content": refused.errors.pop("file"), **refused.errors}
            raise
        start_preview(batch)
        with platform().read_session() as fresh:  # what the preview has found by now (all of it, inline)
            return batch_view(service.read_batch(fresh, actor(), batch.id))


@blp.route("/<int:batch_id>")
@blp.response(200, ImportBatchSchema)
def read(batch_id):
    """A batch's status, progress, counts and first problems (another's batch: 404)."""
    return batch_view(service.read_batch(session(), actor(), batch_id))


@blp.route("/<int:batch_id>/commit", methods=["POST"])
@blp.arguments(ImportCommitSchema)
@blp.response(200, ImportBatchSchema)
def commit(body, batch_id):
    """Store the previewed rows in one transaction: all of them or none (all_or_nothing), or every
    valid row (valid_rows); duplicates updated only with update_existing. Volunteers need
    paper_consents_held: true (the importer holds each one's signed paper consent)."""
    with platform().uow() as uow:
        batch = service.commit_import(
            uow,
            actor(),
            batch_id,
            platform().cipher,
            mode=body["mode"],
            update_existing=body["update_existing"],
            paper_consents_held=body["paper_consents_held"],
        )
        return batch_view(batch)


@blp.route("/<int:batch_id>/report.xlsx")
@blp.response(200, description="each row's outcome (after commit) or problem (after preview), as xlsx")
def report(batch_id):
    batch = service.read_batch(session(), actor(), batch_id)
    return attachment(service.report_xlsx(batch), f"导入结果-{batch.id}.xlsx", XLSX_MIMETYPE)
