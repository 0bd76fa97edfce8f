"""A report's period in China's time, and the workbook's totals row: real =SUM formulas, data still defused."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest

from linkage.errors import InvalidInput
from linkage.services.periods import parse_period
from linkage.spreadsheets import SUM, Sheet, write_csv, write_xlsx


def test_a_month_and_a_year_run_from_midnight_in_beijing():
    assert parse_period("2026-11").window == (
        datetime(2026, 10, 31, 16, tzinfo=timezone.utc),
        datetime(2026, 11, 30, 16, tzinfo=timezone.utc),
    )
    assert parse_period("2026-12").window[1] == datetime(2026, 12, 31, 16, tzinfo=timezone.utc)
    assert parse_period("2026").window == (
        datetime(2025, 12, 31, 16, tzinfo=timezone.utc),
        datetime(2026, 12, 31, 16, tzinfo=timezone.utc),
    )
    assert [p.label for p in parse_period("2026").months()][::11] == ["2026-01", "2026-12"]
    trailing = [p.label for p in parse_period("2026-02").trailing_months()]
    assert trailing[0] == "2025-03" and trailing[-1] == "2026-02" and len(trailing) == 12
    assert parse_period("2026-11").title == "2026年11月" and parse_period("2026").title == "2026年"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "202611", "2026/11", "１９９９", "2026-11 ", "2026-11\n", ""]
)
def test_anything_else_is_refused_naming_the_period(text):
    with pytest.raises(InvalidInput) as refused:
        parse_period(text)
    assert list(refused.value.errors) == ["period"]


def test_the_totals_row_is_a_formula_and_a_formula_in_the_data_is_still_text():
    sheet = Sheet(
        "需求分类",
        ("类别", "数量", "备注"),
        [("养老", 3, '=HYPERLINK("http://x")'), ("=1+1", 4, "@SUM(A1)"), ("助残", 5, "")],
        totals=("合计", SUM, "-"),
        number_formats={1: "0"},
    )
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))
    rows = list(book["需求分类"].iter_rows(values_only=True))
    assert rows[-1] == ("合计", "=SUM(B2:B4)", "'-")
    assert rows[1][2] == '\'=HYPERLINK("http://x")' and rows[2][0] == "'=1+1" and rows[2][2] == "'@SUM(A1)"
    assert book["需求分类"]["B5"].data_type == "f"  # a formula cell, not text
    assert book["需求分类"]["A3"].data_type == "s"
    empty = Sheet("空", ("类别", "数量"), [], totals=("合计", SUM))
    assert list(openpyxl.load_workbook(io.BytesIO(write_xlsx([empty])))["空"].iter_rows(values_only=True))[-1] == (
        "合计",
        "=0",
    )


def test_a_sheet_without_totals_is_written_as_before():
    plain = Sheet("名册", ("姓名",), [("=cmd",)])
    rows = list(openpyxl.load_workbook(io.BytesIO(write_xlsx([plain])))["名册"].iter_rows(values_only=True))
    assert rows == [("姓名",), ("'=cmd",)]
    assert write_csv(("姓名",), [("=cmd",)]).decode("utf-8-sig").splitlines() == ["姓名", "'=cmd"]
