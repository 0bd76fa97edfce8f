"""Vectorised scoring: a compiled need against the candidate rows of one block."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from matching import features as F
from matching.store import Block


@dataclass
class Query:
    """A need compiled once per rank(): unit vector, sparse text+tag query, masks, window."""

    need: Mapping
    lat: float
    lon: float
    xyz: tuple[float, float, float]
    cols: np.ndarray       # combined columns: n-grams, then tag_base + tag id; ascending
    weights: np.ndarray    # share * tfidf, then (1 - share) / number of need tags
    tags: tuple[str, ...]
    tag_order: tuple[str, ...]  # the need's skills then category, as the worker typed them
    cat_bit: int           # -1 when the category is outside the label space
    group_mask: int
    groups: int
    slots: int
    start: float
    end: float
    now: float
    budget: float
    tag_ids: list = None   # (tag, tag id) in tag_order, for the reasons
    explain: object = None  # explain.Context, built once per rank()


def compile_need(need: Mapping, vocab, tag_ids: Mapping[str, int], bits: Mapping[str, int],
                 params: Mapping[str, float], now: float) -> Query:
    text_cols, text_w = vocab.query(F.need_doc(need))
    tags = tuple(F.need_tags(need))
    known = sorted(vocab.size + tag_ids[t] for t in tags if t in tag_ids)
    share = params["tfidf_share"]
    cols = np.concatenate([text_cols, np.array(known, dtype=np.int64)])
    weights = np.concatenate([share * text_w, np.full(len(known), (1 - share) / max(1, len(tags)))])
    start = F.parse_time(need.get("starts_at"))
    end = F.parse_time(need.get("ends_at"))
    group_bits = [bits[g] for g in set(need.get("target_groups") or ()) if g in bits]
    lat, lon = float(need["lat"]), float(need["lon"])
    return Query(
        need=need, lat=lat, lon=lon, xyz=F.unit_vector(lat, lon), cols=cols, weights=weights,
        tags=tags, tag_order=tuple(dict.fromkeys(F.need_tags_in_order(need))), cat_bit=bits.get(need.get("category") or "", -1),
        group_mask=sum(1 << b for b in group_bits), groups=len(group_bits),
        slots=F.window_slot_mask(start, end),
        start=now if start is None else start,
        end=math.inf if end is None else (end if end > (start or 0) else (start or now) + 3600),
        now=now, budget=float(need.get("budget_fen") or 0),
    )


def candidates(block: Block, q: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows inside their own radius (hard cut), with squared chord and skill score."""
    spans = block.slices(q.lat, q.lon, block.max_radius)
    if not spans:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    cols = block.cols
    if len(spans) == 1:
        lo, hi = spans[0]
        x, y, z, cr2 = cols["x"][lo:hi], cols["y"][lo:hi], cols["z"][lo:hi], cols["cr2"][lo:hi]
    else:  # a few latitude bands: gather them once rather than loop per band
        rows = np.concatenate([np.arange(lo, hi) for lo, hi in spans])
        x, y, z, cr2 = cols["x"][rows], cols["y"][rows], cols["z"][rows], cols["cr2"][rows]
    qx, qy, qz = q.xyz
    c2 = x - qx
    c2 *= c2
    d = y - qy
    d *= d
    c2 += d
    d = z - qz
    d *= d
    c2 += d
    loc = np.flatnonzero(c2 <= cr2)
    idx = loc + spans[0][0] if len(spans) == 1 else rows[loc]
    skill = block.text_scores(q.cols, q.weights, spans)[loc]
    return idx, c2[loc], np.minimum(skill, 1.0, out=skill)


def _bit(labels: np.ndarray, bit: int) -> np.ndarray:
    if bit < 0:
        return np.zeros(len(labels))
    return ((labels >> np.uint64(bit)) & np.uint64(1)).astype(np.float64)


def factors(kind: str, block: Block, idx: np.ndarray, c2: np.ndarray, skill: np.ndarray,
            q: Query, params: Mapping[str, float], half_km: float):
    """(rows kept by the kind's hard constraints, distance km, factor arrays for those rows)."""
    col = block.cols
    dist = (2 * F.EARTH_RADIUS_KM) * np.arcsin(np.minimum(1.0, np.sqrt(c2) * 0.5))
    unknown = params["unknown"]
    f = {"skill": skill, "distance": np.exp2(-dist / half_km)}
    if kind == "volunteer":
        if q.slots:
            both = np.bitwise_and(col["slots"][idx], q.slots)
            f["availability"] = np.bitwise_count(both) / F.popcount(q.slots)
        else:
            f["availability"] = np.full(len(idx), unknown)
        f["professional"] = col["exp"][idx]
    elif kind == "organization":
        f["capacity"] = col["room"][idx]
        f["professional"] = 0.7 * _bit(col["labels"][idx], q.cat_bit) + 0.3 * col["reg"][idx]
    elif kind == "social_worker":
        labels = col["labels"][idx]
        if q.groups:
            cover = np.bitwise_count(labels & np.uint64(q.group_mask)) / q.groups
        else:
            cover = np.full(len(idx), unknown)
        f["professional"] = 0.3 * col["level"][idx] + 0.4 * _bit(labels, q.cat_bit) + 0.3 * cover
    else:
        restricted = col["restricted"][idx]
        keep = ((col["remaining"][idx] > 0)
                & (col["t_until"][idx] >= max(q.now, q.start))
                & (col["t_from"][idx] <= q.end)
                & (~restricted | (_bit(col["labels"][idx], q.cat_bit) > 0)))
        sel = np.flatnonzero(keep)
        idx, dist, restricted = idx[sel], dist[sel], restricted[sel]
        f = {k: v[sel] for k, v in f.items()}
        fund = col["rkind"][idx] == 0
        if q.budget > 0:
            cap = np.where(fund, np.minimum(1.0, col["remaining"][idx] / q.budget), 0.5)
        else:
            cap = np.where(fund, F.NO_BUDGET_FUND, 1.0)
        f["capacity"] = cap
        f["professional"] = np.where(restricted, 1.0, 0.6)
    f["reputation"] = col["rep"][idx]
    f["spread"] = 1.0 / (1.0 + col["rec"][idx] / params["spread_half"])
    return idx, dist, f


def total(f: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    out = None
    for name, w in weights.items():  # fixed factor order: same float sums as the reference
        term = w * f[name]
        out = term if out is None else out + term
    return out
