"""Spreadsheets written by the platform (exports, import templates and reports, 报表): xlsx through
openpyxl's write-only workbook, csv as UTF-8 with a BOM (Excel in China opens it as UTF-8), and
every text cell defused against formula injection (CSV injection) in this one place."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

# A text cell starting with one of these is read as a formula by Excel, WPS and LibreOffice (OWASP,
# "CSV Injection"); tab and carriage return hide the sign from a naive check.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


def safe_text(value: str) -> str:
    """`value` as a cell that shows the text and never runs: a leading formula sign gets a quote."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def cell_value(value: Any) -> Any:
    """A Python value as a cell: numbers, dates and booleans stay typed; text is defused; None is blank;
    lists are joined with the Chinese enumeration comma."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    if isinstance(value, list | tuple | set):
        return safe_text("、".join(str(item) for item in value))
    return safe_text(str(value))


@dataclass
class Sheet:
    """One worksheet: a title (≤ 31 characters), a header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)  # column widths in characters, optional
    # A last row a clerk can check: SUM in a column becomes =SUM(<first data row>:<last data row>) of
    # that column, a real formula; other values are cells as usual (a label, a figure that does not add up).
    totals: Sequence[Any] | None = None
    number_formats: Mapping[int, str] = field(default_factory=dict)  # column index -> Excel number format


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An xlsx workbook of `sheets`, streamed row by row (openpyxl's write-only mode keeps memory flat)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        for index, width in enumerate(sheet.widths):
            ws.column_dimensions[_column_letter(index)].width = width
        header = []
        for title in sheet.headers:
            cell = WriteOnlyCell(ws, value=xlsx_value(title))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for row in sheet.rows:
            ws.append(_formatted(ws, sheet, [xlsx_value(value) for value in row]))
            count += 1
        if sheet.totals is not None:
            totals = []
            for index, value in enumerate(sheet.totals):
                cell = WriteOnlyCell(ws, value=sum_formula(index, count) if value is SUM else xlsx_value(value))
                cell.font = bold
                totals.append(cell)
            ws.append(_formatted(ws, sheet, totals))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Sum:
    """The marker for a totals cell that sums its column (`Sheet.totals`)."""

    def __repr__(self) -> str:
        return "SUM"


SUM = _Sum()


def sum_formula(index: int, rows: int) -> str:
    """=SUM over column `index` (0-based) of `rows` data rows under one header row; 0 with no rows.
    Written by us, never from data: the one kind of cell that starts with "=" on purpose."""
    if rows == 0:
        return "=0"
    letter = _column_letter(index)
    return f"=SUM({letter}2:{letter}{rows + 1})"


def _formatted(ws: Any, sheet: Sheet, values: list[Any]) -> list[Any]:
    """The row's cells, those of a column with a number format as cells carrying it."""
    if not sheet.number_formats:
        return values
    cells = []
    for index, value in enumerate(values):
        if index in sheet.number_formats and not isinstance(value, Cell):
            value = WriteOnlyCell(ws, value=value)
        if isinstance(value, Cell) and index in sheet.number_formats:
            value.number_format = sheet.number_formats[index]
        cells.append(value)
    return cells


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A csv of one table, UTF-8 with a BOM, every text cell defused as in xlsx."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_value(title) for title in headers])
    for row in rows:
        writer.writerow([_csv_text(cell_value(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_value(value: Any) -> Any:
    """cell_value for an xlsx cell: the control characters XML 1.0 cannot carry (and openpyxl refuses,
    e.g. \x03 in a name typed or pasted anywhere) are dropped before the formula check, so dropping
    one never uncovers a formula sign; csv keeps them as they are."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, list | tuple | set):
        value = [ILLEGAL_CHARACTERS_RE.sub("", str(item)) for item in value]
    return cell_value(value)


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
