"""Audit-chain benchmark: what hash-chaining the audit trail costs a unit of work, in one run.

    .venv/bin/python benchmarks/audit_chain.py [--units 400] [--threads 1,4] [--pg ADMIN_URL]

Each unit of work registers one community (one audit entry, one outbox row) and commits, as the
web tier does. "before": the entries are written as before the chain (seq from a counter in
this process, no head lock, no hashing); "after": linkage.audit as it is (lock the ledger_heads
row, link and hash each entry, update the head). Both modes alternate on the same database
(a scratch SQLite file, and a scratch PostgreSQL database with --pg), best of 3 rounds each.
Not a test: it prints per-unit times and the after/before ratio.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

import linkage.audit as audit  # noqa: E402
from linkage.audit import AuditContext  # noqa: E402
from linkage.config import settings_from_env  # noqa: E402
from linkage.migrate import upgrade  # noqa: E402
from linkage.models import AuditEntry  # noqa: E402
from linkage.permissions import Actor  # noqa: E402
from linkage.platform import build_platform  # noqa: E402
from linkage.services.communities import register_community  # noqa: E402

ADMIN = Actor(user_id=None, role="admin", username="benchmark")
CHAINED = audit._append
_serial = itertools.count(1)


def _unchained(session, entries) -> None:
    """The trail as before the chain: plain inserts (seq from a counter, to satisfy its column)."""
    for entry in entries:
        entry.seq, entry.prev_hash, entry.hash = 10**9 + next(_serial), "", ""
        session.add(entry)


def _body(code: str) -> dict:
    return {"code": code, "name": "基准社区", "street": "新港街道", "district": "滨海新区",
            "lat": 39.02, "lon": 117.70, "households": 1, "population": 1}


def _run(platform, units: int, threads: int) -> float:
    """Seconds per unit of work, `units` of them spread over `threads` writers."""
    per_thread = units // threads
    start = threading.Barrier(threads + 1)

    def work() -> None:
        start.wait()
        for _ in range(per_thread):
            with platform.uow() as uow:
                register_community(uow, ADMIN, _body(uuid.uuid4().hex[:20]))
                uow.commit()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - began) / (per_thread * threads)


def bench(url: str, label: str, units: int, thread_counts: list[int]) -> None:
    upgrade(url)
    platform = build_platform(settings_from_env(environ={}, database_url=url))
    platform.audit_context = lambda: AuditContext(user_id=None, username="bench", role="admin", action="bench")
    _run(platform, 40, 1)  # warm up connections and caches
    for threads in thread_counts:
        best = {"before": float("inf"), "after": float("inf")}
        for _round in range(3):
            for mode, append in (("before", _unchained), ("after", CHAINED)):
                audit._append = append
                best[mode] = min(best[mode], _run(platform, units, threads))
        audit._append = CHAINED
        print(f"{label:<10} threads={threads}  before {best['before'] * 1000:7.2f} ms/unit   "
              f"after {best['after'] * 1000:7.2f} ms/unit   after/before {best['after'] / best['before']:.2f}")
    with platform.read_session() as session:  # the chained entries, read alone, still verify
        chained = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq < 10**9).order_by(AuditEntry.seq))
        verdict = audit.ledger.verify(chained)
        print(f"{label:<10} chained entries: {verdict.entries}, verify: {verdict.valid}")
    platform.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=400, help="units of work per mode and round")
    parser.add_argument("--threads", default="1,4", help="writer counts, comma-separated")
    parser.add_argument("--pg", default=os.environ.get("LINKAGE_TEST_PG"),
                        help="PostgreSQL admin URL: a scratch database is made there and dropped")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.db", "sqlite", args.units, thread_counts)
    if args.pg:
        name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            bench(args.pg.rsplit("/", 1)[0] + f"/{name}", "postgresql", args.units, thread_counts)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
