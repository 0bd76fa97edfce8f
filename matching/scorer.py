"""Vectorised scoring: a compiled need against the candidate rows of one block."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from matching import features as F
from matching.store import LEAVES, QUALS, Block, Profiles
from matching.vocab import Vocabulary

if TYPE_CHECKING:
    from matching.explain import Context

Candidates = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass
class Query:
    """A need compiled once per rank(): unit vector, sparse text+tag query, masks, window."""

    need: Mapping[str, Any]
    lat: float
    lon: float
    xyz: tuple[float, float, float]
    xyz_column: np.ndarray  # the same, shaped (3, 1) to broadcast over a strip's x, y, z rows
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
    qualification: str = ""  # the need's required qualification ("" = none): a hard cut
    tag_ids: tuple[tuple[str, int], ...] = ()  # (tag, tag id) in tag_order, for the reasons
    explain: Context | None = None  # built once per rank()
    profile_scores: np.ndarray | None = None  # text score per profile, worked out on first use


def compile_need(need: Mapping[str, Any], vocab: Vocabulary, tag_ids: Mapping[str, int], bits: Mapping[str, int],
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
    xyz = F.unit_vector(lat, lon)
    return Query(
        need=need, lat=lat, lon=lon, xyz=xyz, xyz_column=np.array(xyz).reshape(3, 1), cols=cols, weights=weights,
        tags=tags, tag_order=tuple(dict.fromkeys(F.need_tags_in_order(need))), cat_bit=bits.get(need.get("category") or "", -1),
        group_mask=sum(1 << b for b in group_bits), groups=len(group_bits),
        slots=F.window_slot_mask(start, end),
        start=now if start is None else start,
        end=math.inf if end is None else (end if end > (start or 0) else (start or now) + 3600),
        now=now, budget=float(need.get("budget_fen") or 0),
        qualification=str(need.get("qualification_required") or ""),
    )


def candidates(block: Block, q: Query, profiles: Profiles) -> Candidates:
    """Rows inside their own radius (hard cut), with squared chord and skill score."""
    if block.sorted:
        return _main_candidates(block, q, profiles)
    n = block.n
    cols = block.cols
    qx, qy, qz = q.xyz
    c2 = cols["x"][:n] - qx
    c2 *= c2
    d = cols["y"][:n] - qy
    d *= d
    c2 += d
    d = cols["z"][:n] - qz
    d *= d
    c2 += d
    idx = np.flatnonzero(c2 <= cols["cr2"][:n])
    # A delta row whose profile the shared postings already hold scores through it, as a main
    # row does (the same sums); only rows of a profile new since the last build read the delta's
    # own postings, which then hold those rows alone (Block.sync_postings).
    if q.profile_scores is None:
        q.profile_scores = profiles.scores(q.cols, q.weights)
    prof = cols["prof"][idx]
    known = prof < profiles.n
    if known.all():
        skill = q.profile_scores[prof]
    else:
        skill = block.text_scores(q.cols, q.weights)[idx]
        skill[known] = q.profile_scores[prof[known]]
    return idx, c2[idx], np.minimum(skill, 1.0, out=skill)


def _main_candidates(block: Block, q: Query, profiles: Profiles) -> Candidates:
    lo, hi = block.strip_range(q.lat, q.lon, block.max_radius)
    if lo == hi:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    geo = block.geo
    d = geo[:3, lo:hi] - q.xyz_column  # the delta's operations, in the same order, three rows at once
    d *= d
    c2 = d[0] + d[1]
    c2 += d[2]
    loc = (c2 <= geo[3, lo:hi]).nonzero()[0]  # methods, not np.* wrappers: ~1 µs a call less
    idx = block.entry_row[lo:hi][loc]
    if q.profile_scores is None:  # once per rank(), shared by the four kinds
        q.profile_scores = profiles.scores(q.cols, q.weights)
    skill = q.profile_scores[block.cols["prof"][idx]]
    return idx, c2[loc], np.minimum(skill, 1.0, out=skill)


def _bit(labels: np.ndarray, bit: int) -> np.ndarray:
    if bit < 0:
        return np.zeros(len(labels))
    return ((labels >> np.uint64(bit)) & np.uint64(1)).astype(np.float64)


def qualified(ids: np.ndarray, kind: str, at: float) -> np.ndarray:
    """Which rows' qualification sets (ids into store.QUALS) hold `kind` valid at `at`."""
    uniq, inverse = np.unique(ids, return_inverse=True)
    ok = np.array([u != 0 and F.holds(QUALS.items[u], kind, at) for u in uniq.tolist()], dtype=bool)
    return ok[inverse]


