"""Annual reports (年报) of social organizations: submitted by their staff each year, due by a configured date
(31 March of the next year by default, linkage/annual_report.toml), reminded and listed when overdue."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, InvalidInput, NotFound
from linkage.models import AnnualReport, Organization
from linkage.permissions import Actor
from linkage.policy import cultivation as policy
from linkage.services.qualifications import china_day
from linkage.uow import UnitOfWork

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "annual_report.toml"
FIRST_YEAR = 2000


@lru_cache(maxsize=2)
def load_settings(path: str = str(SETTINGS_FILE)) -> dict[str, Any]:
    """The due date (month-day of the following year) and how many days before it the reminder goes."""
    with open(path, "rb") as handle:
        found = tomllib.load(handle)
    month, day = (int(part) for part in found["due"].split("-"))
    date(2001, month, day)  # a date every year has (no 29 February): refuse a bad file at once
    return {"month": month, "day": day, "remind_days_before": int(found["remind_days_before"])}


def due_on(year: int) -> date:
    """The day the report on `year` is due: the configured month-day of year + 1 (31 March by default)."""
    found = load_settings()
    return date(year + 1, found["month"], found["day"])


def reporting_year(today: date | None = None) -> int:
    """The year whose reports are being collected now: last year."""
    return (today or china_day()).year - 1


def report_record(row: AnnualReport, organization_name: str = "") -> dict[str, Any]:
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "organization_name": organization_name,
        "year": row.year,
        "activities_count": row.activities_count,
        "members": row.members,
        "income_fen": row.income_fen,
        "spending_fen": row.spending_fen,
        "summary": row.summary,
        "submitted_at": row.submitted_at,
        "due_on": due_on(row.year),
        "late": china_day(row.submitted_at) > due_on(row.year),
    }


# --- reading ------------------------------------------------------------------------------------------


def list_reports(
    session: Session, actor: Actor, year: int | None = None, organization_id: int | None = None
) -> list[dict[str, Any]]:
    query = (
        select(AnnualReport, Organization.name)
        .join(Organization, Organization.id == AnnualReport.organization_id)
        .where(policy.listed_annual_reports(actor))
        .order_by(AnnualReport.year.desc(), Organization.name, AnnualReport.id)
    )
    if year is not None:
        query = query.where(AnnualReport.year == year)
    if organization_id is not None:
        query = query.where(AnnualReport.organization_id == organization_id)
    return [report_record(row, name) for row, name in session.execute(query)]


def read_report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    row = session.get(AnnualReport, report_id)
    if row is None or not policy.may_see_annual_report(actor, row.organization_id):
        raise NotFound("annual_report.not_found", id=report_id)
    return report_record(row, session.get_one(Organization, row.organization_id).name)


def _owing(year: int) -> Any:
    """Active organizations that existed in `year` and have no report on it (a query)."""
    year_end = datetime.combine(date(year + 1, 1, 1), time(), LOCAL_TZ)
    reported = select(AnnualReport.organization_id).where(AnnualReport.year == year)
    return (
        select(Organization)
        .where(Organization.active.is_(True), Organization.created_at < year_end, Organization.id.not_in(reported))
        .order_by(Organization.name, Organization.id)
    )


def overdue(session: Session, actor: Actor, year: int | None = None, today: date | None = None) -> list[dict[str, Any]]:
    """The overdue list (逾期未报): organizations whose report on `year` (last year by default) is missing
    after its due date. Before the due date, nobody is overdue."""
    policy.require_overdue_reader(actor)
    today = today or china_day()
    year = reporting_year(today) if year is None else year
    if today <= due_on(year):
        return []
    return [
        {
            "organization_id": org.id,
            "organization_name": org.name,
            "registration": org.registration,
            "year": year,
            "due_on": due_on(year),
            "days_overdue": (today - due_on(year)).days,
        }
        for org in session.scalars(_owing(year))
    ]


def reminders_due(session: Session, today: date | None = None) -> list[tuple[int, int, date]]:
    """(organization id, year, due date) for every organization still owing last year's report from
    `remind_days_before` days before the due date on (and after it): what the notifier's ticker tells
    each organization's staff, once per organization and year (the notice's dedupe key)."""
    today = today or china_day()
    year = reporting_year(today)
    due = due_on(year)
    if today < due - timedelta(days=load_settings()["remind_days_before"]):
        return []
    return [(org.id, year, due) for org in session.scalars(_owing(year))]


# --- writing ------------------------------------------------------------------------------------------


def submit_report(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> AnnualReport:
    """An organization's staff submit its report on a year that has ended; one report per organization and year."""
    organization_id = data.get("organization_id") or actor.organization_id
    if organization_id is None:
        policy.require_annual_reporter(actor, None)  # not an organization's staff: 403
    org = uow.session.get(Organization, organization_id) if organization_id is not None else None
    if org is None:
        raise InvalidInput("annual_report.invalid", {"organization_id": ["field.no_such_organization"]})
    policy.require_annual_reporter(actor, org.id)
    year = data["year"]
    if not FIRST_YEAR <= year < china_day().year:
        raise InvalidInput("annual_report.invalid", {"year": ["annual_report.year_not_ended"]})
    for field in ("activities_count", "members", "income_fen", "spending_fen"):
        if data[field] < 0:
            raise InvalidInput("annual_report.invalid", {field: ["field.not_negative"]})
    if uow.session.scalar(
        select(AnnualReport.id).where(AnnualReport.organization_id == org.id, AnnualReport.year == year)
    ):
        raise Conflict("annual_report.duplicate", {"year": ["annual_report.already_submitted"]}, year=year)
    row = AnnualReport(
        organization_id=org.id,
        year=year,
        activities_count=data["activities_count"],
        members=data["members"],
        income_fen=data["income_fen"],
        spending_fen=data["spending_fen"],
        summary=(data.get("summary") or "").strip(),
        submitted_by=actor.user_id,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # a second submission raced this one
        uow.rollback()
        raise Conflict("annual_report.duplicate", {"year": ["annual_report.already_submitted"]}, year=year) from None
    uow.commit()
    return row
