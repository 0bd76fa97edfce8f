"""Import benchmark: a 10,000-row volunteer file previewed and committed, and a 50,000-row file refused.

    .venv/bin/python benchmarks/imports.py [--rows 10000] [--big 50000] [--pg ADMIN_URL]

On a scratch SQLite file (and a scratch PostgreSQL database with --pg): the import as the web tier
runs it (start_import, run_preview, commit_import in one transaction). Each phase runs in a child
process of its own, which reports its time and its peak resident memory (VmHWM, reset through
/proc/self/clear_refs as the phase begins) above what the process held then — tracemalloc would slow openpyxl tenfold. Baselines
measured in the same run: openpyxl's read-only reading of the same file alone, registering volunteers one by one
through the provider service (a unit of work and a commit each, as the form does), and for the 50,000-row
refusal, openpyxl reading the 20,001 rows a refusal at the cap would have to read (what it did before rows
were counted first). The load average is printed first: the figures are only comparable on a quiet machine.
Not a test: it prints rows/s, seconds, peak MiB and the ratios.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from linkage.config import settings_from_env  # noqa: E402
from linkage.errors import InvalidInput  # noqa: E402
from linkage.migrate import upgrade  # noqa: E402
from linkage.models import ImportBatch  # noqa: E402
from linkage.platform import build_platform  # noqa: E402
from linkage.services import accounts  # noqa: E402
from linkage.services.communities import register_community  # noqa: E402
from linkage.services.imports import batches, reading  # noqa: E402
from linkage.services.providers import register_provider  # noqa: E402
from tests.factories import ADMIN, volunteer_body  # noqa: E402
from tests.imports_files import VOLUNTEER_HEADERS, csv_bytes, volunteer_row, xlsx  # noqa: E402

MiB = 1024 * 1024


def _platform_only(url: str):
    settings = settings_from_env(
        environ={}, database_url=url, password_time_cost=1, password_memory_kib=8192, rate_limits_enabled=False
    )
    return build_platform(settings)


def _platform(url: str):
    upgrade(url)
    return _platform_only(url)


def _scratch(pg: str | None) -> str:
    if pg:
        import sqlalchemy as sa

        name = "bench_imports_" + uuid.uuid4().hex[:8]
        engine = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return pg.rsplit("/", 1)[0] + "/" + name
    return "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")


def _staff(platform):
    with platform.uow() as uow:
        community = register_community(
            uow,
            ADMIN,
            {
                "code": "120116901",
                "name": "基准社区",
                "street": "新港街道",
                "district": "滨海新区",
                "lat": 39.02,
                "lon": 117.70,
                "households": 1,
                "population": 1,
            },
        )
    with platform.uow() as uow:
        user = accounts.create_user(
            uow,
            platform.passwords,
            username="bench-staff",
            password="correct-horse-9",
            role="community_staff",
            community_id=community.id,
        )
    return accounts.actor_for(user), community


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _start_peak() -> int:
    """Reset the peak RSS (Linux: clear_refs 5) and return the RSS now."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass
    return _status("VmRSS")


def _rss() -> int:
    return _status("VmHWM")


def _phase(url: str, what: str, rows: int, big: int, queue) -> None:
    """One phase in a child process: time and peak RSS growth, put on `queue`."""
    platform = _platform_only(url)
    with platform.read_session() as s:
        from linkage.models import Community, User

        user = s.scalars(select(User).where(User.username == "bench-staff")).one()
        actor = accounts.actor_for(user)
        community = s.scalars(select(Community)).first()
    out: dict = {}
    if what == "preview":
        body = xlsx(VOLUNTEER_HEADERS, (volunteer_row(i) for i in range(rows)))
        gc.collect()
        base, t0 = _start_peak(), time.perf_counter()
        with platform.uow() as uow:
            batch = batches.start_import(uow, actor, "volunteer", "bench.xlsx", body)
        batches.run_preview(platform.read_sessions, platform.write_sessions, actor, batch.id, platform.cipher)
        out.update(seconds=time.perf_counter() - t0, batch=batch.id)
    elif what == "commit":
        with platform.read_session() as s:
            batch_id = s.scalars(select(ImportBatch.id).where(ImportBatch.status == "ready")).first()
        gc.collect()
        base, t0 = _start_peak(), time.perf_counter()
        with platform.uow() as uow:
            done = batches.commit_import(
                uow, actor, batch_id, platform.cipher, mode="valid_rows", paper_consents_held=True
            )
            out["committed"] = done.committed_rows
        out["seconds"] = time.perf_counter() - t0
    elif what in ("big", "big_csv"):
        make = xlsx if what == "big" else csv_bytes
        body = make(VOLUNTEER_HEADERS, (volunteer_row(i % 11_000) for i in range(big)))
        out["mib"] = len(body) / MiB
        gc.collect()
        base, t0 = _start_peak(), time.perf_counter()
        try:
            with platform.uow() as uow:
                batch = batches.start_import(uow, actor, "volunteer", "big.xlsx", body)
            batches.run_preview(platform.read_sessions, platform.write_sessions, actor, batch.id, platform.cipher)
            with platform.read_session() as s:
                found = batches.read_batch(s, actor, batch.id)
                out.update(status=found.status, message=found.message)
        except InvalidInput as exc:
            out.update(status="refused at upload", message=exc.code)
        out["seconds"] = time.perf_counter() - t0
    elif what in ("openpyxl", "openpyxl_cap"):
        count = rows if what == "openpyxl" else reading.MAX_ROWS + 1
        body = xlsx(VOLUNTEER_HEADERS, (volunteer_row(i % 11_000) for i in range(count)))
        gc.collect()
        base, t0 = _start_peak(), time.perf_counter()
        book = load_workbook(io.BytesIO(body), read_only=True)
        out["read"] = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
        out["seconds"] = time.perf_counter() - t0
    elif what == "one_by_one":
        base, t0 = _start_peak(), time.perf_counter()
        for i in range(rows):
            with platform.uow() as uow:
                register_provider(
                    uow,
                    ADMIN,
                    "volunteer",
                    volunteer_body(11_000 + i % 900, community.id, phone=f"137{i:08d}"),
                    platform.cipher,
                )
        out["seconds"] = time.perf_counter() - t0
    out["peak_mib"] = max(0, _rss() - base) / MiB
    platform.dispose()
    queue.put(out)


