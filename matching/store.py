"""Columnar provider storage: a geo-sorted main block and a small append-only delta per kind."""
from __future__ import annotations

import math
from bisect import bisect_left
from typing import Mapping

import numpy as np
import scipy.sparse as sp

from matching import features as F

COMMON = (("id", np.int64), ("lat", np.float64), ("lon", np.float64), ("x", np.float64),
          ("y", np.float64), ("z", np.float64), ("cr2", np.float64), ("radius", np.float64),
          ("rep", np.float64), ("r_sum", np.float64), ("r_cnt", np.float64), ("done", np.float64),
          ("cancel", np.float64), ("rec", np.float64), ("doc", np.int64), ("prof", np.int64))
KIND_COLS = {
    "volunteer": (("slots", np.int64), ("minutes", np.float64), ("exp", np.float64)),
    "organization": (("labels", np.uint64), ("capacity", np.int64), ("open", np.int64),
                     ("room", np.float64), ("reg", np.float64)),
    "social_worker": (("labels", np.uint64), ("level", np.float64)),
    "resource": (("labels", np.uint64), ("restricted", np.bool_), ("rkind", np.int64),
                 ("remaining", np.float64), ("t_from", np.float64), ("t_until", np.float64)),
}
TOMBSTONE = -1.0  # a cr2 below every squared chord: the radius cut drops the row for free
RADIUS_KEYS = {"volunteer": "travel_radius_km", "resource": "radius_km"}


def schema(kind: str):
    return COMMON + KIND_COLS[kind]


def label_mask(values, bits: Mapping[str, int]) -> int:
    mask = 0
    for v in values or ():
        b = bits.get(str(v).strip())
        if b is not None:
            mask |= 1 << b
    return mask


def parse_provider(kind: str, p: Mapping, bits: Mapping[str, int], params: Mapping[str, float]):
    """One provider dict to (column values, name, tag strings, document)."""
    lat, lon = float(p["lat"]), float(p["lon"])
    radius = float(p.get(RADIUS_KEYS.get(kind, "service_radius_km")) or 0.0)
    rep = p.get("reputation") or {}
    x, y, z = F.unit_vector(lat, lon)
    row = {"id": int(p["id"]), "lat": lat, "lon": lon, "x": x, "y": y, "z": z,
           "cr2": F.chord2_of_km(radius), "radius": radius, "rep": F.reputation(rep, params),
           "r_sum": float(rep.get("rating_sum") or 0.0), "r_cnt": float(rep.get("rating_count") or 0),
           "done": float(rep.get("completed") or 0), "cancel": float(rep.get("cancelled") or 0),
           "rec": 0.0, "doc": -1, "prof": -1}
    if kind == "volunteer":
        minutes = float(p.get("verified_minutes") or 0)
        row.update(slots=F.slot_mask(p.get("availability")), minutes=minutes,
                   exp=F.experience(minutes, params["experience_hours"]))
    elif kind == "organization":
        cap, open_ = int(p.get("capacity") or 0), int(p.get("open_projects") or 0)
        row.update(labels=label_mask(p.get("categories"), bits), capacity=cap, open=open_,
                   room=F.room(cap, open_), reg=F.REGISTRATION.get(p.get("registration"), 0.0))
    elif kind == "social_worker":
        row.update(labels=label_mask(p.get("specialties"), bits),
                   level=F.LEVELS.get(p.get("certificate_level"), 0.0))
    else:
        restricted = [c for c in (p.get("restricted_categories") or ()) if str(c).strip()]
        rkind = p.get("kind") or "material"
        is_fund = rkind == "fund"
        remaining = p.get("remaining_fen" if is_fund else "remaining_quantity")
        t_from, t_until = F.parse_time(p.get("available_from")), F.parse_time(p.get("available_until"))
        row.update(labels=label_mask(restricted, bits), restricted=bool(restricted),
                   rkind=F.RESOURCE_KINDS.index(rkind) if rkind in F.RESOURCE_KINDS else 1,
                   remaining=float(remaining or 0),
                   t_from=-math.inf if t_from is None else t_from,
                   t_until=math.inf if t_until is None else t_until)
    tags = F.provider_tags(kind, p)
    return row, str(p.get("name") or ""), tags, " ".join(tags)


