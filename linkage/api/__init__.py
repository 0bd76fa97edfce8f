"""The JSON API (flask-smorest): one blueprint per resource, schema.load -> service -> schema.dump."""
from __future__ import annotations

import re

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, request
from flask_smorest import Api, Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser

from linkage.api import (
    activities,
    audit,
    auth,
    communities,
    consultations,
    cultivation,
    disclosures,
    filings,
    funding,
    growth,
    hours,
    imports,
    invitations,
    meta,
    needs,
    notifications,
    projects,
    providers,
    qualifications,
    reports,
    rights,
    series,
    stats,
    supervision,
    transfer,
)
from linkage.errors import InvalidInput, Unauthenticated
from linkage.http.context import optional_actor
from linkage.http.converters import IdConverter
from linkage.http.errors import ErrorSchema
from schemas.common import MAX_INTEGER

# Reachable without a token: logging in, the taxonomy, the spec, public certificate checks,
# and residents' evaluations (their one-time code is the credential).
PUBLIC_PREFIXES = ("/api/v1/auth/token", "/api/v1/categories", "/api/v1/openapi.json", "/api/v1/privacy-notice",
                   "/api/v1/meta/signing-key",
                   "/api/v1/cultivation-rubric")  # the published capacity rubric (能力评估标准)
PUBLIC_PATTERNS = (re.compile(r"^/api/v1/certificates/[^/]+$"),
                   re.compile(r"^/api/v1/projects/\d+/evaluations$"),
                   re.compile(r"^/api/v1/funding-rounds/\d+/public-summary$"),
                   # residents' voice (议事协商): the result, and proposals and votes made with a one-time code
                   re.compile(r"^/api/v1/consultations/\d+/(result|proposals|votes)$"))
# Reachable without a token for POST alone: a group of residents files a community social
# organization (备案); reading filings is staff's.
PUBLIC_POSTS = (re.compile(r"^/api/v1/filings$"),)


def _out_of_range(value, where: str = "") -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return where if abs(value) > MAX_INTEGER else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for key, item in items:
        found = _out_of_range(item, where or str(key))
        if found is not None:
            return found
    return None


class _BoundedIntegersParser(FlaskParser):
    """Rejects (422) loaded arguments holding an integer no database column can hold."""

    def _validate_arguments(self, data, validators):
        field = _out_of_range(data)
        if field is not None:
            raise ValidationError({field: ["field.integer_range"]})
        super()._validate_arguments(data, validators)


def _bound_integers() -> None:
    # Every blueprint captured the one shared parser when its routes were declared (at import),
    # so the shared instance itself learns the check.
    parser = Blueprint.ARGUMENTS_PARSER
    if type(parser) is FlaskParser:
        parser.__class__ = _BoundedIntegersParser


def is_public(path: str, method: str = "GET") -> bool:
    """Reachable without a bearer token (the one answer to that question, for requests and the spec)."""
    return (path.startswith(PUBLIC_PREFIXES) or any(p.match(path) for p in PUBLIC_PATTERNS)
            or (method.upper() == "POST" and any(p.match(path) for p in PUBLIC_POSTS)))


class _ContractPlugin(BasePlugin):
    """States in the OpenAPI document two rules the app enforces outside the schemas: public
    operations need no token (`security: []`), and a PATCH body changes at least one field."""

    def init_spec(self, spec):
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        # A path template with every {parameter} filled in is matched like a request path.
        concrete = re.sub(r"\{[^}]+\}", "1", path or "")
        for method, operation in (operations or {}).items():
            if is_public(concrete, method):
                operation["security"] = []
            if method == "get" and any(p.get("in") == "query" and p.get("name") == "format"
                                       for p in operation.get("parameters", []) if isinstance(p, dict)):
                _document_export(operation)
            if method == "patch":
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    ref = content.get("schema", {})
                    name = ref.get("$ref", "").rsplit("/", 1)[-1] if isinstance(ref, dict) else ""
                    if name in self.spec.components.schemas:
                        self.spec.components.schemas[name]["minProperties"] = 1


def _document_export(operation: dict) -> None:
    """A list with ?format=xlsx|csv (linkage/api/paging.answer_page) also answers 200 with the file."""
    from linkage.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE
    responses = operation.get("responses", {})
    answer = responses.get(200, responses.get("200"))
    if not isinstance(answer, dict):
        return
    for mimetype in (XLSX_MIMETYPE, CSV_MIMETYPE.split(";")[0]):
        answer.setdefault("content", {})[mimetype] = {"schema": {"type": "string", "format": "binary"}}
    answer.setdefault("headers", {}).update({
        name: {"description": text, "schema": {"type": "string"}} for name, text in (
            ("X-Export-Total", "with format: rows that matched"),
            ("X-Export-Truncated", "with format: true when the export cap cut the file short"))})


class _Api(Api):
    """flask-smorest's Api without its own HTTPException handler: errors have one home, linkage.http.errors."""

    ERROR_SCHEMA = ErrorSchema  # documents `reason`, the domain code of a domain error

    def _register_error_handlers(self) -> None:
        pass


def _schema_name(schema) -> str:
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    partial = getattr(schema, "partial", False) and not name.endswith("Patch")
    return name + "Patch" if partial else name


def _id_param_schema(converter) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}


def _require_token() -> None:
    """Authenticate before any parsing, so a caller without a token learns 401, not 422."""
    path = request.path
    if not path.startswith("/api/v1/") or is_public(path, request.method):
        return
    if optional_actor() is None:
        raise Unauthenticated("token.required")


def _refuse_empty_patch() -> None:
    """A PATCH that changes nothing is a client's mistake, not a success: 422 before parsing."""
    if request.method != "PATCH" or not request.path.startswith("/api/v1/") or request.routing_exception:
        return  # not a PATCH the API takes here: routing answers (404, or 405 with Allow)
    body = request.get_json(silent=True)
    if body is None and request.get_data():  # not JSON at all: the schema layer answers 400
        return
    if not body:
        raise InvalidInput("request.nothing_to_change", {"_body": ["request.one_field"]})


def init_api(app: Flask) -> Api:
    """After init_http: the API's blueprints, its OpenAPI document and its own request checks."""
    app.config.update(
        API_TITLE="Linkage 五社联动 API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]},
    )
    _bound_integers()
    api = _Api(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
                                "extra_plugins": [_ContractPlugin()]})
    api.register_converter(IdConverter, _id_param_schema)
    app.before_request(_require_token)
    app.before_request(_refuse_empty_patch)
    for blueprint in (auth.blp, communities.blp, needs.blp, *providers.BLUEPRINTS, projects.blp, funding.blp,
                      activities.blp, series.blp, hours.blp, audit.blp, stats.blp, reports.blp, disclosures.blp, rights.blp,
                      qualifications.blp, invitations.blp, notifications.blp, transfer.blp, imports.blp,
                      filings.blp, cultivation.blp, growth.blp, supervision.blp,
                      consultations.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(meta.blp)
    app.register_blueprint(transfer.well_known)
    return api
