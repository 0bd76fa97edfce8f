"""Imports at the service, on SQLite and PostgreSQL: preview findings, all-or-nothing against valid
rows, duplicates reported or updated, whose batch is whose, one audit entry, the outbox events."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import AuditEntry, ImportBatch, Organization, OutboxEvent, Volunteer
from linkage.services.imports.batches import commit_import, read_batch, report_xlsx, run_preview, start_import
from tests.imports_files import ORG_HEADERS, VOLUNTEER_HEADERS, bad_id_number, csv_bytes, org_row, volunteer_row, xlsx


@pytest.fixture
def scene(build):
    community = build.community()
    return {"community": community, "staff": build.community_staff(community)}


def _previewed(platform, act, actor, kind, body):
    batch = act(start_import, actor, kind, "名册.xlsx", body)
    run_preview(platform.read_sessions, platform.write_sessions, actor, batch.id, platform.cipher)
    with platform.read_session() as s:
        return read_batch(s, actor, batch.id)


def _count(read, model):
    with read() as s:
        return s.scalar(select(func.count()).select_from(model))


def _three_rows(community_name):
    rows = [volunteer_row(1, community_name), volunteer_row(2, community_name), volunteer_row(3, community_name)]
    rows[1][2] = bad_id_number(2)
    return rows


def test_preview_names_the_bad_row_and_stores_nothing(platform, act, read, scene):
    before = _count(read, Volunteer)
    batch = _previewed(
        platform, act, scene["staff"], "volunteer", xlsx(VOLUNTEER_HEADERS, _three_rows(scene["community"].name))
    )
    assert (batch.status, batch.total_rows, batch.valid_rows, batch.error_rows) == ("ready", 3, 2, 1)
    assert batch.problems[0]["row"] == 3 and batch.problems[0]["column"] == "身份证号"
    assert "校验" in batch.problems[0]["message"]
    assert _count(read, Volunteer) == before


@pytest.mark.parametrize("mode, stored", [("all_or_nothing", 0), ("valid_rows", 2)])
def test_all_or_nothing_or_the_valid_rows(platform, act, read, scene, mode, stored):
    batch = _previewed(
        platform, act, scene["staff"], "volunteer", xlsx(VOLUNTEER_HEADERS, _three_rows(scene["community"].name))
    )
    before = _count(read, Volunteer)
    done = act(commit_import, scene["staff"], batch.id, platform.cipher, mode=mode, paper_consents_held=True)
    assert done.committed_rows == stored and _count(read, Volunteer) == before + stored
    outcomes = {row: outcome for row, outcome, _id, _msg in done.outcomes}
    assert outcomes[3] == "invalid"
    assert outcomes[2] == ("created" if stored else "skipped")
    book = load_workbook(__import__("io").BytesIO(report_xlsx(done)), read_only=True)
    assert [r[1] for r in book["导入结果"].iter_rows(min_row=2, values_only=True)][1] == "有错误，未导入"


def test_imported_volunteers_reach_the_matcher_and_the_batch_is_audited_once(platform, act, read, scene):
    rows = [volunteer_row(n) for n in range(10, 15)]
    batch = _previewed(platform, act, scene["staff"], "volunteer", xlsx(VOLUNTEER_HEADERS, rows))
    with read() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    platform.audit_context = lambda: __import__("linkage.audit", fromlist=["AuditContext"]).AuditContext(
        user_id=scene["staff"].user_id, username="staff", role="community_staff", action="POST /imports/1/commit"
    )
    done = act(commit_import, scene["staff"], batch.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    with read() as s:
        ids = [o[2] for o in done.outcomes]
        vols = s.scalars(select(Volunteer).where(Volunteer.id.in_(ids))).all()
        assert {v.community_id for v in vols} == {scene["community"].id}  # the staff's community by default
        keys = set(s.scalars(select(OutboxEvent.key).where(OutboxEvent.type == "linkage.provider.upserted.v1")))
        assert {f"volunteer:{i}" for i in ids} <= keys
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(audit_before)).all()
        assert [(e.object_type, e.change) for e in entries] == [("import_batches", "update")]
        assert "5 行" in entries[0].reason


def test_duplicates_reported_then_updated_when_asked(platform, act, read, build):
    admin = build.admin()
    first = _previewed(platform, act, admin, "organization", xlsx(ORG_HEADERS, [org_row(501)]))
    assert first.problems == [] and first.valid_rows == 1
    act(commit_import, admin, first.id, platform.cipher, mode="valid_rows")
    changed = org_row(501)
    changed[0] = "改名后的社会组织"
    again = _previewed(platform, act, admin, "organization", xlsx(ORG_HEADERS, [changed]))
    assert again.duplicate_rows == 1
    kept = act(commit_import, admin, again.id, platform.cipher, mode="valid_rows")
    assert kept.outcomes[0][1] == "duplicate"
    third = _previewed(platform, act, admin, "organization", xlsx(ORG_HEADERS, [changed]))
    updated = act(commit_import, admin, third.id, platform.cipher, mode="valid_rows", update_existing=True)
    assert updated.outcomes[0][1] == "updated"
    with read() as s:
        assert s.scalars(select(Organization.name).where(Organization.uscc == changed[1])).all() == ["改名后的社会组织"]


def test_a_row_twice_in_the_file_is_an_error(platform, act, build):
    admin = build.admin()
    batch = _previewed(platform, act, admin, "organization", xlsx(ORG_HEADERS, [org_row(7), org_row(7)]))
    assert batch.error_rows == 1 and "第 2 行" in batch.problems[0]["message"]


def test_another_community_is_refused_per_row_and_anothers_batch_is_a_404(platform, act, read, build, scene):
    other = build.community()
    batch = _previewed(
        platform,
        act,
        scene["staff"],
        "volunteer",
        xlsx(VOLUNTEER_HEADERS, [volunteer_row(30, other.name), volunteer_row(31)]),
    )
    done = act(commit_import, scene["staff"], batch.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    assert [o[1] for o in done.outcomes] == ["invalid", "created"]
    stranger = build.community_staff(other)
    with read() as s, pytest.raises(NotFound):
        read_batch(s, stranger, batch.id)
    with read() as s:
        assert read_batch(s, build.admin(), batch.id).id == batch.id


def test_who_may_import_what_and_consent_is_confirmed(platform, act, read, build, scene):
    org = build.organization()
    with pytest.raises(Forbidden):
        act(start_import, build.org_staff(org), "volunteer", "x.xlsx", xlsx(VOLUNTEER_HEADERS, [volunteer_row(40)]))
    with pytest.raises(Forbidden):
        act(start_import, scene["staff"], "organization", "x.xlsx", xlsx(ORG_HEADERS, [org_row(40)]))
    batch = _previewed(platform, act, scene["staff"], "volunteer", xlsx(VOLUNTEER_HEADERS, [volunteer_row(41)]))
    with pytest.raises(InvalidInput):
        act(commit_import, scene["staff"], batch.id, platform.cipher, mode="valid_rows")
    with read() as s:
        assert s.get(ImportBatch, batch.id).status == "ready"


def test_a_refused_file_stores_no_batch(platform, act, read, scene):
    with pytest.raises(InvalidInput) as refused:
        act(start_import, scene["staff"], "volunteer", "x.xlsx", xlsx(["名字", "电话"], [["张三", "1"]]))
    assert refused.value.code == "import.wrong_headers"
    assert _count(read, ImportBatch) == 0


def test_a_formula_in_a_name_is_a_row_error(platform, act, scene):
    rows = [
        volunteer_row(60),
        volunteer_row(61, name='=HYPERLINK("http://evil.example","点我")'),
        volunteer_row(62, name="@SUM(A1)"),
    ]
    batch = _previewed(platform, act, scene["staff"], "volunteer", xlsx(VOLUNTEER_HEADERS, rows))
    assert (batch.valid_rows, batch.error_rows) == (1, 2)
    assert {p["row"] for p in batch.problems} == {3, 4}
    assert all(p["column"] == "姓名" and "公式" in p["message"] for p in batch.problems)


def test_a_community_name_gives_the_coordinates(platform, act, build):
    community = build.community(lat=39.5, lon=117.5)
    admin = build.admin()
    batch = _previewed(
        platform,
        act,
        admin,
        "volunteer",
        xlsx(VOLUNTEER_HEADERS, [volunteer_row(70, community.name), volunteer_row(71, "没有这个社区")]),
    )
    assert batch.valid_rows == 1 and "没有这个社区" in batch.problems[0]["message"]
    done = act(commit_import, admin, batch.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    with platform.read_session() as s:
        vol = s.get(Volunteer, done.outcomes[0][2])
        assert (vol.lat, vol.lon, vol.community_id) == (39.5, 117.5, community.id)


def test_a_batch_whose_check_stopped_is_shown_failed(platform, act, read, scene):
    """A restart kills the preview's thread: its heartbeat stops, and the batch reads as failed."""
    from datetime import timedelta

    from sqlalchemy import update

    from linkage.models import utcnow

    batch = act(start_import, scene["staff"], "volunteer", "x.xlsx", xlsx(VOLUNTEER_HEADERS, [volunteer_row(80)]))
    with read() as s:
        assert read_batch(s, scene["staff"], batch.id).status == "running"
    with platform.write_sessions() as s:
        s.execute(
            update(ImportBatch).where(ImportBatch.id == batch.id).values(touched_at=utcnow() - timedelta(minutes=3))
        )
        s.commit()
    with read() as s:
        stopped = read_batch(s, scene["staff"], batch.id)
        assert stopped.status == "failed" and "重启" in stopped.message
    with pytest.raises(Conflict) as refused:
        act(commit_import, scene["staff"], batch.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    assert refused.value.code == "import.not_ready"


@pytest.mark.parametrize("make", [xlsx, csv_bytes])
def test_a_file_over_the_row_cap_is_refused_at_upload_and_stores_nothing(platform, act, read, scene, monkeypatch, make):
    from linkage.services.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    monkeypatch.setattr(reading, "_xlsx_rows", lambda body: pytest.fail("a row was read"))
    monkeypatch.setattr(reading, "_csv_rows", lambda text: pytest.fail("a row was read"))
    before = _count(read, ImportBatch)
    with pytest.raises(InvalidInput) as refused:
        act(
            start_import,
            scene["staff"],
            "volunteer",
            "名册.xlsx",
            make(VOLUNTEER_HEADERS, [volunteer_row(n) for n in range(51)]),
        )
    assert refused.value.code == "import.too_many_rows" and "file" in refused.value.errors
    assert _count(read, ImportBatch) == before and _count(read, Volunteer) == 0
