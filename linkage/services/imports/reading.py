"""Reading an uploaded spreadsheet row by row (.xlsx through openpyxl's read-only mode, .csv in UTF-8
or GBK/GB18030), with the guards that refuse a file before anything is stored: size, not a
spreadsheet, zip bomb, wrong headers, too many rows."""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from linkage.errors import InvalidInput, Message

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # an upload larger than this is refused before it is read
MAX_ROWS = 20_000  # data rows in one file; more must be split (memory and the 20 s budget)
# A zip bomb: an xlsx whose parts unpack far beyond what a spreadsheet of MAX_ROWS needs.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed for the whole archive; real xlsx files stay well under 20
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
COUNT_CHUNK = 256 * 1024  # decompressed bytes of the sheet's XML scanned at a time when counting rows
# A <row> element's start, and a cell value inside one (<v>, <is> for an inline string, <f> for a formula), with or
# without a namespace prefix (x:row): what counting the rows looks for, without building any cell.
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)[\s>]")
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class Table:
    """A file's header row and an iterator over its data rows (text cells, None for blank)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


def refuse(code: str, **params: Any) -> InvalidInput:
    """A refusal of the whole file, on its `file` field (DESIGN §7)."""
    return InvalidInput(code, {"file": [Message(code, **params)]}, **params)


def file_format(body: bytes) -> str:
    """'xlsx' or 'csv' by the content (never the file name), or a refusal."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise refuse("import.too_large", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    if not body.strip():
        raise refuse("import.empty")
    if body[:4] == b"PK\x03\x04":
        return "xlsx"
    if body[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: the old .xls
        raise refuse("import.old_xls")
    if b"\x00" in body[:4096] or decode_text(body) is None:
        raise refuse("import.not_spreadsheet")
    return "csv"


def decode_text(body: bytes) -> str | None:
    """A csv's text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel in
    China writes); None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def check_zip(body: bytes) -> None:
    """Inspect the archive's declared sizes before openpyxl unpacks anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise refuse("import.not_spreadsheet") from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if not all(part in names for part in XLSX_PARTS):
            raise refuse("import.not_spreadsheet")
        unpacked = sum(entry.file_size for entry in entries)
        packed = max(1, sum(entry.compress_size for entry in entries))
        if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
            raise refuse("import.zip_bomb")


def open_table(body: bytes, expected: Sequence[str], required: Sequence[str]) -> Table:
    """The file's table, its headers checked against `expected` (all known) and `required` (all present)."""
    kind = file_format(body)
    if kind == "xlsx":
        check_zip(body)
        counted = count_xlsx_rows(body)
    else:
        counted = count_csv_rows(decode_text(body) or "")
    if counted > MAX_ROWS + 1:  # the header and MAX_ROWS data rows: more is refused before any row is read
        raise refuse("import.too_many_rows", limit=MAX_ROWS)
    raw = _xlsx_rows(body) if kind == "xlsx" else _csv_rows(decode_text(body) or "")
    header_row = next(raw, None)
    if header_row is None:
        raise refuse("import.empty")
    headers = [_header(cell) for cell in header_row[1]]
    while headers and not headers[-1]:
        headers.pop()
    unknown = [h for h in headers if h and h.rstrip("*") not in expected]
    missing = [h for h in required if h not in {x.rstrip("*") for x in headers}]
    if unknown or missing:
        raise refuse("import.wrong_headers", missing="、".join(missing) or "无", unknown="、".join(unknown) or "无")
    return Table([h.rstrip("*") for h in headers], _capped(raw, len(headers)))


def count_xlsx_rows(body: bytes) -> int:
    """The first worksheet's rows with a value (header included), counted in its XML streamed out of
    the zip a chunk at a time: no cell is built, decompression stops at MAX_UNPACKED_BYTES (whatever
    the archive declares) and counting stops once it passes MAX_ROWS + 1. A few rows counted here may
    still be blank to the reader (a value of spaces only): the count is an upper bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            part = _first_sheet(archive)
            if part is None:
                return 0  # openpyxl refuses a workbook without a sheet
            with archive.open(part) as stream:
                return _count_rows(stream)
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
        ElementTree.ParseError,
    ):  # damaged, encrypted, an unknown compression
        raise refuse("import.not_spreadsheet") from None


def _count_rows(stream: io.BufferedIOBase | Any) -> int:
    count, unpacked, carry = 0, 0, b""
    while True:
        chunk = stream.read(COUNT_CHUNK)
        unpacked += len(chunk)
        if unpacked > MAX_UNPACKED_BYTES:
            raise refuse("import.zip_bomb")
        data = carry + chunk
        starts = [m.start() for m in _ROW_START.finditer(data)]
        if not chunk:  # the end: the last row runs to the end of the text
            starts.append(len(data))
        # Each complete row runs from one start to the next; the last (maybe cut) one waits for more.
        for begin, end in zip(starts, starts[1:], strict=False):
            if _VALUE.search(data, begin, end):
                count += 1
        if count > MAX_ROWS + 1 or not chunk:
            return count
        carry = data[starts[-1] :] if starts else data[-64:]


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet (the one openpyxl reads as worksheets[0])."""
    names = set(archive.namelist())
    sheets = ElementTree.fromstring(archive.read("xl/workbook.xml")).iter()
    first = next((e.get(_OFFICE_REL) for e in sheets if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if first is not None and "xl/_rels/workbook.xml.rels" in names:
        for rel in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter():
            if rel.get("Id") == first and rel.get("Target"):
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                if part in names:
                    return part
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else None


def count_csv_rows(text: str) -> int:
    """A csv's records with a value (header included), stopping once past MAX_ROWS + 1; no checks."""
    count = 0
    try:
        for record in csv.reader(io.StringIO(text)):
            if any(cell.strip() for cell in record):
                count += 1
                if count > MAX_ROWS + 1:
                    break
    except csv.Error:
        raise refuse("import.not_spreadsheet") from None
    return count


def _header(cell: Any) -> str:
    return str(cell).strip() if cell is not None else ""


def _capped(raw: Iterator[tuple[int, list[Any]]], width: int) -> Iterator[tuple[int, list[Any]]]:
    """Data rows without the blank ones; the (MAX_ROWS + 1)th row refuses the file, reading stops there."""
    count = 0
    for number, cells in raw:
        values = [_cell_text(value) for value in cells[:width]]
        if not any(v not in (None, "") for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise refuse("import.too_many_rows", limit=MAX_ROWS)
        yield number, values + [None] * (width - len(values))


def _cell_text(value: Any) -> Any:
    """A cell as text for the schema: whole floats lose their '.0', dates their time."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text if text else None


class _UnsizedSheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """openpyxl's read-only sheet without its size scan: a sheet with no <dimension> (openpyxl's own
    write-only files, many exports) would be parsed through once more just to size it. Rows then
    come unpadded, as after openpyxl's documented reset_dimensions(); `_capped` pads them."""

    def _get_size(self) -> None:
        pass


class _FirstSheetReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's read-only workbook reader, set up with the first worksheet only (the one imported)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)
                return


def _xlsx_rows(body: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        reader = _FirstSheetReader(io.BytesIO(body), read_only=True, data_only=False, keep_links=False)
        reader.read()
        book = reader.wb
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a damaged file  # noqa: BLE001
        raise refuse("import.not_spreadsheet") from None
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError):
        raise refuse("import.not_spreadsheet") from None  # a sheet damaged past its first rows
    finally:
        book.close()


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        for number, row in enumerate(reader, start=1):
            yield number, list(row)
    except csv.Error:
        raise refuse("import.not_spreadsheet") from None
