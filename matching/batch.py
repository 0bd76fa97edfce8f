"""Ranking many needs at once: forked children share the provider index copy-on-write."""

from __future__ import annotations

import gc
import multiprocessing as mp
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:
    from matching.index import ProviderIndex, Ranking

PARENT_SHARE = 0.7  # of a child's share of a batch

# What the forked children rank with: set before the fork, so they inherit it instead of a pickle.
_BATCH: tuple[ProviderIndex, int, tuple[str, ...]] | None = None


def rank_batch(
    index: ProviderIndex, needs: list[Mapping[str, Any]], k: int, workers: int, kinds: tuple[str, ...]
) -> list[Ranking]:
    """index.rank() for each need, in order; the caller has made the index ready to rank."""
    global _BATCH
    if workers <= 1 or len(needs) < 4 * workers or "fork" not in mp.get_all_start_methods():
        return [index.rank(n, k, kinds) for n in needs]
    _BATCH = (index, k, kinds)
    # The parent ranks a smaller share: it also unpickles every child's answers (~0.7 ms
    # a need, about a third of ranking one), and all should finish together.
    shares = np.array([PARENT_SHARE] + [1.0] * (workers - 1))
    bounds = np.round(np.concatenate([[0], np.cumsum(shares)]) / shares.sum() * len(needs)).astype(int).tolist()
    chunks = [needs[a:b] for a, b in zip(bounds, bounds[1:])]
    # Freeze the heap first: a collection in a child would otherwise touch (and so copy)
    # every page of the parent's objects, which costs more than the ranking itself.
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_rank_chunk, chunks[1:])
            mine = _rank_chunk(chunks[0])  # the parent takes the first share itself
            rest = pending.get()
    finally:
        gc.unfreeze()
        _BATCH = None
    return mine + [r for part in rest for r in part]


def _rank_chunk(needs: list[Mapping[str, Any]]) -> list[Ranking]:
    assert _BATCH is not None, "set by rank_batch before the fork"
    index, k, kinds = _BATCH
    return [index.rank(n, k, kinds) for n in needs]
