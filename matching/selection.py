"""Choosing the k best scored rows across a kind's blocks, with ties broken by id; which of them the fairness
term moved down; and exact rounding."""

from __future__ import annotations

import numpy as np

from matching.store import Block

# One block's share of a ranking: the block, its candidate rows, their distances (km), their
# factors (one row per factor) and their total scores.
Part = tuple[Block, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
TIE_MARGIN = 1e-4  # keep every row within this of the k-th score, then order by rounded score, id


def top_rows(parts: list[Part], k: int) -> tuple[np.ndarray, list[float], list[int]]:
    """Positions (into the parts' rows, concatenated) of the k best, best first; and their
    rounded scores and ids. Ties on the rounded score go to the lower id, so the order never
    depends on storage order."""
    scores = parts[0][4] if len(parts) == 1 else np.concatenate([p[4] for p in parts])
    n = len(scores)
    if n > k:
        cut = float(np.partition(scores, n - k)[n - k])
        sel = (scores >= cut - TIE_MARGIN).nonzero()[0]
    else:
        sel = np.arange(n)
    # Rounded in bulk: np.round (here the method) is the one rounding rule shared with the reference.
    rounded = scores[sel].round(4)
    if len(parts) == 1:
        ids = parts[0][0].cols["id"][parts[0][1][sel]]
    else:
        ids = np.concatenate([blk.cols["id"][idx] for blk, idx, *_ in parts])[sel]
    order = np.lexsort((ids, -rounded))[:k]
    return sel[order], rounded[order].tolist(), ids[order].tolist()


def demoted(parts: list[Part], k: int, top: np.ndarray, spread_weight: float) -> list[bool]:
    """For each chosen row (`top`, best first): would it rank higher without the fairness term
    (`spread_weight` times the spread factor, the factor matrix's last row)? The same choice, by the
    same rule, over the scores less that term; a row outside that top k ranks no higher than k."""
    spread = parts[0][3][-1] if len(parts) == 1 else np.concatenate([p[3][-1] for p in parts])
    if not len(top) or bool((spread[top] >= 1.0).all()):
        return [False] * len(top)  # every shown row scores the whole term: none fell behind for it
    unfair = [(blk, idx, dist, f, s - spread_weight * f[-1]) for blk, idx, dist, f, s in parts]
    place = {int(p): r for r, p in enumerate(top_rows(unfair, k)[0].tolist())}
    return [place.get(p, k) < i for i, p in enumerate(top.tolist())]


def round2(x: np.ndarray) -> list[float]:
    """[round(v, 2) for v in x], exactly, mostly in NumPy.

    rint(v * 100) / 100 is Python's correctly rounded answer unless v * 100 lies within a
    rounding error of a half (where the two may pick different sides): those few values go
    through round() itself.
    """
    hundredths = x * 100
    out: list[float] = (np.rint(hundredths) / 100).tolist()
    for i in (np.abs(hundredths - np.floor(hundredths) - 0.5) < 1e-6).nonzero()[0].tolist():
        out[i] = round(float(x[i]), 2)
    return out
