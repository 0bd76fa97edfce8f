"""/audit: the append-only trail of every write, for auditors and district staff."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from linkage import exports
from linkage.api.paging import answer_page
from linkage.http.context import actor, session
from linkage.services import audit
from schemas.common import LocalDateTime, PageArgs, WholeNumber, page_of

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="审计日志 / audit trail")


class AuditQuerySchema(PageArgs):
    user_id = WholeNumber(validate=validate.Range(min=1))
    object_type = fields.String(validate=validate.Length(max=50))
    object_id = fields.String(validate=validate.Length(max=50))
    request_id = fields.String(validate=validate.Length(max=64))
    since = LocalDateTime()


class AuditEntrySchema(Schema):
    id = WholeNumber()
    at = LocalDateTime()
    user_id = WholeNumber(allow_none=True)
    username = fields.String()
    role = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    change = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    remote_addr = fields.String()
    request_id = fields.String()
    reason = fields.String(metadata={"description": "why personal data was revealed (change: reveal)"})


@blp.route("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
def list_audit(args):
    filters = {name: args.get(name) for name in audit.FILTERS + ("since",)}
    who = actor()
    return answer_page(lambda page, size: audit.list_audit(session(), who, page=page, page_size=size, **filters),
                       args, AuditEntrySchema, exports.AUDIT)


class AuditChainSchema(Schema):
    valid = fields.Boolean(metadata={"description": "every entry up to the head recomputes and links"})
    entries = WholeNumber(metadata={"description": "entries checked (up to the first bad one)"})
    head_seq = WholeNumber()
    head_hash = fields.String()
    problem = fields.String(allow_none=True, metadata={
        "description": "hash: an entry changed; link or seq: entries removed, inserted or reordered; "
                       "head: the chain ends before its recorded head"})
    first_bad_entry_id = WholeNumber(allow_none=True)
    first_bad_seq = WholeNumber(allow_none=True)


@blp.route("/verify-chain")
@blp.response(200, AuditChainSchema)
def verify_chain():
    """Recompute the audit trail's hash chain and name the first entry that breaks it."""
    return audit.verify_audit_chain(session(), actor())
