"""/audit: the append-only trail of every write, for auditors and district staff."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from linkage.api.context import actor, page_body, session
from linkage.errors import Forbidden
from linkage.models import AuditEntry
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


@blp.route("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
def list_audit(args):
    who = actor()
    if who.role not in ("admin", "auditor"):
        raise Forbidden("the audit trail is for auditors and district staff")
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
