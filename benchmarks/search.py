"""Pinyin search benchmark: q= latency over 100k volunteers on SQLite and PostgreSQL, against baselines in the same run.

    .venv/bin/python benchmarks/search.py [--rows 100000] [--repeat 60] [--pg ADMIN_URL]

Loads `--rows` volunteers (a Core bulk insert: their pinyin keys come from the columns' insert
default, as for any insert) into a scratch SQLite file and, with --pg (default $LINKAGE_TEST_PG),
a scratch PostgreSQL database, then times linkage.services.providers.list_providers — the count
and the first page of 20, as GET /api/v1/volunteers?q= does — for a Chinese, a full-pinyin and an
initials query, as the district (every row) and as a community's staff (the policy's filter).
Baselines in the same run: the same list with no q, and the pinyin/initials prefix written so no
index can serve it (lower(column) LIKE 'key%', a scan of the table). Prints p50/p99 in ms and the
ratio of each q= query to both baselines. Not a test: no figure here is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from linkage.db import make_engine  # noqa: E402
from linkage.migrate import upgrade  # noqa: E402
from linkage.models import Community, Volunteer  # noqa: E402
from linkage.permissions import Actor  # noqa: E402
from linkage.services.providers import list_providers  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强秀珍桂兰海燕金凤红梅"
    "文博子涵欣怡浩然梓轩雨桐一诺思远晨曦嘉怡宇航俊杰佳琪晓东立新春梅淑珍德华永刚"
)
QUERIES = (("Chinese", "张伟"), ("full pinyin", "zhangwei"), ("initials", "zw"))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load(url: str, rows: int) -> float:
    """Migrate a fresh database and bulk-insert `rows` volunteers in 10 communities; seconds taken."""
    engine = make_engine(url)
    upgrade(url, engine=engine)
    rng = random.Random(19)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Community),
            [
                {
                    "code": f"12011600{n}",
                    "name": f"社区{n}",
                    "street": "新港街道",
                    "district": "滨海新区",
                    "lat": 39.0,
                    "lon": 117.7,
                }
                for n in range(10)
            ],
        )
        ids = list(conn.scalars(sa.select(Community.id)))
        batch = []
        for n in range(rows):
            batch.append(
                {
                    "name": _name(rng),
                    "code": f"V{n:08d}",
                    "lat": 39.0,
                    "lon": 117.7,
                    "phone_cipher": "-",
                    "phone_digest": f"{n:064x}",
                    "id_number_cipher": "-",
                    "id_number_digest": f"{n:064x}",
                    "community_id": ids[n % len(ids)],
                }
            )
            if len(batch) == 5000:
                conn.execute(sa.insert(Volunteer), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(Volunteer), batch)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def _scan(session: Session, key: str) -> None:
    """The prefix as no index serves it: the baseline the key indexes are measured against."""
    where = sa.or_(
        sa.func.lower(Volunteer.name_pinyin).like(key + "%"), sa.func.lower(Volunteer.name_initials).like(key + "%")
    )
    query = sa.select(Volunteer).where(Volunteer.active.is_(True), where)
    session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    list(session.scalars(query.order_by(Volunteer.id).limit(20)))


def _timed(run, repeat: int) -> tuple[float, float]:
    run()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def bench(url: str, label: str, rows: int, repeat: int) -> None:
    seconds = load(url, rows)
    print(f"\n{label}: {rows} volunteers loaded in {seconds:.1f} s ({rows / seconds:.0f} rows/s, pinyin keys included)")
    engine = make_engine(url)
    actors = {
        "district": Actor(user_id=None, role="admin", username="bench"),
        "community staff": Actor(user_id=None, role="community_staff", username="bench", community_id=1),
    }
    with Session(engine) as session:
        for who, actor in actors.items():

            def listed(q=None, actor=actor):
                list_providers(session, actor, "volunteer", q=q, page=1, page_size=20)

            base = _timed(listed, repeat)
            scan = _timed(lambda: _scan(session, "zhangwei"), repeat)
            print(f"  as {who}")
            print(f"    {'baseline: no q':<32} p50 {base[0]:7.2f} ms  p99 {base[1]:7.2f} ms")
            print(f"    {'baseline: unindexed prefix scan':<32} p50 {scan[0]:7.2f} ms  p99 {scan[1]:7.2f} ms")
            for name, q in QUERIES:
                found = list_providers(session, actor, "volunteer", q=q, page_size=20)[1]
                p50, p99 = _timed(lambda q=q: listed(q), repeat)
                print(
                    f"    {f'q={q} ({name}, {found} found)':<32} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms"
                    f"  ratio p50 to no-q {p50 / base[0]:5.2f}, to scan {p50 / scan[0]:5.2f}"
                )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60, help="timed runs per query")
    parser.add_argument(
        "--pg",
        default=os.environ.get("LINKAGE_TEST_PG"),
        help="PostgreSQL admin URL: a scratch database is made there and dropped",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.db", "SQLite", args.rows, args.repeat)
    if args.pg:
        name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            bench(args.pg.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL", args.rows, args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
