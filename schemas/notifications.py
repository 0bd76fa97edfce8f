"""Notifications (通知): one's inbox rows, the page of them, and the per-kind opt-outs with quiet hours."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models.notifications import KINDS
from schemas.common import PageArgs, WholeNumber


class NotificationSchema(Schema):
    id = WholeNumber(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(KINDS)})
    text = fields.String(dump_only=True, metadata={"description": "the message in the request's language"})
    params = fields.Dict(dump_only=True)
    link = fields.String(dump_only=True, metadata={"description": "a path on this site"})
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)


class NotificationQuerySchema(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = WholeNumber()
    unread = WholeNumber()
    page = WholeNumber()
    page_size = WholeNumber()


HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PreferencesSchema(Schema):
    """Kinds not sent by SMS or e-mail (the inbox row always appears) and quiet hours (Beijing time)."""

    opted_out = fields.List(fields.String(validate=validate.OneOf(list(KINDS))), required=True)
    quiet_start = fields.String(required=True, validate=validate.Regexp(HHMM, error="field.time_hhmm"))
    quiet_end = fields.String(required=True, validate=validate.Regexp(HHMM, error="field.time_hhmm"))
