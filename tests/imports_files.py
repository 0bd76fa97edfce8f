"""Spreadsheets for the import tests and the benchmark: template-shaped xlsx and csv files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from tests.factories import valid_id_number, valid_uscc

VOLUNTEER_HEADERS = ["姓名*", "手机号*", "身份证号*", "所属社区", "技能"]
ORG_HEADERS = ["名称*", "统一社会信用代码*", "登记类型*", "服务类别", "纬度", "经度"]


def xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An xlsx as a user fills it (openpyxl's write-only workbook keeps 50,000 rows cheap)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("导入")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def volunteer_row(serial: int, community: str = "", name: str = "王芳") -> list[Any]:
    return [name, f"139{serial:08d}", valid_id_number(serial), community, "陪诊、助老"]


def bad_id_number(serial: int) -> str:
    """A valid number with its check character changed."""
    good = valid_id_number(serial)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def org_row(serial: int) -> list[Any]:
    return [f"导入测试社会组织{serial}", valid_uscc(serial), "登记", "养老", 39.03, 117.71]
