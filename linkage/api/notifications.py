"""/notifications: one's own inbox (another's notification is 404), marking one read, and the settings."""

from __future__ import annotations

from flask_smorest import Blueprint

from linkage import exports
from linkage.api.paging import answer_page, page_body
from linkage.http.context import actor, platform, session
from linkage.i18n import DEFAULT_LOCALE, current_locale
from linkage.services import inbox
from schemas.notifications import NotificationPageSchema, NotificationQuerySchema, NotificationSchema, PreferencesSchema

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="通知 / notifications: the caller's own inbox and its settings",
)


@blp.route("/notifications")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args):
    """The caller's notifications, newest first, with the unread count."""
    who, db = actor(), session()

    def fetch(page, size):
        rows = inbox.list_notifications(db, who, limit=size, offset=(page - 1) * size, unread_only=args["unread"])
        locale = DEFAULT_LOCALE if args.get("format") else current_locale()  # a file is Chinese
        return (
            [inbox.notification_record(row, locale) for row in rows],
            inbox.count_notifications(db, who, unread_only=args["unread"]),
        )

    return answer_page(
        fetch,
        args,
        NotificationSchema,
        exports.NOTIFICATIONS,
        body=lambda items, total, _args: {
            **page_body(items, total, args),
            "unread": inbox.unread_count(db, who.user_id),
        },
    )


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one of one's own notifications read (idempotent); another's is 404."""
    with platform().uow() as uow:
        row = inbox.mark_read(uow, actor(), notification_id)
        return inbox.notification_record(row, current_locale())


@blp.route("/me/notification-settings")
@blp.response(200, PreferencesSchema)
def get_settings():
    """The caller's opt-outs and quiet hours (changed on the inbox page's settings form)."""
    who = actor()
    return inbox.preferences(session(), who.user_id or 0)
