"""Hour records per organization or community and month (工时汇总): who served, where, how long,
in what state; the rows of the hours export, read under the same visibility as every hours list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import InvalidInput
from linkage.messages import rfc3339
from linkage.models import Community, HourEntry, Organization, Project, Volunteer
from linkage.models.hours import records_with_status
from linkage.permissions import Actor, visible_hours
from linkage.policy.service import require_hours_exporter
from linkage.uow import get_or_404


def month_window(month: str) -> tuple[datetime, datetime]:
    """ "2026-11" as [its first local midnight, the next month's) — China's calendar month."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=LOCAL_TZ)
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=LOCAL_TZ)
    except ValueError:
        raise InvalidInput("hours.report_month", {"month": ["hours.report_month"]}) from None
    return start, end


def hours_report(
    session: Session,
    actor: Actor,
    *,
    month: str,
    organization_id: int | None = None,
    community_id: int | None = None,
    page: int = 1,
    page_size: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    """The hour records of one organization (served with it) or one community (its projects' and
    its volunteers') that started in `month`, oldest first: one page and how many there are."""
    if organization_id is not None:
        get_or_404(session, Organization, organization_id)
    else:
        get_or_404(session, Community, community_id)
    require_hours_exporter(actor, organization_id, community_id)
    start, end = month_window(month)
    query, status_is = records_with_status()
    conditions: list[Any] = [HourEntry.starts_at >= start, HourEntry.starts_at < end]
    if (visible := visible_hours(actor)) is not None:
        conditions.append(visible)
    if organization_id is not None:
        conditions.append(HourEntry.organization_id == organization_id)
    else:
        conditions.append(
            or_(
                HourEntry.project_id.in_(select(Project.id).where(Project.community_id == community_id)),
                HourEntry.volunteer_id.in_(select(Volunteer.id).where(Volunteer.community_id == community_id)),
            )
        )
    query = query.where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = session.execute(
        query.order_by(HourEntry.starts_at, HourEntry.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    volunteers = _names(session, Volunteer, {entry.volunteer_id for entry, _ in found})
    organizations = _names(session, Organization, {entry.organization_id for entry, _ in found})
    projects = dict(
        session.execute(
            select(Project.id, Project.title).where(Project.id.in_({e.project_id for e, _ in found if e.project_id}))
        ).all()
    )
    codes = dict(
        session.execute(
            select(Volunteer.id, Volunteer.code).where(Volunteer.id.in_({e.volunteer_id for e, _ in found}))
        ).all()
    )
    return [
        {
            "id": entry.id,
            "volunteer_id": entry.volunteer_id,
            "volunteer_code": codes.get(entry.volunteer_id),
            "volunteer_name": volunteers.get(entry.volunteer_id),
            "organization_id": entry.organization_id,
            "organization_name": organizations.get(entry.organization_id),
            "project_id": entry.project_id,
            "project_title": projects.get(entry.project_id),
            "activity_id": entry.activity_id,
            "starts_at": rfc3339(entry.starts_at),
            "ends_at": rfc3339(entry.ends_at) if entry.ends_at else None,
            "minutes": entry.minutes,
            "content": entry.content,
            "source": entry.source,
            "status": state,
        }
        for entry, state in found
    ], total


def _names(session: Session, model: Any, ids: set[Any]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())
