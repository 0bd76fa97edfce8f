"""Engine and session factory, built by create_app() or a worker main(), never at import time."""

from __future__ import annotations

import fcntl
import os
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from linkage import codec


def make_engine(url: str, **kwargs) -> Engine:
    # JSON columns (stored rankings, provider lists) through the one codec the events use.
    kwargs.setdefault("json_serializer", codec.dumps_text)
    kwargs.setdefault("json_deserializer", codec.loads)
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

        writers = _WriterQueue(url) if ":memory:" not in url and url != "sqlite://" else None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writing unit of work takes the write lock at BEGIN, so two writers queue
            # instead of one failing to upgrade a read lock; readers stay deferred.
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            if immediate and writers is not None:
                writers.enter(conn.connection.info)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        if writers is not None:
            writers.listen(engine)

        # Let SQLAlchemy, not pysqlite, emit BEGIN (needed for the listener above).
        @event.listens_for(engine, "connect", insert=True)
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class _WriterQueue:
    """Writers of one SQLite file wait for each other on a kernel file lock, across processes.

    SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries, so a writer that finds the
    database locked idles long after the lock is free; under load, web workers then sit in
    those sleeps while requests queue. flock() wakes the next waiter the moment the holder
    lets go, and the kernel drops a dead process's lock. Held from BEGIN IMMEDIATE until the
    connection goes back to the pool (after its COMMIT or ROLLBACK); busy_timeout stays as
    the fallback for writers outside Linkage (the sqlite3 shell, a migration).
    """

    def __init__(self, url: str):
        database = url.split("///", 1)[1].split("?", 1)[0]
        self.path = database + "-writers.lock"
        self._holders: set[int] = set()  # threads holding the lock: one never waits for itself

    def listen(self, engine: Engine) -> None:
        event.listen(engine, "connect", self._open)
        event.listen(engine, "checkin", self._leave_record)
        event.listen(engine, "close", self._close)
        event.listen(engine, "invalidate", lambda _c, record, _e: self._leave_record(_c, record))

    def _open(self, _dbapi_conn, record) -> None:
        # One open file per connection: flock() excludes other open files, even in this process.
        record.info["writers_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def enter(self, info: dict) -> None:
        fd = info.get("writers_fd")
        if fd is None or info.get("writers_held") is not None:
            return
        me = threading.get_ident()
        if me in self._holders:  # it would wait forever for its own other transaction
            raise RuntimeError("a second write transaction in a thread that holds one")
        fcntl.flock(fd, fcntl.LOCK_EX)
        info["writers_held"] = me
        self._holders.add(me)

    def _leave_record(self, _dbapi_conn, record) -> None:
        info = record.info
        holder = info.pop("writers_held", None)
        if holder is not None:
            fcntl.flock(info["writers_fd"], fcntl.LOCK_UN)
            self._holders.discard(holder)

    def _close(self, dbapi_conn, record) -> None:
        self._leave_record(dbapi_conn, record)
        fd = record.info.pop("writers_fd", None)
        if fd is not None:
            os.close(fd)


def make_session_factory(engine: Engine, *, writing: bool = False) -> sessionmaker:
    bind = engine.execution_options(sqlite_immediate=True) if writing else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
