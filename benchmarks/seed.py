"""Demo-seeding benchmark: how long `linkage run` spends seeding the demo before it serves, in one run.

    .venv/bin/python benchmarks/seed.py [--scale 1.0] [--baseline-scale 0.25]

Seeds the demo at --scale (1.0: what `linkage run` seeds, 2,000 volunteers) into a scratch SQLite
database, and — as the baseline measured in the same run on the same machine — at
--baseline-scale; prints both times, rows per second, and the ratio, which should stay near
scale/baseline-scale (seeding linear in its volume). Not a test: machines here are noisy, so the
figure lives here rather than as a timed assertion in tests/integration/test_seed.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from linkage.config import settings_from_env  # noqa: E402
from linkage.demo import seed_demo  # noqa: E402
from linkage.models import Base  # noqa: E402
from linkage.platform import build_platform  # noqa: E402


def seed_once(scale: float) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="linkage-seed-") as scratch:
        # The production argon2 cost: the demo's six logins are hashed as `linkage run` hashes them.
        platform = build_platform(settings_from_env(environ={}, database_url=f"sqlite:///{scratch}/seed.db"))
        try:
            Base.metadata.create_all(platform.engine)
            started = time.perf_counter()
            result = seed_demo(platform, scale=scale)
            return time.perf_counter() - started, result
        finally:
            platform.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--baseline-scale", type=float, default=0.25)
    args = parser.parse_args()
    rows = ("communities", "organizations", "social_workers", "volunteers", "resources", "needs")
    figures = {}
    for label, scale in (("baseline", args.baseline_scale), ("demo", args.scale)):
        seconds, result = seed_once(scale)
        count = sum(result[k] for k in rows)
        figures[label] = seconds
        print(f"{label:<9} scale {scale:<5} {count:>6} rows  {seconds:6.2f} s  {count / seconds:8.0f} rows/s")
    print(f"ratio demo/baseline: {figures['demo'] / figures['baseline']:.2f} "
          f"(volume ratio {args.scale / args.baseline_scale:.2f})")


if __name__ == "__main__":
    main()