class Profiles:
    """Interned tag sets: a provider's tags fix its document, so its whole text score.

    Most providers share a profile, so the main block scores each distinct profile once per
    query and gathers that score per row.
    """

    def __init__(self) -> None:
        self.ids: dict[tuple[int, ...], int] = {}
        self.tags: list[tuple[int, ...]] = []  # global tag ids, in the provider's tag order
        self.docs: list[int] = []              # vocabulary document id

        # postings of the profiles [0, n): CSC over combined columns (n-grams, then tags),
        # its rows the profiles; rebuilt whenever a main block is (re)built
        self.n = 0
        self.ptr = np.zeros(1, np.int64)
        self.row = np.zeros(0, np.int64)
        self.val = np.zeros(0, np.float32)

    def intern(self, tag_ids: tuple[int, ...], doc_id: int) -> int:
        got = self.ids.get(tag_ids)
        if got is None:
            got = self.ids[tag_ids] = len(self.tags)
            self.tags.append(tag_ids)
            self.docs.append(doc_id)
        return got

    def build_postings(self, vocab, tag_base: int, n_tags: int) -> None:
        n = len(self.tags)
        tcols, tvals, lens = [], [], []
        for tags, doc in zip(self.tags, self.docs):
            tc, tv = vocab.row(doc)
            tcols += (tc, np.array(tags, dtype=np.int64) + tag_base)
            tvals += (tv, np.ones(len(tags), np.float32))
            lens.append(len(tc) + len(tags))
        csr = sp.csr_matrix(
            (np.concatenate(tvals + [np.zeros(0, np.float32)]).astype(np.float32),
             np.concatenate(tcols + [np.zeros(0, np.int64)]),
             np.concatenate([[0], np.cumsum(lens, dtype=np.int64)])),
            shape=(n, tag_base + n_tags))
        csc = csr.tocsc()
        self.ptr = csc.indptr.astype(np.int64)
        self.row = csc.indices.astype(np.int64)
        self.val = csc.data.astype(np.float32)
        self.n = n

    def scores(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Dot products of every profile with the sparse query.

        Each profile's terms are summed in ascending column order, as Block.text_scores sums
        a delta row's, so a provider scores bit-for-bit the same in either block.
        """
        if len(cols) and cols[-1] >= len(self.ptr) - 1:  # tags first seen after the last build
            keep = cols < len(self.ptr) - 1
            cols, weights = cols[keep], weights[keep]
        if not len(cols):
            return np.zeros(self.n)
        starts = self.ptr[cols]
        lens = self.ptr[cols + 1] - starts
        at = ranges(starts, lens)
        return np.bincount(self.row[at], self.val[at] * np.repeat(weights, lens), minlength=self.n)


KEY_BAND = 1000.0  # slice key = band position * KEY_BAND + longitude + 180
KEY_EPS = 1e-7     # degrees (~1 cm): a slice may read a row more, never one less


class Block:
    """Columns for one kind's providers plus a posting structure for sparse text scoring."""

    def __init__(self, kind: str, capacity: int = 64) -> None:
        self.kind = kind
        self.n = 0
        self.cols = {name: np.zeros(capacity, dtype) for name, dtype in schema(kind)}
        self.names: list[str] | np.ndarray = []  # a list in the delta, an object array in main
        self.max_radius = 0.0
        self.sorted = False
        # delta postings (row-major, appended lazily as (row, combined column, weight))
        self.posted = 0
        self.ent_row = np.zeros(0, np.int64)
        self.ent_col = np.zeros(0, np.int64)
        self.ent_val = np.zeros(0, np.float32)
        # main: latitude bands and the slice key; rows score through their profile
        self.band_deg = 1.0
        self.band_ids = np.zeros(0, np.int64)
        self.band_list: list[int] = []
        self.band_starts = np.zeros(1, np.int64)
        self.key = np.zeros(0)

    # --- delta side ------------------------------------------------------------------
    def append(self, row: Mapping, name: str) -> int:
        if self.n == len(self.cols["id"]):
            for key, arr in self.cols.items():
                self.cols[key] = np.concatenate([arr, np.zeros(max(64, len(arr)), arr.dtype)])
        i = self.n
        for key, arr in self.cols.items():
            arr[i] = row[key]
        self.names.append(name)
        self.max_radius = max(self.max_radius, row["radius"])
        self.n += 1
        return i

    def sync_postings(self, vocab, tag_base: int, profiles: Profiles) -> None:
        """Add posting entries for rows appended since the last query (delta blocks only)."""
        if self.posted >= self.n:
            return
        rows, cols, vals = [self.ent_row], [self.ent_col], [self.ent_val]
        for i in range(self.posted, self.n):
            tc, tv = vocab.row(int(self.cols["doc"][i]))
            tg = np.array(profiles.tags[int(self.cols["prof"][i])], dtype=np.int64) + tag_base
            rows.append(np.full(len(tc) + len(tg), i, np.int64))
            cols.append(np.concatenate([tc, tg]))
            vals.append(np.concatenate([tv, np.ones(len(tg), np.float32)]))
        self.ent_row, self.ent_col = np.concatenate(rows), np.concatenate(cols)
        self.ent_val = np.concatenate(vals).astype(np.float32)
        self.posted = self.n

    # --- main side ------------------------------------------------------------------
    @classmethod
    def build_sorted(cls, kind, cols, names: np.ndarray) -> "Block":
        """A block sorted by (latitude band, longitude) so a radius query reads a few slices."""
        blk = cls(kind, capacity=0)
        n = len(cols["id"])
        blk.max_radius = float(cols["radius"].max()) if n else 0.0
        # Bands about twice the widest radius: a query disc then spans at most two bands.
        blk.band_deg = min(2.0, max(0.05, 2 * blk.max_radius / 111.195))
        band = np.floor(cols["lat"] / blk.band_deg).astype(np.int64)
        order = np.lexsort((cols["id"], cols["lon"], band))
        blk.cols = {k: np.ascontiguousarray(v[order]) for k, v in cols.items()}
        blk.names = names[order]
        blk.n = n
        band = band[order]
        blk.band_ids, first, pos = np.unique(band, return_index=True, return_inverse=True)
        blk.band_list = blk.band_ids.tolist()
        blk.band_starts = np.append(first, n).astype(np.int64)
        blk.key = pos.ravel() * KEY_BAND + (blk.cols["lon"] + 180.0)
        blk.sorted = True
        blk.posted = n
        return blk

    def slices(self, lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
        """Row ranges that hold every provider within radius_km of (lat, lon)."""
        if not self.sorted:
            return [(0, self.n)] if self.n else []
        angle = radius_km / F.EARTH_RADIUS_KM
        dlat = math.degrees(angle)
        edge = math.radians(abs(lat)) + angle
        ratio = math.sin(angle) / math.cos(edge) if edge < math.pi / 2 else 2.0
        dlon = math.degrees(math.asin(ratio)) if ratio < 1 else 360.0
        b0, b1 = math.floor((lat - dlat) / self.band_deg), math.floor((lat + dlat) / self.band_deg)
        i0, i1 = bisect_left(self.band_list, b0), bisect_left(self.band_list, b1 + 1)
        if i0 >= i1:
            return []
        if dlon >= 180 or lon - dlon < -180 or lon + dlon > 180:  # wrap-around or polar: whole bands
            return [(int(self.band_starts[i]), int(self.band_starts[i + 1])) for i in range(i0, i1)]
        a, b = lon - dlon + 180.0 - KEY_EPS, lon + dlon + 180.0 + KEY_EPS
        keys = []
        for i in range(i0, i1):
            keys += (i * KEY_BAND + a, i * KEY_BAND + b)
        got = np.searchsorted(self.key, keys).tolist()
        return [(got[j], got[j + 1]) for j in range(0, len(got), 2) if got[j + 1] > got[j]]

    def text_scores(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Dot products of every delta row with the sparse query."""
        if not len(cols) or not self.n:
            return np.zeros(self.n)
        pos = np.minimum(np.searchsorted(cols, self.ent_col), len(cols) - 1)
        w = np.where(cols[pos] == self.ent_col, weights[pos] * self.ent_val, 0.0)
        return np.bincount(self.ent_row, w, minlength=self.n)[: self.n]

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.cols["cr2"][: self.n] >= 0)


def ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenated aranges [start, start + len) without a Python loop."""
    total = int(lens.sum())
    return np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)


def extend(block: Block, cols: Mapping[str, np.ndarray], names: list[str]) -> int:
    """Append many rows at once (bulk loads); returns the first new row number."""
    start, m = block.n, len(names)
    need = start + m
    if need > len(block.cols["id"]):
        size = max(need, 2 * len(block.cols["id"]), 64)
        for key, arr in block.cols.items():
            grown = np.zeros(size, arr.dtype)
            grown[:start] = arr[:start]
            block.cols[key] = grown
    for key, arr in block.cols.items():
        arr[start:need] = cols[key]
    block.names.extend(names)
    if m:
        block.max_radius = max(block.max_radius, float(np.max(cols["radius"])))
    block.n = need
    return start
