"""/audit: the append-only trail of every write, for auditors and district staff."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from linkage.api.paging import page_body
from linkage.audit import verify_trail
from linkage.http.context import actor, session
from linkage.models import AuditEntry
from linkage.permissions import require_audit_reader
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
    require_audit_reader(actor())
    query = select(AuditEntry)
    for name in ("user_id", "object_type", "object_id", "request_id"):
        if args.get(name) is not None:
            query = query.where(getattr(AuditEntry, name) == args[name])
    if args.get("since"):
        query = query.where(AuditEntry.at >= args["since"])
    total = session().scalar(select(func.count()).select_from(query.subquery()))
    rows = session().scalars(query.order_by(AuditEntry.id.desc()).limit(args["page_size"])
                             .offset((args["page"] - 1) * args["page_size"]))
    return page_body(list(rows), total, args)


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
    require_audit_reader(actor())
    return verify_trail(session())
