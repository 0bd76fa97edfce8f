"""The recurring-activity form's fields -> the API's series body: 每周/每月 + weekdays + until become an RRULE."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

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
    """每周二、四 / 每月 for the rules the form makes; the rule itself otherwise."""
    text = rrule.upper()
    if "FREQ=WEEKLY" in text and (found := _BYDAY.search(text)):
        return t(
            "every_week_on",
            days=t("weekday_sep").join(t(f"weekday_{d}") for d in found.group(1).split(",") if d in WEEKDAYS),
        )
    if "FREQ=MONTHLY" in text and "BY" not in text.replace("BYMONTHDAY", ""):
        return t("every_month")
    return rrule


def series_rules(activities: list[Activity]) -> dict[int, str]:
    """series id -> its rule, for the series among these activities (the lists show 每周二、四)."""
    ids = {a.series_id for a in activities if a.series_id is not None}
    if not ids:
        return {}
    return dict(
        db_session().execute(select(ActivitySeries.id, ActivitySeries.rrule).where(ActivitySeries.id.in_(ids))).all()
    )


__all__ = ["SHIFT_ROWS", "WEEKDAYS", "rule_label", "series_body", "series_rules"]
