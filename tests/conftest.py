"""Shared fixtures: real databases (SQLite file, PostgreSQL on 127.0.0.1:5432), app, logged-in clients."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from linkage.config import settings_from_env
from linkage.db import make_engine
from linkage.migrate import upgrade
from linkage.models import Base

PG_ADMIN_URL = os.environ.get("LINKAGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def settings_for_tests(database_url: str, **overrides):
    # Cheap argon2 parameters: the hash is still argon2id, only the cost is lowered for speed.
    # Request rate limits are off: every test client calls from one address, and the fuzzer and the
    # browser stories make hundreds of public requests a minute. tests/integration/api/test_limits.py
    # turns them on and shows each one bite (the login-failure limiter is always on).
    overrides.setdefault("rate_limits_enabled", False)
    return settings_from_env(
        environ={}, database_url=database_url, password_time_cost=1, password_memory_kib=8192, **overrides
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite database migrated once with Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(url, engine=engine)
    with engine.connect() as conn:  # fold the WAL into the main file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database created (and migrated) for this run and dropped after it."""
    name = f"linkage_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the suite promises PostgreSQL: say so instead of skipping
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not usable: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


_PG_ENGINES: dict = {}


def _empty_all(url: str) -> None:
    """DELETE beats TRUNCATE by far on a handful of rows (TRUNCATE rewrites every table's files)."""
    engine = _PG_ENGINES.get(url) or _PG_ENGINES.setdefault(url, create_engine(url, poolclass=NullPool))
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each integration test runs against both backends, each time on an empty database."""
    if request.param == "sqlite":
        path = tmp_path / "linkage.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_all(url)
        yield url


@pytest.fixture
def settings(database_url):
    return settings_for_tests(database_url)


# -- which broker each event-spine test ran on -------------------------------------------------
def _broker_of(nodeid: str) -> str | None:
    """The broker kind in a test's parameter id (`test_x[kafka]`, `test_y[sqlite-tansu]`).

    Read from the node id, not from collection: under pytest-xdist the controller that writes
    the summary never collects."""
    from events.broker import BROKER_KINDS

    if not nodeid.endswith("]"):
        return None
    params = nodeid[nodeid.rindex("[") + 1 : -1].split("-")
    return next((kind for kind in BROKER_KINDS if kind in params), None)


def pytest_terminal_summary(terminalreporter):
    """A table of the broker-parametrized tests by broker and outcome, after pytest's summary."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            kind = _broker_of(getattr(report, "nodeid", ""))
            if kind and (report.when == "call" or outcome != "passed"):
                row = counts.setdefault(kind, {})
                row[outcome] = row.get(outcome, 0) + 1
    if not counts:
        return
    terminalreporter.write_sep("-", "event-spine tests by broker")
    for kind in sorted(counts):
        row = counts[kind]
        terminalreporter.write_line(
            f"{kind:<8} " + ", ".join(f"{row.get(o, 0)} {o}" for o in ("passed", "failed", "error", "skipped"))
        )
