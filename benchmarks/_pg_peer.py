"""The matching benchmark's PostgreSQL peer: the same ranking as one SQL query (pg_trgm + earthdistance)."""
from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

from matching import PROVIDER_KINDS, load_weights
from matching import features as F


class PostgresPeer:
    """Ranking in SQL: pg_trgm similarity for skills, earthdistance for the radius and decay."""

    def __init__(self, dsn: str, db: str, clock: Callable[[], datetime]) -> None:
        self.clock = clock  # the benchmark's fixed 'now', as the index is given
        import psycopg
        self.psycopg, self.db, self.dsn = psycopg, db, dsn
        with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.execute(f"CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'")
        self.conn = psycopg.connect(dsn + f" dbname={db}", autocommit=True)
        self.conn.execute("CREATE EXTENSION pg_trgm; CREATE EXTENSION cube; CREATE EXTENSION earthdistance")
        w = load_weights()
        self.sql = {}
        for kind in PROVIDER_KINDS:
            ws = w.of(kind)
            total = ws["skill"] + ws["distance"] + ws["reputation"]
            extra = ""
            if kind == "resource":
                extra = ("AND remaining > 0 AND (until IS NULL OR until >= greatest(%(now)s, %(start)s)) "
                         "AND (cardinality(restricted) = 0 OR %(cat)s = ANY(restricted))")
            self.sql[kind] = f"""(SELECT '{kind}' AS kind, id FROM (
                SELECT id, {ws['skill'] / total} * similarity(doc, %(doc)s)
                     + {ws['distance'] / total} * power(2.0, -earth_distance(ll_to_earth(lat, lon), ll_to_earth(%(lat)s, %(lon)s)) / 1000.0 / {w.distance_half_km[kind]})
                     + {ws['reputation'] / total} * rep AS score
                FROM p_{kind}
                WHERE earth_box(ll_to_earth(%(lat)s, %(lon)s), %(rmax_{kind})s) @> ll_to_earth(lat, lon)
                  AND earth_distance(ll_to_earth(lat, lon), ll_to_earth(%(lat)s, %(lon)s)) <= radius_km * 1000.0
                  {extra}) s ORDER BY score DESC, id LIMIT 20)"""
        self.query = " UNION ALL ".join(self.sql[k] for k in PROVIDER_KINDS)
        self.rmax = {}

    def load(self, data) -> float:
        params = load_weights().params
        t0 = time.perf_counter()
        for kind, (rows, _) in data.items():
            self.conn.execute(f"""CREATE TABLE p_{kind} (id int PRIMARY KEY, lat float8, lon float8, radius_km float8,
                doc text, rep float8, remaining float8, until timestamptz, restricted text[])""")
            key = {"volunteer": "travel_radius_km", "resource": "radius_km"}.get(kind, "service_radius_km")
            with self.conn.cursor().copy(f"COPY p_{kind} FROM STDIN") as cp:
                for p in rows:
                    fund = p.get("kind") == "fund"
                    cp.write_row((p["id"], p["lat"], p["lon"], p[key], F.provider_doc(kind, p),
                                  F.reputation(p["reputation"], params),
                                  p.get("remaining_fen" if fund else "remaining_quantity"),
                                  p.get("available_until"), p.get("restricted_categories") or []))
            self.conn.execute(f"CREATE INDEX ON p_{kind} USING gist (ll_to_earth(lat, lon))")
            self.conn.execute(f"ANALYZE p_{kind}")
            self.rmax[kind] = max(p[key] for p in rows) * 1000.0
        return time.perf_counter() - t0

    def rank(self, need):
        args = {"doc": F.need_doc(need), "lat": need["lat"], "lon": need["lon"], "cat": need["category"],
                "now": self.clock(), "start": datetime.fromisoformat(need["starts_at"]),
                **{f"rmax_{k}": v for k, v in self.rmax.items()}}
        out = {k: [] for k in PROVIDER_KINDS}
        for kind, pid in self.conn.execute(self.query, args, prepare=True).fetchall():
            out[kind].append(pid)
        return out

    def close(self) -> None:
        self.conn.close()
        with self.psycopg.connect(self.dsn + " dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.db}")


# --- main -------------------------------------------------------------------------------

