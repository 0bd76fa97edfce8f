"""Retention at the service: sent outbox rows and failed logins are deleted after their days, never what is unsent;
an import's uploaded file is cleared once left uncommitted past its hours."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from linkage.errors import Conflict
from linkage.models import ImportBatch, LoginFailure, OutboxEvent, utcnow
from linkage.services.imports.batches import commit_import, read_batch, run_preview, start_import
from linkage.services.retention import purge_database
from tests.imports_files import VOLUNTEER_HEADERS, volunteer_row, xlsx


def _count(read, model, *where):
    with read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_old_sent_rows_and_old_login_failures_go_unsent_and_newest_rows_stay(build, platform, read, act):
    now = utcnow()
    for _ in range(3):
        build.community()  # no events
    needs = [build.need(build.community()) for _ in range(3)]  # three linkage.needs rows
    with platform.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "linkage.needs")
                                        .order_by(OutboxEvent.id)))
        rows[0].sent_at = rows[1].sent_at = now - timedelta(days=40)  # old and sent
        uow.session.add_all([LoginFailure(username="x", remote_addr="10.0.0.1", at=now - timedelta(days=100)),
                             LoginFailure(username="x", remote_addr="10.0.0.1", at=now - timedelta(days=1))])
        uow.commit()
    unsent = _count(read, OutboxEvent, OutboxEvent.sent_at.is_(None))
    counts = act(purge_database, outbox_days=30, login_failure_days=90, now=now)
    # Of the two old sent rows, the newer stays: it is the newest sent row of its topic.
    assert counts == {"outbox": 1, "login_failures": 1, "import_uploads": 0}
    assert _count(read, OutboxEvent, OutboxEvent.sent_at.is_(None)) == unsent
    assert _count(read, OutboxEvent, OutboxEvent.key == str(needs[1].id)) == 1
    assert _count(read, LoginFailure) == 1


def test_nothing_young_enough_is_deleted(build, platform, read, act):
    build.need(build.community())
    with platform.write_sessions() as s:
        s.execute(update(OutboxEvent).values(sent_at=utcnow() - timedelta(days=2)))
        s.commit()
    before = _count(read, OutboxEvent)
    assert act(purge_database, outbox_days=30, login_failure_days=90) == {"outbox": 0, "login_failures": 0, "import_uploads": 0}
    assert _count(read, OutboxEvent) == before


def test_an_uncommitted_import_upload_is_cleared_after_its_hours(build, platform, read, act):
    community = build.community()
    staff = build.community_staff(community)
    body = xlsx(VOLUNTEER_HEADERS, [volunteer_row(n, community.name) for n in (1, 2)])
    old, young, done = (act(start_import, staff, "volunteer", "名册.xlsx", body) for _ in range(3))
    for batch in (old, young, done):
        run_preview(platform.read_sessions, platform.write_sessions, staff, batch.id, platform.cipher)
    act(commit_import, staff, done.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    with platform.write_sessions() as s:
        s.execute(update(ImportBatch).where(ImportBatch.id.in_([old.id, done.id]))
                  .values(created_at=utcnow() - timedelta(hours=25)))
        s.commit()
    counts = act(purge_database, outbox_days=30, login_failure_days=90, import_upload_hours=24)
    assert counts["import_uploads"] == 1
    with read() as s:
        cleared, kept, committed = (s.get(ImportBatch, b.id) for b in (old, young, done))
        assert cleared.content is None and cleared.status == "failed" and "24 小时" in cleared.message
        assert cleared.total_rows == 2  # what the preview found stays
        assert kept.content == body and kept.status == "ready"
        assert committed.status == "committed" and committed.committed_rows == 2
    with pytest.raises(Conflict):  # the cleared batch can no longer be committed
        act(commit_import, staff, old.id, platform.cipher, mode="valid_rows", paper_consents_held=True)
    with platform.read_session() as s:
        assert read_batch(s, staff, old.id).status == "failed"
