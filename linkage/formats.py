"""How quantities read to people: money in yuan, hours, dates and materials, one home for each (pages, PDFs, messages)."""

from __future__ import annotations

from datetime import date, datetime

from linkage.clock import LOCAL_TZ


def yuan(fen: int | None, *, sign: bool = True) -> str:
    """Integer fen as ¥1,600.00 for people, exactly (integer arithmetic, never a float);
    `sign=False` drops the ¥ for a table column that already says 元."""
    fen = int(fen or 0)
    minus, fen = ("-" if fen < 0 else ""), abs(fen)
    return f"{minus}{'¥' if sign else ''}{fen // 100:,}.{fen % 100:02d}"


UNITS = {"zh": {"hours": "小时"}, "en": {"hours": "h"}}


def _lang(locale: str | None) -> str:
    return "en" if (locale or "zh").lower().startswith("en") else "zh"


def hours(minutes: int | None, *, locale: str | None = None) -> str:
    """Whole minutes as hours with one decimal and the unit: 150 -> "2.5 小时" ("2.5 h" in English).
    Rounded half up in integer arithmetic, so 1 h 57 min reads 2.0 and never 1.9500000001."""
    minutes = int(minutes or 0)
    minus, tenths = ("-" if minutes < 0 else ""), (abs(minutes) * 10 + 30) // 60
    return f"{minus}{tenths // 10}.{tenths % 10} {UNITS[_lang(locale)]['hours']}"


def _local(moment: date | datetime | str) -> date | datetime:
    """A date stays a date; a datetime (or an RFC 3339 / ISO string) is read in Beijing time."""
    if isinstance(moment, str):
        moment = (
            datetime.fromisoformat(moment.replace("Z", "+00:00"))
            if "T" in moment or " " in moment
            else date.fromisoformat(moment)
        )
    if isinstance(moment, datetime):
        return moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment
    return moment


def _today(today: date | None) -> date:
    return today or datetime.now(LOCAL_TZ).date()


def day(
    moment: date | datetime | str | None,
    *,
    today: date | None = None,
    always_year: bool = False,
    locale: str | None = None,
) -> str:
    """A date as people read it: 12月3日 this year, 2027年12月3日 any other year (or always, for an
    expiry date or a formal document: a date without its year can look expired). English: 3 Dec (2027)."""
    if not moment:
        return ""
    local = _local(moment)
    with_year = always_year or local.year != _today(today).year
    if _lang(locale) == "en":
        return f"{local.day} {local.strftime('%b')}" + (f" {local.year}" if with_year else "")
    return (f"{local.year}年" if with_year else "") + f"{local.month}月{local.day}日"


def moment(when: datetime | str | None, *, today: date | None = None, locale: str | None = None) -> str:
    """A date and time in Beijing time: 12月3日 14:00, with the year when it is not this year."""
    if not when:
        return ""
    local = _local(when)
    clock = f" {local:%H:%M}" if isinstance(local, datetime) else ""
    return day(local, today=today, locale=locale) + clock


def quantity(amount: float | int | None, unit: str | None) -> str:
    """A material's amount with its unit (50 箱); a whole number shows no decimals."""
    if amount is None:
        return ""
    number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,g}"
    return f"{number} {unit}" if unit else number


def distance(km: float) -> str:
    """A distance as people read it: below a kilometre in 米 rounded to 10 m (430 米), else in 公里
    with one decimal (1.4 公里); halves round up, in integer metres (no second float rounding)."""
    metres = int(round(km * 1000))
    tens = (metres + 5) // 10 * 10
    if tens < 1000:
        return f"{tens} 米"
    hundreds = (metres + 50) // 100
    return f"{hundreds // 10}.{hundreds % 10} 公里"
