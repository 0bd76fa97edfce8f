"""Personal data at rest: key rotation, the migration that encrypts phones and chains the audit
trail, and concurrent writers appending to one audit chain."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from linkage.audit import AuditContext, verify_trail
from linkage.cli import main
from linkage.errors import Conflict
from linkage.migrate import downgrade, upgrade
from linkage.models import AuditEntry, Volunteer
from linkage.platform import build_platform
from linkage.security import FieldCipher
from linkage.services.communities import register_community
from linkage.services.providers import list_providers, register_provider
from tests.conftest import PG_ADMIN_URL, settings_for_tests
from tests.integration.api.conftest import ADMIN, community_body, valid_id_number, volunteer_body

INITIAL = "dd4d84d9b8f0"


def _platform(url: str, field_key: str, audited: bool = False):
    platform = build_platform(settings_for_tests(url, field_key=field_key))
    if audited:
        platform.audit_context = lambda: AuditContext(user_id=None, username="tester", role="admin",
                                                      action="test", request_id=uuid.uuid4().hex)
    return platform


def _rotate(url: str, keys: str):
    return CliRunner().invoke(main, ["keys", "rotate", "--batch-size", "2"],
                              env={"DATABASE_URL": url, "LINKAGE_FIELD_KEY": keys}, catch_exceptions=False)


def _register_volunteer(platform, serial: int, community_id: int):
    with platform.uow() as uow:
        return register_provider(uow, ADMIN, "volunteer", volunteer_body(serial, community_id), platform.cipher).id


def _found_by_phone(platform, phone: str) -> list[int]:
    with platform.read_session() as session:
        rows, _ = list_providers(session, ADMIN, "volunteer", filters={"phone": phone}, cipher=platform.cipher)
        return [v.id for v in rows]


def test_rotating_keys_moves_every_encrypted_field_to_the_newest_key(database_url):
    old = _platform(database_url, "key-A")
    with old.uow() as uow:
        community = register_community(uow, ADMIN, community_body()).id
    ids = [_register_volunteer(old, serial, community) for serial in (1, 2, 3)]
    old.dispose()

    # B is deployed in front of A: A's rows still open, and their digests still find and block.
    both = _platform(database_url, "key-B, key-A")
    assert _found_by_phone(both, "13800000002") == [ids[1]]
    with pytest.raises(Conflict):
        _register_volunteer(both, 1, community)
    both.dispose()

    first = _rotate(database_url, "key-B,key-A")
    assert first.exit_code == 0, first.output
    for field in ("volunteers.phone", "volunteers.id_number"):
        assert f"{field}: 3 fields, 3 re-encrypted, 3 re-digested, 0 unreadable" in first.output
    again = _rotate(database_url, "key-B,key-A")
    assert again.exit_code == 0 and again.output.count("3 fields, 0 re-encrypted, 0 re-digested") == 2

    new = _platform(database_url, "key-B")  # A retired: everything opens with B alone
    with new.read_session() as session:
        volunteers = session.scalars(sa.select(Volunteer).order_by(Volunteer.id)).all()
        assert [new.cipher.read(v, "phone") for v in volunteers] == ["13800000001", "13800000002", "13800000003"]
        assert [new.cipher.read(v, "id_number") for v in volunteers] == [valid_id_number(s) for s in (1, 2, 3)]
        assert all(FieldCipher("key-A").read(v, "phone") == "" for v in volunteers)
    assert _found_by_phone(new, "13800000003") == [ids[2]]
    with pytest.raises(Conflict):
        _register_volunteer(new, 2, community)
    new.dispose()

    lost = _rotate(database_url, "key-C")  # a key list that has lost the current key
    assert lost.exit_code == 1 and "3 unreadable" in lost.output


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request, tmp_path):
    """An empty database of its own (no migration yet), dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"linkage_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_the_migration_encrypts_plain_phones_and_chains_the_existing_audit_trail(unmigrated_url):
    url = unmigrated_url
    upgrade(url, revision=INITIAL)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    volunteers = sa.Table("volunteers", meta, autoload_with=engine)
    audit = sa.Table("audit_log", meta, autoload_with=engine)
    at = datetime(2026, 11, 1, 8, 30, 15, 123456)
    with engine.begin() as conn:
        conn.execute(volunteers.insert(), [
            dict(name=f"志愿者{i}", lat=39.0, lon=117.7, active=True, created_at=at, updated_at=at, code=f"V{i:08d}",
                 phone=f"1380000000{i}", id_number_cipher="x", id_number_digest=f"d{i}", skills=[],
                 travel_radius_km=3.0, availability=[]) for i in (1, 2)])
        conn.execute(audit.insert(), [
            dict(at=at, username="admin", role="admin", action="POST /api/v1/volunteers", object_type="volunteers",
                 object_id=str(i), change="insert", fields=["name", "phone"], remote_addr="127.0.0.1",
                 request_id=f"r{i}") for i in (1, 2, 3)])
    engine.dispose()

    upgrade(url, field_key="migration-key")
    platform = _platform(url, "migration-key", audited=True)
    with platform.read_session() as session:
        rows = session.scalars(sa.select(Volunteer).order_by(Volunteer.id)).all()
        assert [platform.cipher.read(v, "phone") for v in rows] == ["13800000001", "13800000002"]
        assert rows[0].phone_digest == platform.cipher.digest("13800000001")
        verdict = verify_trail(session)
        assert verdict["valid"] and verdict["entries"] == verdict["head_seq"] == 3
    with platform.uow() as uow:  # new entries continue the migrated chain
        register_community(uow, ADMIN, community_body())
        uow.commit()
    with platform.read_session() as session:
        verdict = verify_trail(session)
        assert verdict["valid"] and verdict["entries"] == 4
        assert session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == 4)).one().object_type == "communities"
    platform.dispose()

    downgrade(url, INITIAL, field_key="migration-key")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        phones = conn.execute(sa.text("SELECT phone FROM volunteers ORDER BY id")).scalars().all()
    engine.dispose()
    assert phones == ["13800000001", "13800000002"]


def test_concurrent_writers_leave_one_chain_that_verifies(database_url):
    """Writers append at once (each unit of work its own transaction and connection); the locked
    head makes them take turns, so no seq is taken twice and every link holds."""
    platform = _platform(database_url, "key-A", audited=True)
    writers, each = 6, 8
    start, errors = threading.Barrier(writers), []

    def write(worker: int) -> None:
        start.wait()
        for i in range(each):
            try:
                with platform.uow() as uow:
                    register_community(uow, ADMIN, community_body(code=f"9{worker:02d}{i:06d}"))
                    uow.commit()
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(exc))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with platform.read_session() as session:
        verdict = verify_trail(session)
        assert verdict["valid"], verdict
        assert verdict["entries"] == verdict["head_seq"] == writers * each
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == writers * each
    platform.dispose()
