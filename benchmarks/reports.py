"""How long a report (报表) takes against the dashboard it is built on: the demo seeded at full scale
(SQLite), then the district's and everything's monthly and yearly report, compiled and rendered as xlsx
and PDF, each against stats.linkage_stats for the same scope measured in the same run (the ratio).

    .venv/bin/python benchmarks/reports.py [--scale 1.0] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from linkage.config import settings_from_env
from linkage.demo import seed_demo
from linkage.models import Base, utcnow
from linkage.permissions import Actor
from linkage.platform import build_platform
from linkage.reports.monthly_pdf import render_report_pdf
from linkage.reports.report_xlsx import render_workbook
from linkage.services import reports, stats
from linkage.services.periods import current_month

AUDITOR = Actor(user_id=None, role="auditor", username="bench")


def _best(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        platform = build_platform(
            settings_from_env(
                environ={},
                database_url=f"sqlite:///{Path(folder) / 'b.db'}",
                password_time_cost=1,
                password_memory_kib=8192,
            )
        )
        Base.metadata.create_all(platform.engine)
        seed_demo(platform, scale=args.scale)
        month = current_month(utcnow())
        with platform.read_session() as session:
            district = next(iter(stats.scope_options(session)))
            for label, scope in (("all", {}), ("district", {"district": district})):
                baseline = _best(args.runs, lambda s=scope: stats.linkage_stats(session, **s))
                for period in (month.label, str(month.year)):
                    found = reports.compile_report(session, AUDITOR, period=period, **scope)
                    compiled = _best(
                        args.runs, lambda p=period, s=scope: reports.compile_report(session, AUDITOR, period=p, **s)
                    )
                    xlsx = _best(args.runs, lambda f=found: render_workbook(f))
                    pdf = _best(args.runs, lambda f=found: render_report_pdf(f))
                    print(
                        f"{label:8} {period:7}  dashboard {baseline * 1000:7.1f} ms  report {compiled * 1000:7.1f} ms "
                        f"(x{compiled / baseline:.2f})  xlsx {xlsx * 1000:6.1f} ms  pdf {pdf * 1000:6.1f} ms"
                    )
        platform.dispose()


if __name__ == "__main__":
    main()
