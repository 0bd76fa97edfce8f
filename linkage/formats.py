"""How quantities read to people: money in yuan, one home for each unit's format (pages, PDFs, messages)."""

from __future__ import annotations


def yuan(fen: int | None, *, sign: bool = True) -> str:
    """Integer fen as ¥1,600.00 for people, exactly (integer arithmetic, never a float);
    `sign=False` drops the ¥ for a table column that already says 元."""
    fen = int(fen or 0)
    minus, fen = ("-" if fen < 0 else ""), abs(fen)
    return f"{minus}{'¥' if sign else ''}{fen // 100:,}.{fen % 100:02d}"


def hours(minutes: int | None) -> str:
    """Minutes as hours for people, one decimal, half up, with the unit: 150 → "2.5 小时" (integer arithmetic)."""
    tenths = (int(minutes or 0) * 10 + 30) // 60
    return f"{tenths // 10}.{tenths % 10} 小时"


def distance(km: float) -> str:
    """A distance as people read it: below a kilometre in 米 rounded to 10 m (430 米), else in 公里
    with one decimal (1.4 公里); halves round up, in integer metres (no second float rounding)."""
    metres = int(round(km * 1000))
    tens = (metres + 5) // 10 * 10
    if tens < 1000:
        return f"{tens} 米"
    hundreds = (metres + 50) // 100
    return f"{hundreds // 10}.{hundreds % 10} 公里"
