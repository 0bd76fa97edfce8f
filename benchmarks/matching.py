"""Matching benchmark: quality and speed of matching.ProviderIndex against its peers, in one run.

    .venv/bin/python benchmarks/matching.py            # full: 100,000 and 1,000,000 providers
    .venv/bin/python benchmarks/matching.py --quick    # smoke run: 10,000 and 50,000

Data: labelled synthetic needs and providers scattered around the seed districts (see _geo.py).
Peers, on the same data: the exact reference scorer as a plain Python loop over every provider,
and a PostgreSQL ranking query (pg_trgm similarity + earthdistance) in a scratch database.
Not a test: it prints figures and which targets they meet.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from datetime import datetime, timezone

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# This script is itself named matching.py: keep its folder off the path so `import matching`
# finds the package, and load the generator beside it by file name.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, os.path.dirname(HERE))


def _load_geo():
    import importlib.util
    spec = importlib.util.spec_from_file_location("_geo", os.path.join(HERE, "_geo.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["_geo"] = module
    spec.loader.exec_module(module)
    return module


_geo = _load_geo()

from matching import PROVIDER_KINDS, ProviderIndex, load_weights  # noqa: E402
from matching.reference import ReferenceScorer  # noqa: E402

CLOCK = lambda: datetime.fromtimestamp(_geo.NOW, timezone.utc)  # noqa: E731


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets this process's peak RSS (VmHWM)
    except OSError:
        pass


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values), q))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# --- data -------------------------------------------------------------------------------

def generate(n_large: int, seed: int):
    out = {}
    for i, (kind, share) in enumerate(_geo.KIND_MIX.items()):
        out[kind] = _geo.providers(kind, int(n_large * share), seed=seed * 10 + i)
    return out


def subset(data, n: int):
    """The first share*n providers of each kind: an i.i.d. sample of the big set."""
    out = {}
    for kind, (rows, t) in data.items():
        m = int(n * _geo.KIND_MIX[kind])
        out[kind] = (rows[:m], _geo.Truth(kind, t.ids[:m], t.lat[:m], t.lon[:m], t.radius[:m], t.cat[:m],
                                         t.skills[:m], t.ok[:m], t.slots[:m], t.restricted[:m]))
    return out


def build(data):
    gc.collect()
    before = rss_mib()
    reset_peak()
    t0 = time.perf_counter()
    ix = ProviderIndex(load_weights(), now=CLOCK)
    for kind, (rows, _) in data.items():
        ix.upsert_many(kind, rows)
    ix.refit()
    took = time.perf_counter() - t0
    gc.collect()
    return ix, took, rss_mib() - before, peak_mib() - before


# --- quality ----------------------------------------------------------------------------

def ndcg_recall(ranked_ids, grades):
    """NDCG@10 and recall@20 of one ranking; None when the need has nothing relevant."""
    ideal = np.sort(grades)[::-1][:10]
    idcg = float(np.sum((2.0 ** ideal - 1) / np.log2(np.arange(2, len(ideal) + 2))))
    relevant = int(np.count_nonzero(grades))
    if idcg == 0:
        return None
    g = np.array([grades[i - 1] for i in ranked_ids[:10]], dtype=float)
    dcg = float(np.sum((2.0 ** g - 1) / np.log2(np.arange(2, len(g) + 2))))
    hits = sum(1 for i in ranked_ids[:20] if grades[i - 1] > 0)
    return dcg / idcg, hits / min(20, relevant)


def quality(rank_fn, needs, data):
    scores = {k: ([], []) for k in PROVIDER_KINDS}
    for need in needs:
        ranked = rank_fn(need)
        for kind in PROVIDER_KINDS:
            got = ndcg_recall(ranked[kind], _geo.relevance(need, data[kind][1]))
            if got:
                scores[kind][0].append(got[0])
                scores[kind][1].append(got[1])
    return {k: (float(np.mean(v[0])), float(np.mean(v[1]))) for k, v in scores.items()}


def index_ids(ix):
    return lambda need: {k: [e["provider_id"] for e in v] for k, v in ix.rank(need).items()}


# --- timing -----------------------------------------------------------------------------

def latencies(ix, needs, k=20):
    ix.rank(needs[0])
    out = []
    for need in needs:
        t = time.perf_counter()
        ix.rank(need, k=k)
        out.append(time.perf_counter() - t)
    return out


def upsert_times(ix, data, count: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    kinds = list(data)
    for i in range(count):
        kind = kinds[i % len(kinds)]
        rows = data[kind][0]
        p = dict(rows[int(rng.integers(0, len(rows)))])
        p["skills" if kind != "resource" else "tags"] = ["急救", "陪诊"]
        t = time.perf_counter()
        ix.upsert(kind, p)
        out.append(time.perf_counter() - t)
    return out


# --- PostgreSQL peer ------------------------------------------------------------------------

from benchmarks._pg_peer import PostgresPeer  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small N for a smoke run")
    ap.add_argument("--small", type=int, help="providers in the smaller index (default 100,000)")
    ap.add_argument("--large", type=int, help="providers in the larger index (default 1,000,000)")
    ap.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL peer")
    ap.add_argument("--dsn", default="host=127.0.0.1 port=5432 user=postgres")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    small = a.small or (10_000 if a.quick else 100_000)
    large = a.large or (50_000 if a.quick else 1_000_000)
    n_eval, n_time, n_batch, n_loop, n_pg = (60, 200, 200, 3, 50) if a.quick else (300, 1000, 1000, 10, 300)
    targets = []

    def target(name, ok, detail):
        targets.append((name, ok, detail))

    print(f"matching benchmark — {'quick' if a.quick else 'full'} mode, {os.cpu_count()} cores, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}, "
          f"load average {os.getloadavg()[0]:.2f} (other processes share these cores)")
    t = time.perf_counter()
    data_large = generate(large, a.seed)
    data = subset(data_large, small)
    eval_needs = _geo.needs(n_eval, a.seed + 1)
    time_needs = _geo.needs(max(n_time, n_batch), a.seed + 2)
    print(f"generated {large:,} providers ({', '.join(f'{k} {len(v[0]):,}' for k, v in data_large.items())}) "
          f"and {n_eval + len(time_needs):,} needs in {time.perf_counter() - t:.1f} s")

    # ---- N = small -------------------------------------------------------------------
    ix, took, mem, peak = build(data)
    print(f"\n== N = {len(ix):,} ==")
    print(f"index build {took:.2f} s, resident +{mem:.0f} MiB (peak +{peak:.0f} MiB)")
    q_index = quality(index_ids(ix), eval_needs, data)
    lat_small = latencies(ix, time_needs[:n_time])
    p50_small, p99_small = pct(lat_small, 50), pct(lat_small, 99)
    print(f"rank one need, 4 kinds x top 20: p50 {ms(p50_small)}, p99 {ms(p99_small)} over {n_time} needs")
    target(f"p50 at {small:,} <= 3 ms", p50_small <= 0.003, ms(p50_small))
    core_small = pct(latencies(ix, time_needs[:n_time], k=1), 50)
    print(f"same with k=1 (all the scoring and selection, 4 entries to explain instead of 80): p50 {ms(core_small)}")

    batch = time_needs[:n_batch]
    runs = {1: [], 2: []}
    for _ in range(3):  # best of three: other sessions' test runs share these two cores
        for workers in (1, 2):
            t = time.perf_counter()
            ix.rank_batch(batch, k=20, workers=workers)
            runs[workers].append(time.perf_counter() - t)
    two_cores, one_core = min(runs[2]), min(runs[1])
    print(f"batch of {n_batch} needs: {two_cores:.3f} s with 2 workers ({one_core:.3f} s with 1); "
          f"runs {', '.join(f'{x:.2f}' for x in runs[2])} / {', '.join(f'{x:.2f}' for x in runs[1])} s")
    target(f"batch of {n_batch} at {small:,} <= 1.5 s", two_cores <= 1.5, f"{two_cores:.3f} s")

    # Python loop peer = the exact reference scorer over every provider, one by one.
    ref = ReferenceScorer(load_weights(), ix._vocab, _geo.NOW)
    records = {k: v[0] for k, v in data.items()}
    for kind, rows in records.items():
        ref.prepare(kind, rows)
    loop_times, agree = [], []
    for need in time_needs[:n_loop]:
        t = time.perf_counter()
        want = ref.rank(need, records, k=20)
        loop_times.append(time.perf_counter() - t)
        got = ix.rank(need, k=20)
        for kind in PROVIDER_KINDS:
            if want[kind]:
                agree.append(len({e["provider_id"] for e in got[kind]} & {r[1] for r in want[kind]})
                             / min(20, len(want[kind])) * 20)
    loop_p50 = pct(loop_times, 50)
    print(f"Python loop peer (reference scorer, every provider): p50 {ms(loop_p50)} over {n_loop} needs "
          f"-> index is {loop_p50 / p50_small:.0f}x faster")
    print(f"top-20 agreement with the exact reference: min {min(agree):.0f}/20, mean {np.mean(agree):.2f}/20 "
          f"over {len(agree)} (need, kind) pairs")
    print(f"  (loop / index with k=1: {loop_p50 / core_small:.0f}x — the explanations are ~half of rank())")
    target("faster than the Python loop >= 200x", loop_p50 / p50_small >= 200, f"{loop_p50 / p50_small:.0f}x")
    target("top 20 agrees with reference >= 19/20", min(agree) >= 19, f"min {min(agree):.0f}/20")

    if not a.no_postgres:
        peer = PostgresPeer(a.dsn, f"linkage_matching_bench_{os.getpid()}", CLOCK)
        try:
            load_s = peer.load(data)
            q_pg = quality(peer.rank, eval_needs, data)
            peer.rank(time_needs[0])
            pg_times = []
            for need in time_needs[:n_pg]:
                t = time.perf_counter()
                peer.rank(need)
                pg_times.append(time.perf_counter() - t)
        finally:
            peer.close()
        pg50, pg99 = pct(pg_times, 50), pct(pg_times, 99)
        print(f"PostgreSQL peer (pg_trgm + earthdistance, GiST): load+index {load_s:.1f} s; "
              f"p50 {ms(pg50)}, p99 {ms(pg99)} over {n_pg} needs -> index is {pg50 / p50_small:.1f}x faster")
        target("faster than the PostgreSQL peer", p50_small < pg50, f"{pg50 / p50_small:.1f}x")
    else:
        q_pg = None
    print(f"\nquality on {n_eval} labelled needs (N = {small:,})   NDCG@10  recall@20" +
          ("   | PostgreSQL NDCG@10  recall@20" if q_pg else ""))
    for kind in PROVIDER_KINDS:
        line = f"  {kind:<14}{'':24}{q_index[kind][0]:.3f}    {q_index[kind][1]:.3f}"
        if q_pg:
            line += f"   | {q_pg[kind][0]:.3f}              {q_pg[kind][1]:.3f}"
        print(line)
    if q_pg:
        worse = [k for k in PROVIDER_KINDS if q_index[k][0] < q_pg[k][0]]
        target("NDCG@10 >= the PostgreSQL peer's, every kind", not worse, "worse: " + (", ".join(worse) or "none"))
    del ix, ref
    gc.collect()

    # ---- N = large -------------------------------------------------------------------
    ix, took, mem, peak = build(data_large)
    print(f"\n== N = {len(ix):,} ==")
    print(f"index build {took:.2f} s, resident +{mem:.0f} MiB (peak +{peak:.0f} MiB)")
    target(f"build at {large:,} <= 30 s", took <= 30, f"{took:.1f} s")
    target(f"index memory at {large:,} <= 2 GiB", max(mem, peak) <= 2048, f"+{mem:.0f} MiB, peak +{peak:.0f} MiB")
    lat_large = latencies(ix, time_needs[:n_time])
    p50_large, p99_large = pct(lat_large, 50), pct(lat_large, 99)
    print(f"rank one need, 4 kinds x top 20: p50 {ms(p50_large)}, p99 {ms(p99_large)} over {n_time} needs")
    target(f"p50 at {large:,} <= 20 ms", p50_large <= 0.020, ms(p50_large))
    target(f"p99 at {large:,} <= 60 ms", p99_large <= 0.060, ms(p99_large))
    n_up = 1000 if a.quick else 10_000
    ups = upsert_times(ix, data_large, n_up, a.seed)
    print(f"upsert one provider: p50 {ms(pct(ups, 50))}, p99 {ms(pct(ups, 99))}, mean {ms(float(np.mean(ups)))} "
          f"(re-sorts included), max {ms(max(ups))} over {n_up:,} round-robin over the kinds")
    target("one upsert <= 5 ms (p50)", pct(ups, 50) <= 0.005, ms(pct(ups, 50)))
    lat_after = latencies(ix, time_needs[:200])
    print(f"rank right after those upserts (deltas partly full): p50 {ms(pct(lat_after, 50))}")
    biggest = max(PROVIDER_KINDS, key=ix.size)
    t = time.perf_counter()
    ix._compact(biggest)
    print(f"re-sorting the largest kind ({biggest}, {ix.size(biggest):,}) into its main block: "
          f"{time.perf_counter() - t:.2f} s (every {load_weights().params['compact_every']:.0f} upserts of that kind)")
    t = time.perf_counter()
    ix.refit()
    print(f"vocabulary refit of all {len(ix):,}: {time.perf_counter() - t:.2f} s")
    q_large = quality(index_ids(ix), eval_needs[:100], data_large)
    print("quality at N = {:,} on 100 needs: ".format(large) +
          ", ".join(f"{k} NDCG@10 {v[0]:.3f} recall@20 {v[1]:.3f}" for k, v in q_large.items()))

    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    print("targets:")
    for name, ok, detail in targets:
        print(f"  [{'met' if ok else 'NOT met'}] {name}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
