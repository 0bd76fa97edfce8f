"""Monthly and yearly reports (报表) of a district, street or community: the dashboard's indicators for
a period, needs by category, hours by month, projects by state and funds, in one plain dict that the
workbook (linkage/reports/report_xlsx.py) and the PDF (linkage/reports/monthly_pdf.py) lay out.

Every figure comes from linkage/services/stats.py, the dashboard's own home, so the report and
GET /stats/linkage?period= never disagree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linkage.errors import NotFound
from linkage.models import ProjectStatus, utcnow
from linkage.permissions import Actor
from linkage.policy.reports import require_report_reader
from linkage.services import stats
from linkage.services.dashboard import consistent_scope
from linkage.services.periods import Period, parse_period
from linkage.taxonomy import CATEGORIES


def _scope(
    session: Session, district: str | None, street: str | None, community_id: int | None
) -> tuple[dict[str, Any], str]:
    """The filters and the scope's name; a place that does not exist, or filters that do not fit
    together (a street of another district), are a 404: a report of nothing would mislead."""
    options = stats.scope_options(session)
    filters, ignored = consistent_scope(options, district, street, community_id)
    if ignored:
        raise NotFound("report.scope_not_found")
    if community_id is not None:
        name = next(
            c["name"] for streets in options.values() for cs in streets.values() for c in cs if c["id"] == community_id
        )
        return filters, name
    return filters, street or district or "全部辖区"


def compile_report(
    session: Session,
    actor: Actor,
    *,
    period: str | Period,
    district: str | None = None,
    street: str | None = None,
    community_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The report of one scope and period, for an actor the policy lets take it (else 403/404)."""
    require_report_reader(actor, community_id)
    when = period if isinstance(period, Period) else parse_period(period)
    filters, name = _scope(session, district, street, community_id)
    window = when.window
    figures = stats.linkage_stats(session, window=window, **filters)
    wanted = [c.id for c in stats.scope_communities(session, **filters)]
    by_category = stats.needs_by_category(session, wanted, window)
    order = [c for c in CATEGORIES if c in by_category] + sorted(c for c in by_category if c not in CATEGORIES)
    by_status = stats.projects_by_status(session, wanted, window)
    months, trailing = when.months(), when.trailing_months()
    both = stats.hours_by_window(session, wanted, [m.window for m in (*months, *trailing)])  # one pass over the hours
    hours, trailing_hours = both[: len(months)], both[len(months) :]
    return {
        "scope": {**figures["scope"], "name": name},
        "period": {
            "label": when.label,
            "title": when.title,
            "kind": "year" if when.is_year else "month",
            "start": window[0].isoformat(),
            "end": window[1].isoformat(),
        },
        "generated_at": (now or utcnow()).isoformat(),
        "stats": figures,
        "categories": [{"category": c, **by_category[c]} for c in order],
        "projects": [{"status": s.value, "count": by_status.get(s.value, 0)} for s in ProjectStatus],
        "hours_by_month": [{"month": m.label, **row} for m, row in zip(months, hours, strict=True)],
        "hours_trailing": [{"month": m.label, **row} for m, row in zip(trailing, trailing_hours, strict=True)],
    }
