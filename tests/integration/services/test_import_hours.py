"""Hour records imported by the organizing organization (谁组织谁记录), on SQLite and PostgreSQL:
the template's round trip, each refusal with its reason, the good rows stored through the hours
service (pending honour hours on the chain, announced), another organization's activity refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from linkage import ledger
from linkage.clock import LOCAL_TZ
from linkage.errors import Forbidden, NotFound
from linkage.models import HourEntry, OutboxEvent, Volunteer
from linkage.services.hours import hour_kind, list_records
from linkage.services.imports.batches import (
    commit_import,
    read_batch,
    report_xlsx,
    run_preview,
    start_import,
    template_xlsx,
)
from tests.imports_files import xlsx

HEADERS = ["志愿者编号*", "活动编号*", "开始时间*", "结束时间*", "服务内容", "补录原因*"]


@pytest.fixture
def scene(build, read):
    mine, theirs = build.parties(project="in_progress"), build.parties(project="in_progress")
    activity = build.past_activity(mine["project"], ended_hours_ago=2, hours_long=3, slots=20)
    other = build.past_activity(theirs["project"], ended_hours_ago=30, hours_long=3, slots=20)
    people = [build.volunteer(mine["community"]) for _ in range(6)]
    for volunteer in people[:5]:
        build.signup(activity, volunteer)
    build.signup(other, people[0])
    recorded = build.hour_record(activity, people[5], minutes=60)  # already recorded: a duplicate
    with read() as s:
        codes = [s.get(Volunteer, v.id).code for v in people]
        start = s.get(type(activity), activity.id).starts_at.astimezone(LOCAL_TZ)
    return {
        **mine,
        "activity": activity,
        "other": other,
        "people": people,
        "codes": codes,
        "start": start,
        "recorded": recorded,
        "other_staff": theirs["org_staff"],
    }


def _at(scene, minutes):
    return (scene["start"] + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def _rows(scene):
    codes, act, other = scene["codes"], scene["activity"].id, scene["other"].id
    return [
        [codes[0], act, _at(scene, 1), _at(scene, 61), "陪伴老人读报", "纸质签到表补录"],  # good
        [codes[1], act, _at(scene, 1), _at(scene, 121), "", "纸质签到表补录"],  # good
        ["V-NOPE", act, _at(scene, 1), _at(scene, 61), "", "纸质签到表补录"],  # unknown volunteer
        [codes[0], other, _at(scene, 1), _at(scene, 61), "", "纸质签到表补录"],  # another's activity
        [codes[2], act, _at(scene, -24 * 60), _at(scene, -23 * 60), "", "纸质签到表补录"],  # outside
        [codes[3], act, _at(scene, 1), _at(scene, 61), "", ""],  # no reason
        [codes[5], act, _at(scene, 1), _at(scene, 61), "", "纸质签到表补录"],  # duplicate
        [codes[0], act, _at(scene, 100), _at(scene, 130), "", "纸质签到表补录"],  # twice in the file
        [codes[4], act, _at(scene, 1), _at(scene, 61), '=HYPERLINK("x")', "纸质签到表补录"],  # formula
    ]


def _previewed(platform, act, actor, body):
    batch = act(start_import, actor, "hours", "时长.xlsx", body)
    run_preview(platform.read_sessions, platform.write_sessions, actor, batch.id, platform.cipher)
    with platform.read_session() as s:
        return read_batch(s, actor, batch.id)


def test_template_round_trip(platform, act, scene):
    template = template_xlsx("hours")
    sheet = load_workbook(__import__("io").BytesIO(template), read_only=True).active
    headers, sample = list(sheet.iter_rows(values_only=True))
    assert list(headers) == HEADERS and sample[0] == "V00000000"
    batch = _previewed(platform, act, scene["org_staff"], template)  # the template itself reads back
    assert (batch.status, batch.total_rows, batch.error_rows) == ("ready", 1, 1)
    assert batch.problems[0]["column"] == "志愿者编号"  # the sample's volunteer is unknown here


def test_rows_refused_with_reasons_and_the_good_ones_stored_as_hours(platform, act, read, scene):
    staff = scene["org_staff"]
    batch = _previewed(platform, act, staff, xlsx(HEADERS, _rows(scene)))
    assert (batch.total_rows, batch.valid_rows, batch.error_rows, batch.duplicate_rows) == (9, 3, 6, 1)
    found = {(p["row"], p["column"]): p["message"] for p in batch.problems}
    assert "找不到编号为“V-NOPE”的志愿者" in found[(4, "志愿者编号")]
    assert "找不到编号为" in found[(5, "活动编号")]  # another organization's activity: as unknown
    assert (6, "开始时间") in found
    assert (7, "补录原因") in found
    assert "第 2 行" in found[(9, "活动编号")]
    assert "公式" in found[(10, "服务内容")]
    with read() as s:
        before = s.scalar(select(func.count()).select_from(HourEntry))
        events = s.scalar(select(func.count()).select_from(OutboxEvent))
    with pytest.raises(NotFound):  # another organization's staff do not see the batch
        act(commit_import, scene["other_staff"], batch.id, platform.cipher, mode="valid_rows")
    done = act(commit_import, staff, batch.id, platform.cipher, mode="valid_rows", update_existing=True)
    assert done.committed_rows == 2
    outcomes = {row: (outcome, ident) for row, outcome, ident, _ in done.outcomes}
    assert outcomes[8] == ("duplicate", scene["recorded"].id)  # reported, never changed
    with read() as s:
        assert s.scalar(select(func.count()).select_from(HourEntry)) == before + 2
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) >= events + 2
        records, total = list_records(s, staff)  # what GET /api/v1/hours answers the organization
        made = {r["id"]: r for r in records}
        for row in (2, 3):
            record = made[outcomes[row][1]]
            assert (record["status"], record["source"], record["reason"]) == ("pending", "org_entry", "纸质签到表补录")
            assert hour_kind(s.get(HourEntry, record["id"])) == "honour"
        assert made[outcomes[2][1]]["minutes"] == 60 and made[outcomes[2][1]]["content"] == "陪伴老人读报"
        assert made[outcomes[3][1]]["content"] == "周六陪诊"  # no content: the activity's title, as a form
        assert ledger.verify(s, ledger.Chain(HourEntry, scene["people"][0].id)).valid
    report = load_workbook(__import__("io").BytesIO(report_xlsx(done)), read_only=True)["导入结果"]
    assert [r[1] for r in list(report.iter_rows(values_only=True))[1:3]] == ["已新增", "已新增"]


def test_all_or_nothing_stores_no_hours(platform, act, read, scene):
    batch = _previewed(platform, act, scene["org_staff"], xlsx(HEADERS, _rows(scene)))
    with read() as s:
        before = s.scalar(select(func.count()).select_from(HourEntry))
    done = act(commit_import, scene["org_staff"], batch.id, platform.cipher, mode="all_or_nothing")
    assert done.committed_rows == 0
    with read() as s:
        assert s.scalar(select(func.count()).select_from(HourEntry)) == before


def test_who_may_import_hours(platform, act, build, scene):
    body = xlsx(HEADERS, _rows(scene)[1:2])  # a volunteer only my organization knows
    with pytest.raises(Forbidden):
        act(start_import, scene["community_staff"], "hours", "时长.xlsx", body)
    theirs = _previewed(platform, act, scene["other_staff"], body)  # my activity is not theirs
    assert (theirs.valid_rows, theirs.error_rows) == (0, 1)
    assert {p["column"] for p in theirs.problems} == {"志愿者编号", "活动编号"}  # my volunteer unseen too
    district = _previewed(platform, act, build.admin(), body)
    assert (district.valid_rows, district.error_rows) == (1, 0)
