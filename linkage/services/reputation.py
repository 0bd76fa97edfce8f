"""An organization's track record as the matcher sees it: ratings, completions, open projects."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.models import Evaluation, HourEntry, Project, ProjectStatus, RecordStatus, record_states

OPEN = (ProjectStatus.APPROVED.value, ProjectStatus.IN_PROGRESS.value)
DONE = (ProjectStatus.COMPLETED.value, ProjectStatus.EVALUATED.value)


def organization_stats(session: Session, organization_id: int) -> dict[str, Any]:
    counts = dict(session.execute(
        select(Project.status, func.count()).where(Project.organization_id == organization_id)
        .group_by(Project.status)).all())
    rating_sum, rating_count = session.execute(
        select(func.coalesce(func.sum(Evaluation.satisfaction), 0), func.count(Evaluation.id))
        .join(Project, Project.id == Evaluation.project_id)
        .where(Project.organization_id == organization_id)).one()
    return {
        "open_projects": sum(counts.get(s, 0) for s in OPEN),
        "reputation": {
            "rating_sum": float(rating_sum), "rating_count": int(rating_count),
            "completed": sum(counts.get(s, 0) for s in DONE),
            "cancelled": counts.get(ProjectStatus.CANCELLED.value, 0),
        },
    }


def volunteer_verified_minutes(session: Session, volunteer_id: int) -> int:
    """Experience: minutes of verified service on the volunteer's ledger."""
    entries = list(session.scalars(select(HourEntry).where(HourEntry.volunteer_id == volunteer_id)
                                   .order_by(HourEntry.seq)))
    if not entries:
        return 0
    states = record_states(entries)
    return sum(e.minutes for e in entries if states.get(e.id) == RecordStatus.VERIFIED)