def _in_child(url: str, what: str, rows: int, big: int = 0) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_phase, args=(url, what, rows, big, queue))
    child.start()
    out = queue.get()
    child.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("--one-by-one", type=int, default=500)
    parser.add_argument("--pg", default=None, help="a PostgreSQL admin URL: run on a scratch database there")
    args = parser.parse_args()
    assert args.rows <= 11_000, "tests.factories.valid_id_number is unique below 12,000"

    url = _scratch(args.pg)
    platform = _platform(url)
    _staff(platform)
    platform.dispose()
    print(
        f"database: {'PostgreSQL' if args.pg else 'SQLite'}; {args.rows} volunteer rows; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores",
        flush=True,
    )
    preview = _in_child(url, "preview", args.rows)
    commit = _in_child(url, "commit", args.rows)
    total = preview["seconds"] + commit["seconds"]
    print(
        f"import preview: {preview['seconds']:.2f} s, {args.rows / preview['seconds']:.0f} rows/s, "
        f"peak +{preview['peak_mib']:.0f} MiB",
        flush=True,
    )
    print(
        f"import commit:  {commit['seconds']:.2f} s, {commit['committed'] / commit['seconds']:.0f} rows/s, "
        f"peak +{commit['peak_mib']:.0f} MiB ({commit['committed']} stored)",
        flush=True,
    )
    print(f"preview + commit: {total:.2f} s for {args.rows} rows (budget 20 s)", flush=True)
    cap = _in_child(url, "openpyxl_cap", args.rows)
    for what, label in (("big", "xlsx"), ("big_csv", "csv")):
        big = _in_child(url, what, args.rows, args.big)
        print(
            f"{args.big}-row {label} file ({big['mib']:.2f} MiB): {big['status']} after {big['seconds']:.2f} s "
            f"({args.big / big['seconds']:.0f} rows/s), peak +{big['peak_mib']:.0f} MiB — {big['message']}; "
            f"baseline, openpyxl reading the {reading.MAX_ROWS + 1} rows up to the cap: {cap['seconds']:.2f} s, "
            f"peak +{cap['peak_mib']:.0f} MiB: the refusal is {cap['seconds'] / big['seconds']:.0f}x faster",
            flush=True,
        )
    alone = _in_child(url, "openpyxl", args.rows)
    print(
        f"baseline, openpyxl read-only reading alone: {alone['seconds']:.2f} s, "
        f"{args.rows / alone['seconds']:.0f} rows/s, peak +{alone['peak_mib']:.0f} MiB; "
        f"preview / reading alone = {preview['seconds'] / alone['seconds']:.1f}x",
        flush=True,
    )
    one = _in_child(url, "one_by_one", args.one_by_one)
    per = one["seconds"] / args.one_by_one
    print(
        f"baseline, one by one through the service (a unit of work and commit each, {args.one_by_one} rows): "
        f"{1 / per:.0f} rows/s, {per * args.rows:.1f} s for {args.rows}; the import's commit is "
        f"{per * commit['committed'] / commit['seconds']:.1f}x faster, preview + commit "
        f"{per * args.rows / total:.1f}x faster",
        flush=True,
    )


if __name__ == "__main__":
    main()
