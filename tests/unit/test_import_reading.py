"""The import reader's guards: encodings (UTF-8 with and without BOM, GBK/GB18030), not a
spreadsheet, zip bomb, wrong headers, too many rows (reading stops at the cap), formula cells."""

from __future__ import annotations

import io
import zipfile

import pytest

from linkage.errors import InvalidInput
from linkage.services.imports import reading
from linkage.services.imports.reading import open_table
from tests.imports_files import csv_bytes, xlsx

EXPECTED = ["姓名", "手机号", "身份证号", "技能"]
REQUIRED = ["姓名", "手机号"]


def _rows(body: bytes) -> list[list]:
    table = open_table(body, EXPECTED, REQUIRED)
    return [cells for _n, cells in table.rows]


def _refusal(body: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        _rows(body)
    assert "file" in refused.value.errors
    return refused.value.code


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_excel_in_china_writes(encoding):
    body = csv_bytes(["姓名*", "手机号*"], [["张三", "13800000000"], ["欧阳娜娜", "13900000000"]], encoding)
    assert _rows(body) == [["张三", "13800000000"], ["欧阳娜娜", "13900000000"]]


def test_xlsx_numbers_come_back_as_the_text_typed():
    assert _rows(xlsx(["姓名", "手机号", "技能"], [["张三", 13800000000, None]])) == [["张三", "13800000000", None]]


def test_blank_rows_are_skipped_and_row_numbers_kept():
    table = open_table(xlsx(["姓名", "手机号"], [["张三", "1"], [None, None], ["李四", "2"]]), EXPECTED, REQUIRED)
    assert [n for n, _ in table.rows] == [2, 4]


@pytest.mark.parametrize(
    "body",
    [
        b"%PDF-1.7\n\x00\x01binary",
        b"\xff\xfe\x00\x00\x00garbage\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls",
        b"   ",
    ],
)
def test_not_a_spreadsheet_is_refused_by_its_content(body):
    assert _refusal(body) in ("import.not_spreadsheet", "import.old_xls", "import.empty")


def test_a_zip_that_is_not_a_workbook_is_not_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert _refusal(out.getvalue()) == "import.not_spreadsheet"


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))  # 20 MB of zeros, ~20 KB packed
    assert _refusal(out.getvalue()) == "import.zip_bomb"


def test_wrong_headers_name_the_missing_and_the_unknown():
    with pytest.raises(InvalidInput) as refused:
        _rows(xlsx(["姓名", "电话号码"], [["张三", "1"]]))
    assert refused.value.code == "import.wrong_headers"
    assert refused.value.params == {"missing": "手机号", "unknown": "电话号码"}


def test_too_many_rows_stop_reading_at_the_cap(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 10)
    read = []

    def rows():
        yield 1, ["姓名", "手机号"]
        for n in range(2, 10_000):
            read.append(n)
            yield n, ["张三", str(n)]

    monkeypatch.setattr(reading, "_xlsx_rows", lambda body: rows())
    monkeypatch.setattr(reading, "check_zip", lambda body: None)
    monkeypatch.setattr(reading, "count_xlsx_rows", lambda body: 0)  # what the counting missed, the reader stops
    with pytest.raises(InvalidInput) as refused:
        list(open_table(b"PK\x03\x04", EXPECTED, REQUIRED).rows)
    assert refused.value.code == "import.too_many_rows" and refused.value.params == {"limit": 10}
    assert len(read) == 11  # the eleventh data row refused the file; no row after it was read


def test_too_large_a_file_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 100)
    assert _refusal(b"a" * 101) == "import.too_large"


def test_formula_cells_come_through_as_their_formula_text():
    """The reader keeps `=HYPERLINK(...)` as typed (not its cached value): the row check refuses it."""
    assert _rows(xlsx(["姓名", "手机号"], [['=HYPERLINK("http://evil","点我")', "1"]]))[0][0].startswith("=HYPERLINK")


def _never_read(monkeypatch):
    def fail(*_args):
        raise AssertionError("a row was read")

    monkeypatch.setattr(reading, "_xlsx_rows", fail)
    monkeypatch.setattr(reading, "_csv_rows", fail)


@pytest.mark.parametrize("make", [xlsx, csv_bytes])
def test_too_many_rows_are_counted_and_refused_before_any_row_is_read(monkeypatch, make):
    monkeypatch.setattr(reading, "MAX_ROWS", 100)
    body = make(["姓名", "手机号"], [["张三", str(n)] for n in range(101)])
    _never_read(monkeypatch)
    with pytest.raises(InvalidInput) as refused:
        open_table(body, EXPECTED, REQUIRED)
    assert refused.value.code == "import.too_many_rows" and refused.value.params == {"limit": 100}


@pytest.mark.parametrize("make", [xlsx, csv_bytes])
def test_the_count_skips_blank_rows_and_lets_the_cap_itself_through(monkeypatch, make):
    monkeypatch.setattr(reading, "MAX_ROWS", 100)
    rows = [["张三", str(n)] if n % 2 else [None, None] for n in range(200)]  # 100 rows, 100 blank
    assert len(_rows(make(["姓名", "手机号"], rows))) == 100


def test_counting_rows_finds_the_first_sheet_and_values_of_every_kind():
    body = xlsx(["姓名", "手机号"], [["张三", 1], [None, None], ['=A1&"x"', None], [None, 2.5]])
    assert reading.count_xlsx_rows(body) == 4  # the header, a text and a number, a formula, a number


def test_counting_stops_at_a_decompressed_budget_whatever_the_archive_declares(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1024 * 1024)
    stream = io.BytesIO(b"<row><c><v>1</v></c></row>" * 100_000)  # 2.6 MB of XML
    monkeypatch.setattr(reading, "MAX_ROWS", 10**9)
    with pytest.raises(InvalidInput) as refused:
        reading._count_rows(stream)
    assert refused.value.code == "import.zip_bomb"


def test_counting_rows_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(reading, "COUNT_CHUNK", 7)  # every tag is cut somewhere
    xml = (
        b"<sheetData>"
        + b"".join(b'<x:row r="%d"><x:c><x:v>%d</x:v></x:c></x:row><x:row/>' % (n, n) for n in range(50))
        + b"</sheetData>"
    )
    assert reading._count_rows(io.BytesIO(xml)) == 50


def test_a_damaged_sheet_is_not_a_spreadsheet_when_counting():
    good = xlsx(["姓名", "手机号"], [["张三", "1"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as damaged:
        for entry in source.infolist():
            data = source.read(entry.filename)
            damaged.writestr(entry.filename, data[: len(data) // 2] if "worksheets" in entry.filename else data)
    assert _refusal(out.getvalue()) == "import.not_spreadsheet"
