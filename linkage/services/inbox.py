"""A user's inbox (收件箱): storing notices, reading and marking them, opt-outs per kind and quiet hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import InvalidInput, Message, NotFound
from linkage.i18n import text
from linkage.models import Delivery, Notification, NotificationPreference, QuietHours, utcnow
from linkage.models.notifications import KINDS
from linkage.permissions import Actor
from linkage.services.notifications import Notice
from linkage.uow import UnitOfWork

DEFAULT_QUIET = (22 * 60, 7 * 60)
TIME_PARAMS = ("starts_at",)
# Every placeholder the notify.* texts use: a notice stored without one reads it as blank.
TEXT_PARAMS = (
    "title",
    "place",
    "starts_at",
    "reason",
    "minutes",
    "grant",
    "due_on",
    "qualification",
    "expires_on",
    "outcome",
)


def _own(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("notification.not_found")
    return actor.user_id


def list_notifications(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> list[Notification]:
    """The actor's own notifications, newest first."""
    query = select(Notification).where(Notification.user_id == _own(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)))


def count_notifications(session: Session, actor: Actor, *, unread_only: bool = False) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.user_id == _own(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return session.scalar(query) or 0


def unread_count(session: Session, user_id: int | None) -> int:
    if user_id is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(uow: UnitOfWork, actor: Actor, notification_id: int) -> Notification:
    """Read one of one's own notifications; another's is not found (404)."""
    row = uow.session.get(Notification, notification_id)
    if row is None or row.user_id != _own(actor):
        raise NotFound("notification.not_found", id=notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
    uow.commit()
    return row


def mark_all_read(uow: UnitOfWork, actor: Actor) -> int:
    """Through the ORM, row by row, so each change is audited like any other write."""
    rows = list(
        uow.session.scalars(
            select(Notification).where(Notification.user_id == _own(actor), Notification.read_at.is_(None))
        )
    )
    now = utcnow()
    for row in rows:
        row.read_at = now
    uow.commit()
    return len(rows)


def render(row: Notification, locale: str | None = None) -> str:
    """The notification's text from the message catalogue (`notify.<kind>`) with its params;
    times are shown in Beijing time."""
    from linkage.formats import moment

    params: dict[str, Any] = dict.fromkeys(TEXT_PARAMS, "")
    params.update(
        (key, moment(value, locale=locale) if key in TIME_PARAMS and value else value)
        for key, value in (row.params or {}).items()
    )
    if row.kind == "claim_decided":
        params["outcome"] = text(f"notify.claim_{row.params.get('status', '')}", {}, locale)
    if row.kind == "invitation":
        code = "notify.invitation_answered" if row.params.get("answered") else "notify.invitation"
        params["outcome"] = text(f"notify.invitation_{row.params.get('status', '')}", {}, locale)
        return text(code, params, locale)
    return text(f"notify.{row.kind}", params, locale)


def notification_record(row: Notification, locale: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "text": render(row, locale),
        "params": row.params,
        "link": row.link,
        "created_at": row.created_at,
        "read_at": row.read_at,
    }


# -- preferences ------------------------------------------------------------------------------------
def preferences(session: Session, user_id: int) -> dict[str, Any]:
    """{"opted_out": [kinds], "quiet_start": "22:00", "quiet_end": "07:00"}."""
    kinds = sorted(
        session.scalars(
            select(NotificationPreference.kind).where(
                NotificationPreference.user_id == user_id, NotificationPreference.opted_out.is_(True)
            )
        )
    )
    start, end = quiet_window(session, user_id)
    return {"opted_out": kinds, "quiet_start": _hhmm(start), "quiet_end": _hhmm(end)}


def quiet_window(session: Session, user_id: int) -> tuple[int, int]:
    row = session.get(QuietHours, user_id)
    return (row.start_minute, row.end_minute) if row is not None else DEFAULT_QUIET


def in_quiet_hours(window: tuple[int, int], now: datetime) -> bool:
    """Whether `now` (UTC) falls in the local window [start, end), which may wrap past midnight."""
    start, end = window
    local = now.astimezone(LOCAL_TZ)
    minute = local.hour * 60 + local.minute
    if start == end:
        return False
    return start <= minute < end if start < end else (minute >= start or minute < end)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(value: str, field: str, errors: dict[str, list[str | Message]]) -> int:
    try:
        hours, minutes = value.strip().split(":")
        parsed = int(hours) * 60 + int(minutes)
        if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
            raise ValueError(value)
        return parsed
    except (ValueError, AttributeError):
        errors[field] = ["field.time_hhmm"]
        return 0


def set_preferences(
    uow: UnitOfWork, actor: Actor, *, opted_out: list[str], quiet_start: str, quiet_end: str
) -> dict[str, Any]:
    """Replace the actor's opt-outs and quiet hours; unknown kinds or times that are not HH:MM are
    refused and nothing is stored."""
    user_id = _own(actor)
    errors: dict[str, list[str | Message]] = {}
    unknown = [kind for kind in opted_out if kind not in KINDS]
    if unknown:
        errors["opted_out"] = ["notify.unknown_kind"]
    start, end = _minutes(quiet_start, "quiet_start", errors), _minutes(quiet_end, "quiet_end", errors)
    if errors:
        raise InvalidInput("notify.preferences_invalid", errors)
    session = uow.session
    current = {
        row.kind: row
        for row in session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    for kind in KINDS:
        wanted = kind in opted_out
        row = current.get(kind)
        if row is None and wanted:
            session.add(NotificationPreference(user_id=user_id, kind=kind, opted_out=True))
        elif row is not None:
            row.opted_out = wanted
    quiet = session.get(QuietHours, user_id)
    if quiet is None:
        session.add(QuietHours(user_id=user_id, start_minute=start, end_minute=end))
    else:
        quiet.start_minute, quiet.end_minute = start, end
    session.flush()
    result = preferences(session, user_id)
    uow.commit()
    return result


# -- storing (the notifier) ----------------------------------------------------------------------------------------
def store_notices(session: Session, notices: list[Notice], channels: tuple[str, ...] = ()) -> list[Notification]:
    """Insert the notices not stored yet (by dedupe key), each with a pending Delivery per external
    channel unless its user opted out of the kind. The caller commits; a racing writer's duplicate
    fails the commit on the unique key, and the retry finds the row."""
    wanted: dict[str, Notice] = {}
    for notice in notices:
        wanted.setdefault(notice.dedupe_key, notice)
    if not wanted:
        return []
    existing = set(session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(list(wanted)))))
    fresh = [notice for key, notice in wanted.items() if key not in existing]
    opted_out = _opted_out(session, {notice.user_id for notice in fresh})
    stored = []
    for notice in fresh:
        row = Notification(
            user_id=notice.user_id,
            kind=notice.kind,
            params=dict(notice.params),
            link=notice.link,
            dedupe_key=notice.dedupe_key,
        )
        session.add(row)
        stored.append((row, notice))
    session.flush()
    for row, notice in stored:
        if (notice.user_id, notice.kind) not in opted_out:
            session.add_all(Delivery(notification_id=row.id, channel=channel) for channel in channels)
    session.flush()
    return [row for row, _notice in stored]


def _opted_out(session: Session, users: set[int]) -> set[tuple[int, str]]:
    if not users:
        return set()
    rows = session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind).where(
            NotificationPreference.user_id.in_(users), NotificationPreference.opted_out.is_(True)
        )
    )
    return {(user, kind) for user, kind in rows}
