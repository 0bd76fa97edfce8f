"""The recurring-activity form's fields -> the API's series body: 每周/每月 + weekdays + until become an RRULE."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from linkage import formats
from linkage.http.context import session as db_session
from linkage.models import Activity, ActivitySeries
from linkage.web.blueprint import bp
from linkage.web.i18n import t

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SHIFT_ROWS = 3  # shift templates the form offers; empty rows are left out
_BYDAY = re.compile(r"BYDAY=([A-Z,]+)")


def series_body(form) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The body for SeriesRequestSchema, and the errors found before it (a weekly rule with no day)."""
    errors: dict[str, list[str]] = {}
    freq, until = form.get("freq", "weekly"), form.get("until", "").strip().replace("-", "")
    if freq == "custom":
        rule = form.get("rrule", "").strip()
    else:
        parts = ["FREQ=MONTHLY" if freq == "monthly" else "FREQ=WEEKLY"]
        days = [d for d in form.getlist("weekdays") if d in WEEKDAYS]
        if freq == "weekly":
            if not days:
                errors["weekdays"] = [t("series.weekdays_needed")]
            parts.append("BYDAY=" + ",".join(days))
        if until:
            parts.append(f"UNTIL={until}")
        rule = ";".join(parts)
    shifts = []
    for i in range(SHIFT_ROWS):
        role, slots = form.get(f"shift_role_{i}", "").strip(), form.get(f"shift_slots_{i}", "").strip()
        if not role and not slots:
            continue
        skills = [s.strip() for s in re.split(r"[,，、]", form.get(f"shift_skills_{i}", "")) if s.strip()]
        shifts.append(
            {
                "role": role,
                "slots": slots or "0",
                "skills_wanted": skills,
                "qualification_required": form.get(f"shift_qualification_{i}", "").strip(),
            }
        )
    exdates = [line.strip() for line in form.get("exdates", "").splitlines() if line.strip()]
    body = {
        "title": form.get("title", "").strip(),
        "place": form.get("place", "").strip(),
        "rrule": rule,
        "dtstart": form.get("dtstart", "").strip(),
        "duration_minutes": form.get("duration_minutes", "").strip(),
        "exdates": exdates,
        "shifts": shifts,
    }
    return {k: v for k, v in body.items() if v != ""}, errors


@bp.app_template_filter("rule_label")
def rule_label(rrule: str) -> str:
    """The rule in words, as a clerk says it: 每周二、四 / 每2周的周一 / 每天，共6次 / 每月15日，至12月31日;
    自定义重复规则 for what the words do not cover (the API accepts a free RRULE)."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    freq, n = parts.get("FREQ", ""), parts.get("INTERVAL", "1")
    days = [d for d in parts.get("BYDAY", "").split(",") if d in WEEKDAYS]
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq)
    plain = set(parts) <= {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
    if unit is None or not plain or not n.isdigit() or ("BYDAY" in parts and (freq != "WEEKLY" or not days)):
        return t("rule_custom")
    every = t(f"every_{unit}") if n == "1" else t(f"every_n_{unit}s", n=n)
    if days:
        named = t("weekday_sep").join(t(f"weekday_{d}") for d in days)
        every = t("rule_on_days" if n == "1" else "rule_on_days_every_n", every=every, days=named)
    if freq == "MONTHLY" and parts.get("BYMONTHDAY", "").isdigit():
        every = t("rule_on_monthday", every=every, day=parts["BYMONTHDAY"])
    elif "BYMONTHDAY" in parts:
        return t("rule_custom")
    if parts.get("COUNT", "").isdigit():
        every += t("rule_count", n=parts["COUNT"])
    elif until := _until(parts.get("UNTIL", "")):
        every += t("rule_until", date=formats.day(until))
    return every


def _until(value: str) -> date | None:
    try:
        return datetime.strptime(value[:8], "%Y%m%d").date() if value else None
    except ValueError:
        return None


def series_rules(activities: list[Activity]) -> dict[int, str]:
    """series id -> its rule, for the series among these activities (the lists show 每周二、四)."""
    ids = {a.series_id for a in activities if a.series_id is not None}
    if not ids:
        return {}
    return dict(
        db_session().execute(select(ActivitySeries.id, ActivitySeries.rrule).where(ActivitySeries.id.in_(ids))).all()
    )


__all__ = ["SHIFT_ROWS", "WEEKDAYS", "rule_label", "series_body", "series_rules"]