def leave_rows(ids: np.ndarray, start: float, end: float) -> np.ndarray:
    """Positions of the rows whose leave (ids into store.LEAVES) overlaps [start, end)."""
    some = ids.nonzero()[0]
    if not len(some):
        return some
    away = {u for u in set(ids[some].tolist()) if F.on_leave(LEAVES.items[u], start, end)}
    return some[[int(i) in away for i in ids[some].tolist()]] if away else some[:0]


def window(q: Query) -> tuple[float, float]:
    """The need's window as leave is checked against it (an open end counts as one hour)."""
    return q.start, q.end if q.end != math.inf else q.start + 3600


def factors(kind: str, block: Block, idx: np.ndarray, c2: np.ndarray, skill: np.ndarray,
            q: Query, params: Mapping[str, float], half_km: float) -> Candidates:
    """(rows kept by the kind's hard constraints, distance km, factor matrix for those rows).

    The matrix has one row per factor in FACTORS[kind] order (the weights' order).
    """
    col = block.cols
    if kind == "resource":  # hard constraints first: the factors are then worked out for fewer rows
        labels = col["labels"][idx]
        restricted = col["restricted"][idx]
        keep = ((col["remaining"][idx] > 0)
                & (col["t_until"][idx] >= max(q.now, q.start))
                & (col["t_from"][idx] <= q.end))
        if q.cat_bit >= 0:
            keep &= ~restricted | (((labels >> np.uint64(q.cat_bit)) & np.uint64(1)) > 0)
        else:
            keep &= ~restricted
        if not keep.all():
            sel = keep.nonzero()[0]
            idx, c2, skill, restricted = idx[sel], c2[sel], skill[sel], restricted[sel]
    if q.qualification and kind in ("volunteer", "social_worker"):  # hard: without it, not ranked
        sel = qualified(col["quals"][idx], q.qualification, q.start).nonzero()[0]
        idx, c2, skill = idx[sel], c2[sel], skill[sel]
    m = len(idx)
    nf = 5 if kind == "social_worker" else 6
    f = np.empty((nf, m))
    f[0] = skill
    dist = np.sqrt(c2)
    dist *= 0.5
    np.minimum(dist, 1.0, out=dist)
    np.arcsin(dist, out=dist)
    dist *= 2 * F.EARTH_RADIUS_KM
    np.divide(dist, -half_km, out=f[1])  # == -dist / half_km, bit for bit
    np.exp2(f[1], out=f[1])
    unknown = params["unknown"]
    if kind == "volunteer":
        if q.slots:
            np.divide(np.bitwise_count(np.bitwise_and(col["slots"][idx], q.slots)), F.popcount(q.slots), out=f[2])
        else:
            f[2] = unknown
        away = leave_rows(col["leave"][idx], *window(q))
        if len(away):  # soft: on leave in the need's window reads as not free at all
            f[2][away] = 0.0
        col["exp"].take(idx, out=f[3])
    elif kind == "organization":
        col["room"].take(idx, out=f[2])
        np.multiply(_bit(col["labels"][idx], q.cat_bit), 0.7, out=f[3])
        f[3] += 0.3 * col["reg"][idx]
    elif kind == "social_worker":
        labels = col["labels"][idx]
        if q.groups:
            cover = np.bitwise_count(labels & np.uint64(q.group_mask)) / q.groups
        else:
            cover = np.full(m, unknown)
        np.multiply(col["level"][idx], 0.3, out=f[2])
        f[2] += 0.4 * _bit(labels, q.cat_bit)
        f[2] += 0.3 * cover
    else:
        fund = col["rkind"][idx] == 0
        if q.budget > 0:
            f[2] = np.where(fund, np.minimum(1.0, col["remaining"][idx] / q.budget), 0.5)
        else:
            f[2] = np.where(fund, F.NO_BUDGET_FUND, 1.0)
        f[3] = np.where(restricted, 1.0, 0.6)
    col["rep"].take(idx, out=f[nf - 2])
    spread = f[nf - 1]
    col["rec"].take(idx, out=spread)
    spread /= params["spread_half"]
    spread += 1.0
    np.divide(1.0, spread, out=spread)
    return idx, dist, f


def total(f: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Weighted sum over the factor rows, in the fixed factor order (the reference's sums).

    All products in one call, then the rows added in order: the same operations as
    w0*f0 + w1*f1 + ... term by term, so the same bits.
    """
    terms = f * np.asarray(weights)[:, None]
    out: np.ndarray = terms[0] + terms[1]
    for i in range(2, len(terms)):
        out += terms[i]
    return out
