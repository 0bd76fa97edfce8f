"""Engine and session factory, built by create_app() or a worker main(), never at import time."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets the relay read while the web writes; NORMAL sync is durable across
            # app crashes (FACTS: ~690 inserts/s vs ~400/s in the default journal mode).
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writing unit of work takes the write lock at BEGIN, so two writers queue on
            # busy_timeout instead of one failing to upgrade a read lock; readers stay deferred.
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        # Let SQLAlchemy, not pysqlite, emit BEGIN (needed for the listener above).
        @event.listens_for(engine, "connect", insert=True)
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine, *, writing: bool = False) -> sessionmaker:
    bind = engine.execution_options(sqlite_immediate=True) if writing else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
