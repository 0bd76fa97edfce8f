"""The import story in headless Chromium at a phone's width: community staff download the volunteer
template, fill three rows with openpyxl (one with a wrong ID check digit), upload it, watch the
check's progress, see the preview with the bad row's reason, commit the two good rows (confirming
the paper consents), read the outcome of each row in the report, find one of them on 志愿者名册 by
typing its pinyin initials, and export that list as xlsx and read it back (issue 19's acceptance)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import OUTPUT
from tests.e2e.people import Person
from tests.factories import valid_id_number
from tests.imports_files import bad_id_number

pytestmark = [pytest.mark.timeout(180)]
NAMES = ("欧阳晓雪", "司马文静", "诸葛明亮")  # the second has the bad ID number


@dataclass
class ImportStory:
    """What the story made, for the steps that follow it."""

    staff: Person
    batch_path: str = ""
    created: list[str] = field(default_factory=list)  # names of the volunteers imported


def _download(person: Person, selector: str, name: str) -> Path:
    """Focus the link and press Enter, as a person does; the file is kept under test-output."""
    person.page.locator(selector).focus()
    with person.page.expect_download() as download:
        person.page.keyboard.press("Enter")
    path = OUTPUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    download.value.save_as(str(path))
    return path


def _fill(template: Path) -> Path:
    """The template with its sample row replaced by three volunteers of the staff's community."""
    book = load_workbook(template)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for i, name in enumerate(NAMES):
        number = valid_id_number(11_900 + i) if i != 1 else bad_id_number(11_900 + i)
        values = {"姓名*": name, "手机号*": f"1391190{i:04d}", "身份证号*": number, "技能": "陪诊、助老"}
        sheet.append([values.get(h, None) for h in headers])
    filled = template.with_name("志愿者名册-已填写.xlsx")
    book.save(filled)
    return filled


def run_import_story(live, browser, shots) -> ImportStory:
    staff = Person(browser, live)
    staff.log_in("shequ")  # the demo community's staff
    story = ImportStory(staff)
    page = staff.go("/imports")
    shots(page, "import-list")

    template = _download(staff, "#template-volunteer", "志愿者导入模板.xlsx")
    headers = next(load_workbook(template, read_only=True).active.iter_rows(values_only=True))
    assert headers[:3] == ("姓名*", "手机号*", "身份证号*"), headers
    filled = _fill(template)

    page.select_option("#f-kind", "volunteer")
    page.set_input_files("#f-file", str(filled))
    staff.press("#import-form button[type=submit]")
    story.batch_path = page.url.removeprefix(live.base_url)
    assert story.batch_path.startswith("/imports/"), page.url
    shots(page, "import-checking")
    page.wait_for_selector("#import-counts", timeout=60_000)  # the progress script reloads when done
    assert staff.text("#count-valid") == "2" and staff.text("#count-errors") == "1"
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 1
    row = problems.first.inner_text()
    assert "3" in row and "身份证号" in row and "校验" in row, row
    shots(page, "import-preview")

    box = page.locator("#f-paper_consents_held")
    box.focus()
    page.keyboard.press("Space")
    staff.press("#commit")
    page.wait_for_selector("#count-committed")
    assert staff.text("#count-committed") == "2"
    shots(page, "import-committed")

    report = _download(staff, "#report-link", "导入结果.xlsx")
    rows = list(
        load_workbook(io.BytesIO(report.read_bytes()), read_only=True)["导入结果"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert [(r[0], r[1]) for r in rows] == [(2, "已新增"), (3, "有错误，未导入"), (4, "已新增")], rows
    story.created = [NAMES[0], NAMES[2]]
    return story


def find_and_export(story: ImportStory, shots) -> list[tuple]:
    """On 志愿者名册, type the first imported volunteer's pinyin initials in the search box, see them
    (and not the other one), then export what the page shows as xlsx and read the file back."""
    staff, page = story.staff, story.staff.go("/volunteers")
    page.fill("#q", "oyxx")  # 欧阳晓雪: Ou-Yang Xiao-Xue
    staff.press("#q")
    page.wait_for_url("**/volunteers?q=oyxx**")
    names = [n.strip() for n in page.locator(".cards .card-title").all_inner_texts()]
    assert names == ["欧阳晓雪"], names
    shown_phone = page.locator(".cards .card .meta").first.inner_text()
    assert "139****0000" in shown_phone, shown_phone  # masked on screen
    shots(page, "import-found-by-initials")
    exported = _download(staff, ".export-links a[href*='format=xlsx']", "志愿者名册-oyxx.xlsx")
    sheet = load_workbook(io.BytesIO(exported.read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_community_staff_import_volunteers_from_a_spreadsheet(live, browser, shots):
    story = run_import_story(live, browser, shots)
    assert story.created == ["欧阳晓雪", "诸葛明亮"]
    exported = find_and_export(story, shots)
    # The file holds what the page showed: the one match, its phone masked as on screen.
    assert [(r["姓名"], r["手机号"]) for r in exported] == [("欧阳晓雪", "139****0000")], exported
    assert exported[0]["身份证号"].count("*") >= 8, exported  # the ID number never leaves whole
    story.staff.close()
