"""Recurring activities (周期活动) and their shifts (班次): a rule materialized as Activity rows.

`schedule_series` stores the series and creates, for each occurrence of its RRULE (RFC 5545, read by
dateutil in Asia/Shanghai time, less the holidays in `exdates`) and each shift template, one Activity,
over a horizon of HORIZON_DAYS from now and at most MAX_ACTIVITIES rows (an occurrence whose shifts
would pass that is left out, with all later ones; `materialized_until` says how far it went);
`extend_series`, on a timer, keeps each running series scheduled that far ahead. The rule itself is
read in services/recurrence.py.
A single occurrence can be cancelled (an exception: its shifts and their sign-ups are cancelled) or
moved; an activity can be cancelled on its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import Activity, ActivitySeries, Project, utcnow
from linkage.permissions import Actor
from linkage.policy.service import require_organizer
from linkage.services.activities import RUNNING, activity_record, get_activity, taken_counts
from linkage.services.recurrence import occurrences
from linkage.services.waitlist import release_future
from linkage.uow import UnitOfWork

HORIZON_DAYS = 90
EXTEND_EVERY = timedelta(days=7)  # a series is topped up once it is this far short of the horizon
MAX_ACTIVITIES = 200


def _days(given: list[Any] | None) -> list[str]:
    """Holidays as sorted ISO dates (given as dates or as ISO strings)."""
    return sorted({d.isoformat() if isinstance(d, date) else str(d) for d in given or []})


def _check(data: dict[str, Any], now: datetime) -> list[datetime]:
    """The occurrences to materialize, or InvalidInput naming every field at fault."""
    errors: dict[str, list[Any]] = {}
    shifts = data.get("shifts") or []
    if not shifts:
        errors["shifts"] = ["series.no_shifts"]
    elif any(int(shift.get("slots") or 0) < 1 for shift in shifts):
        errors["shifts"] = ["series.shift_capacity"]
    if int(data.get("duration_minutes") or 0) < 1:
        errors["duration_minutes"] = ["series.duration"]
    found: list[datetime] = []
    try:
        found = occurrences(
            data["rrule"],
            data["dtstart"],
            _days(data.get("exdates")),
            max(data["dtstart"], now),
            now + timedelta(days=HORIZON_DAYS),
            limit=MAX_ACTIVITIES,
        )
    except (ValueError, TypeError, OverflowError):
        errors["rrule"] = ["series.rule_invalid"]
    else:
        if not found:
            errors["rrule"] = [Message("series.rule_never", days=HORIZON_DAYS)]
    if errors:
        raise InvalidInput("series.invalid", errors)
    return found


def schedule_series(uow: UnitOfWork, actor: Actor, project_id: int, data: dict[str, Any]) -> ActivitySeries:
    """Create the series and its shifts over the horizon; ACTIVITY_SCHEDULED for each."""
    project = uow.get_or_404(Project, project_id)
    require_organizer(actor, project)
    if project.status not in RUNNING:
        raise Conflict("project.no_new_activities", status=project.status)
    now = utcnow()
    found = _check(data, now)
    shifts = [
        {
            "role": s.get("role", ""),
            "slots": int(s["slots"]),
            "skills_wanted": list(s.get("skills_wanted") or []),
            "qualification_required": s.get("qualification_required") or "",
        }
        for s in data["shifts"]
    ]
    found = found[: max(1, MAX_ACTIVITIES // len(shifts))]
    exdates = _days(data.get("exdates"))
    series = ActivitySeries(
        project_id=project.id,
        title=data["title"],
        place=data["place"],
        rrule=data["rrule"].strip(),
        dtstart=data["dtstart"],
        duration_minutes=int(data["duration_minutes"]),
        exdates=exdates,
        shifts=shifts,
        materialized_until=found[-1],
    )
    uow.session.add(series)
    uow.session.flush()
    _materialize(uow, project, series, found)
    uow.commit()
    return series


def _materialize(uow: UnitOfWork, project: Project, series: ActivitySeries, starts: list[datetime]) -> None:
    """One Activity per occurrence start and shift template, each announced (ACTIVITY_SCHEDULED)."""
    length = timedelta(minutes=series.duration_minutes)
    for start in starts:
        for shift in series.shifts:
            activity = Activity(
                project=project,
                title=series.title,
                place=series.place,
                starts_at=start,
                ends_at=start + length,
                slots=shift["slots"],
                skills_wanted=shift["skills_wanted"],
                series_id=series.id,
                occurrence_start=start,
                role=shift["role"],
                qualification_required=shift["qualification_required"],
            )
            uow.session.add(activity)
            uow.session.flush()
            uow.emit(
                topic=Topics.PROJECTS,
                key=str(project.id),
                type=Types.ACTIVITY_SCHEDULED,
                subject=f"activity/{activity.id}",
                data={"activity": activity_record(activity, 0)},
            )


def extend_series(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Keep every series of a running project scheduled HORIZON_DAYS ahead: the occurrences after
    `materialized_until` up to the horizon (a weekly 助餐 goes on past its first 90 days). A timer
    calls it (the notifier's tick); a second call finds nothing new. Returns the shifts created."""
    now = now or utcnow()
    horizon, made = now + timedelta(days=HORIZON_DAYS), 0
    behind = (
        select(ActivitySeries)
        .join(Project, Project.id == ActivitySeries.project_id)
        .where(Project.status.in_(RUNNING), ActivitySeries.materialized_until < horizon - EXTEND_EVERY)
        .order_by(ActivitySeries.id)
        .with_for_update(of=ActivitySeries)
    )
    for series in uow.session.scalars(behind):
        after = series.materialized_until + timedelta(seconds=1)
        starts = occurrences(series.rrule, series.dtstart, series.exdates, max(after, now), horizon, MAX_ACTIVITIES)
        starts = starts[: max(1, MAX_ACTIVITIES // len(series.shifts))]
        if starts:
            _materialize(uow, uow.session.get_one(Project, series.project_id), series, starts)
            made += len(starts) * len(series.shifts)
        series.materialized_until = starts[-1] if starts else horizon
    uow.commit()
    return made


def get_series(session: Session, series_id: int) -> ActivitySeries:
    series = session.get(ActivitySeries, series_id)
    if series is None:
        raise NotFound("series.not_found", id=series_id)
    return series


def series_activities(session: Session, series_id: int) -> list[Activity]:
    return list(
        session.scalars(
            select(Activity).where(Activity.series_id == series_id).order_by(Activity.occurrence_start, Activity.id)
        )
    )


def series_view(session: Session, series: ActivitySeries) -> dict[str, Any]:
    """The series with its occurrences, each with its shifts (activities carrying `taken`)."""
    shifts = series_activities(session, series.id)
    taken = taken_counts(session, [a.id for a in shifts])
    grouped: dict[datetime, list[Activity]] = {}
    for activity in shifts:
        activity.taken = taken[activity.id]  # type: ignore[attr-defined]  # for the response only
        grouped.setdefault(activity.occurrence_start or activity.starts_at, []).append(activity)
    return {
        "id": series.id,
        "project_id": series.project_id,
        "title": series.title,
        "place": series.place,
        "rrule": series.rrule,
        "dtstart": series.dtstart,
        "duration_minutes": series.duration_minutes,
        "exdates": series.exdates,
        "shifts": series.shifts,
        "materialized_until": series.materialized_until,
        "occurrences": [occurrence_view(start, group) for start, group in grouped.items()],
    }


def occurrence_view(start: datetime, shifts: list[Activity]) -> dict[str, Any]:
    first = shifts[0]
    return {
        "occurrence_start": start,
        "starts_at": first.starts_at,
        "ends_at": first.ends_at,
        "place": first.place,
        "cancelled": all(a.cancelled for a in shifts),
        "shifts": shifts,
    }


def occurrence(session: Session, series_id: int, start: datetime, lock: bool = False) -> list[Activity]:
    """The shifts of one occurrence (by its original start), or NotFound."""
    query = select(Activity).where(Activity.series_id == series_id, Activity.occurrence_start == start)
    if lock:
        query = query.with_for_update(of=Activity)
    shifts = list(session.scalars(query.order_by(Activity.id)))
    if not shifts:
        raise NotFound("series.occurrence_not_found", id=series_id)
    return shifts


def _emit_changed(uow: UnitOfWork, activity: Activity, change: str) -> None:
    uow.emit(
        topic=Topics.PROJECTS,
        key=str(activity.project_id),
        type=Types.ACTIVITY_CHANGED,
        subject=f"activity/{activity.id}",
        data={"activity": activity_record(activity), "change": change},
    )


def _cancel(uow: UnitOfWork, shifts: list[Activity]) -> int:
    for activity in shifts:
        activity.cancelled = True
    uow.session.flush()
    released = release_future(uow, shifts)
    for activity in shifts:
        _emit_changed(uow, activity, "cancelled")
    return released


def cancel_occurrence(uow: UnitOfWork, actor: Actor, series_id: int, start: datetime) -> list[Activity]:
    """An exception to the rule: the occurrence's shifts are cancelled with their sign-ups and waitlists."""
    series = get_series(uow.session, series_id)
    shifts = occurrence(uow.session, series.id, start, lock=True)
    require_organizer(actor, shifts[0].project)
    if all(a.cancelled for a in shifts):
        raise Conflict("series.occurrence_cancelled")
    day = start.astimezone(LOCAL_TZ).date().isoformat()
    series.exdates = sorted({*series.exdates, day})
    _cancel(uow, [a for a in shifts if not a.cancelled])
    uow.commit()
    return shifts


def cancel_activity(uow: UnitOfWork, actor: Actor, activity_id: int) -> Activity:
    """One activity (or shift) is cancelled: its future sign-ups and waitlist are cancelled too."""
    activity = get_activity(uow.session, activity_id, lock=True)
    require_organizer(actor, activity.project)
    if activity.cancelled:
        raise Conflict("activity.not_open")
    _cancel(uow, [activity])
    uow.commit()
    return activity


def change_occurrence(
    uow: UnitOfWork, actor: Actor, series_id: int, start: datetime, data: dict[str, Any]
) -> list[Activity]:
    """Move one occurrence (`starts_at`, its length kept) and/or change its `place`."""
    get_series(uow.session, series_id)
    shifts = occurrence(uow.session, series_id, start, lock=True)
    require_organizer(actor, shifts[0].project)
    new_start, place = data.get("starts_at"), (data.get("place") or "").strip()
    if new_start is None and not place:
        raise InvalidInput("series.no_change", {"starts_at": ["series.change_something"]})
    if new_start is not None and new_start <= utcnow():
        raise InvalidInput("series.change_past", {"starts_at": ["field.in_past"]})
    if any(a.cancelled for a in shifts):
        raise Conflict("series.occurrence_cancelled")
    for activity in shifts:
        if new_start is not None:
            activity.starts_at, activity.ends_at = new_start, new_start + (activity.ends_at - activity.starts_at)
        if place:
            activity.place = place
    uow.session.flush()
    for activity in shifts:
        _emit_changed(uow, activity, "moved")
    uow.commit()
    return shifts
