"""Imports (批量导入): an upload, a batch's state and findings, the commit's choices."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.services.imports.columns import KINDS
from schemas.common import LocalDateTime, WholeNumber

MAX_BASE64 = 7 * 1024 * 1024  # the import's 5 MB file as base64


class ImportUploadSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(KINDS)),
        metadata={"description": "volunteer | organization | social_worker | resource | hours"},
    )
    filename = fields.String(load_default="", validate=validate.Length(max=200))
    content = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_BASE64),
        metadata={
            "format": "byte",
            "description": "the .xlsx or .csv file (UTF-8 or GBK/GB18030), base64-encoded; at most 5 MB and 20,000 rows",
        },
    )


class ImportProblemSchema(Schema):
    row = WholeNumber()
    column = fields.String()
    message = fields.String()


class ImportBatchSchema(Schema):
    id = WholeNumber()
    kind = fields.String()
    status = fields.String(metadata={"description": "running | ready | failed | committed"})
    filename = fields.String()
    total_rows = WholeNumber(metadata={"description": "rows read so far (the progress while running)"})
    valid_rows = WholeNumber()
    error_rows = WholeNumber()
    duplicate_rows = WholeNumber(metadata={"description": "valid rows of a provider already registered"})
    committed_rows = WholeNumber()
    message = fields.String(metadata={"description": "why the file was refused (failed)"})
    problems = fields.List(
        fields.Nested(ImportProblemSchema),
        metadata={"description": "the first 200 row problems (the report has every row)"},
    )
    created_at = LocalDateTime()
    finished_at = LocalDateTime(allow_none=True)


class ImportCommitSchema(Schema):
    mode = fields.String(
        required=True,
        validate=validate.OneOf(["all_or_nothing", "valid_rows"]),
        metadata={"description": "all_or_nothing: store nothing if any row is bad; valid_rows: store every valid row"},
    )
    update_existing = fields.Boolean(
        load_default=False,
        metadata={
            "description": "update providers already registered (same ID number / USCC); otherwise they are reported. Hours: does not apply (a recorded hour changes by a correction)"
        },
    )
    paper_consents_held = fields.Boolean(
        load_default=False,
        metadata={"description": "volunteers: the importer holds each one's signed paper consent (required true)"},
    )


class ImportKindArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
