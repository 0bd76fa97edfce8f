"""Reading and walking a recurring activity's rule (RFC 5545 RRULE, by dateutil, in Asia/Shanghai time):
the parts a community activity's rule may have, and its occurrences within a window, less holidays."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped]  # no stubs in the lock

from linkage.clock import LOCAL_TZ

_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


def _parse_rule(text: str, dtstart: datetime) -> rruleset:
    """The rule of `text` (an RRULE, with or without "RRULE:") from `dtstart`, in local time and SHIFTED
    (below); an UNTIL without Z is local time too (a date alone: to the end of that day). ValueError if
    unreadable or not a rule a community activity may have."""
    text = text.strip()
    if "\n" in text or "DTSTART" in text.upper():
        raise ValueError("one RRULE line; the start is given apart")
    text = text[6:] if text.upper().startswith("RRULE:") else text
    _check_parts(text)

    def until_utc(found: re.Match[str]) -> str:
        local = datetime.strptime(found.group(1) + (found.group(2) or "T235959"), "%Y%m%dT%H%M%S")
        moment = local.replace(tzinfo=timezone.utc if found.group(3) else LOCAL_TZ).astimezone(timezone.utc)
        year = moment.year + SHIFT_YEARS
        moment = moment.replace(year=year) if year <= 9999 else datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
        return "UNTIL=" + moment.strftime("%Y%m%dT%H%M%SZ")

    start = _shifted(dtstart.astimezone(LOCAL_TZ), SHIFT_YEARS)
    return rrulestr(_UNTIL.sub(until_utc, text), dtstart=start, forceset=True)


# dateutil walks a rule period by period until it matches, up to the year 9999: a rule that never
# matches again would walk ~8000 years. The Gregorian calendar repeats every 400 years (the same
# weekdays and leap days), so the rule is walked 19 cycles later, leaving it under 400 years to walk.
SHIFT_YEARS = 19 * 400


def _shifted(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def occurrences(
    text: str, dtstart: datetime, exdates: list[str], start: datetime, end: datetime, limit: int = 200
) -> list[datetime]:
    """The occurrences of the rule `text` from `dtstart` that fall from `start` to `end` (UTC), less
    those on the holidays (local ISO dates). ValueError if the rule is unreadable or not allowed."""
    if dtstart > end:
        return []
    rule = _parse_rule(text, dtstart)
    skip, found = set(exdates), []
    later = _shifted(end.astimezone(LOCAL_TZ), SHIFT_YEARS)
    for moment in rule.xafter(_shifted(start.astimezone(LOCAL_TZ), SHIFT_YEARS), inc=True):
        if moment > later:
            break
        moment = _shifted(moment, -SHIFT_YEARS)
        if moment.date().isoformat() not in skip:
            found.append(moment.astimezone(timezone.utc))
        if len(found) >= limit:
            break
    return found


# What a community activity's rule may say: no sub-daily frequencies, BYMONTH only with a yearly rule,
# BYSETPOS only among a monthly or yearly rule's weekdays, an interval of at most 12. Fewer rules that
# can never match, and less to walk for those that still cannot (SHIFT_YEARS).
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}


def _check_parts(text: str) -> None:
    parts = dict(part.partition("=")[::2] for part in text.upper().split(";") if part)
    if not set(parts) <= PARTS or parts.get("FREQ") not in FREQUENCIES:
        raise ValueError("a part this rule may not have")
    if "BYMONTH" in parts and parts["FREQ"] != "YEARLY":
        raise ValueError("BYMONTH is for a yearly rule")
    if "BYSETPOS" in parts and (parts["FREQ"] not in ("MONTHLY", "YEARLY") or "BYDAY" not in parts):
        raise ValueError("BYSETPOS picks among the days of a monthly or yearly rule")
    if "BYMONTHDAY" in parts and ("BYSETPOS" in parts or any(c.isdigit() for c in parts.get("BYDAY", ""))):
        raise ValueError("a day of the month and the nth weekday together may never meet")
    if not 1 <= int(parts.get("INTERVAL", "1") or "0") <= 12:
        raise ValueError("INTERVAL from 1 to 12")
