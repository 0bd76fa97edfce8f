"""Columnar provider storage: a geo-sorted main block and a small append-only delta per kind."""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import scipy.sparse as sp

from matching import features as F

COMMON = (("id", np.int64), ("lat", np.float64), ("lon", np.float64), ("x", np.float64),
          ("y", np.float64), ("z", np.float64), ("cr2", np.float64), ("radius", np.float64),
          ("rep", np.float64), ("r_sum", np.float64), ("r_cnt", np.float64), ("done", np.float64),
          ("cancel", np.float64), ("rec", np.float64), ("doc", np.int64))
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
           "rec": 0.0, "doc": -1}
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


class Block:
    """Columns for one kind's providers plus a posting structure for sparse text scoring."""

    def __init__(self, kind: str, capacity: int = 64) -> None:
        self.kind = kind
        self.n = 0
        self.cols = {name: np.zeros(capacity, dtype) for name, dtype in schema(kind)}
        self.names: list[str] | np.ndarray = []  # a list in the delta, an object array in main
        self.tags: list[tuple[int, ...]] = []    # delta: global tag ids per row
        self.tag_ptr = np.zeros(1, np.int64)     # main: the same, packed (CSR)
        self.tag_ids = np.zeros(0, np.int64)
        self.max_radius = 0.0
        self.sorted = False
        # delta postings (row-major, appended lazily as (row, combined column, weight))
        self.posted = 0
        self.ent_row = np.zeros(0, np.int64)
        self.ent_col = np.zeros(0, np.int64)
        self.ent_val = np.zeros(0, np.float32)
        # main postings: key = column * n + row, sorted; plus latitude bands
        self.gkey = np.zeros(0, np.int64)
        self.pval = np.zeros(0, np.float32)
        self.band_deg = 1.0
        self.band_ids = np.zeros(0, np.int64)
        self.band_starts = np.zeros(1, np.int64)

    # --- delta side ------------------------------------------------------------------
    def append(self, row: Mapping, name: str, tag_ids: tuple[int, ...]) -> int:
        if self.n == len(self.cols["id"]):
            for key, arr in self.cols.items():
                self.cols[key] = np.concatenate([arr, np.zeros(max(64, len(arr)), arr.dtype)])
        i = self.n
        for key, arr in self.cols.items():
            arr[i] = row[key]
        self.names.append(name)
        self.tags.append(tag_ids)
        self.max_radius = max(self.max_radius, row["radius"])
        self.n += 1
        return i

    def sync_postings(self, vocab, tag_base: int) -> None:
        """Add posting entries for rows appended since the last query (delta blocks only)."""
        if self.posted >= self.n:
            return
        rows, cols, vals = [self.ent_row], [self.ent_col], [self.ent_val]
        for i in range(self.posted, self.n):
            tc, tv = vocab.row(int(self.cols["doc"][i]))
            tg = np.array(self.tags[i], dtype=np.int64) + tag_base
            rows.append(np.full(len(tc) + len(tg), i, np.int64))
            cols.append(np.concatenate([tc, tg]))
            vals.append(np.concatenate([tv, np.ones(len(tg), np.float32)]))
        self.ent_row, self.ent_col = np.concatenate(rows), np.concatenate(cols)
        self.ent_val = np.concatenate(vals).astype(np.float32)
        self.posted = self.n

    # --- main side ------------------------------------------------------------------
    def row_tags(self, row: int) -> list[int]:
        if self.sorted:
            return self.tag_ids[self.tag_ptr[row]:self.tag_ptr[row + 1]].tolist()
        return list(self.tags[row])

    def packed_tags(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lengths, flat tag ids) of the given rows, in that order."""
        if self.sorted:
            start, lens = self.tag_ptr[rows], self.tag_ptr[rows + 1] - self.tag_ptr[rows]
            return lens, self.tag_ids[ranges(start, lens)]
        picked = [self.tags[i] for i in rows.tolist()]
        lens = np.fromiter((len(t) for t in picked), np.int64, len(picked))
        return lens, np.fromiter((t for ts in picked for t in ts), np.int64, int(lens.sum()))

    @classmethod
    def build_sorted(cls, kind, cols, names: np.ndarray, tag_lens: np.ndarray, tag_ids: np.ndarray,
                     vocab, tag_base: int, n_tags: int) -> "Block":
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
        starts = np.cumsum(tag_lens) - tag_lens
        lens = tag_lens[order]
        blk.tag_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        blk.tag_ids = tag_ids[ranges(starts[order], lens)]
        blk.n = n
        band = band[order]
        blk.band_ids, first = np.unique(band, return_index=True)
        blk.band_starts = np.append(first, n).astype(np.int64)
        blk._build_postings(vocab, tag_base, n_tags)
        blk.sorted = True
        blk.posted = n
        return blk

    def _build_postings(self, vocab, tag_base: int, n_tags: int) -> None:
        n = self.n
        docs, inverse = np.unique(self.cols["doc"], return_inverse=True)
        parts = [vocab.row(int(d)) for d in docs]
        lens = np.array([len(c) for c, _ in parts], dtype=np.int64)
        unique = sp.csr_matrix(
            (np.concatenate([v for _, v in parts] + [np.zeros(0, np.float32)]),
             np.concatenate([c for c, _ in parts] + [np.zeros(0, np.int64)]),
             np.concatenate([[0], np.cumsum(lens)])), shape=(len(docs), tag_base))
        text = unique[inverse.ravel()]
        tagm = sp.csr_matrix((np.ones(len(self.tag_ids), np.float32), self.tag_ids, self.tag_ptr),
                             shape=(n, n_tags))
        csc = sp.hstack([text, tagm], format="csr").tocsc()
        counts = np.diff(csc.indptr)
        col = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        self.gkey = col * max(n, 1) + csc.indices.astype(np.int64)
        self.pval = csc.data.astype(np.float32)

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
        i0, i1 = np.searchsorted(self.band_ids, [b0, b1 + 1])
        lon_col = self.cols["lon"]
        out = []
        for i in range(i0, i1):
            s, e = int(self.band_starts[i]), int(self.band_starts[i + 1])
            if dlon >= 180 or lon - dlon < -180 or lon + dlon > 180:
                out.append((s, e))  # wrap-around or polar: read the whole band
                continue
            a, b = np.searchsorted(lon_col[s:e], [lon - dlon, lon + dlon + 1e-12])
            if b > a:
                out.append((s + int(a), s + int(b)))
        return out

    def text_scores(self, cols: np.ndarray, weights: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
        """Dot products of the rows in spans (concatenated) with the sparse query.

        Each row's terms are summed in ascending column order in both block layouts, so a
        provider scores bit-for-bit the same wherever it sits.
        """
        size = sum(hi - lo for lo, hi in spans)
        if not len(cols) or not size:
            return np.zeros(size)
        if not self.sorted:  # the delta: one span over every row
            pos = np.minimum(np.searchsorted(cols, self.ent_col), len(cols) - 1)
            w = np.where(cols[pos] == self.ent_col, weights[pos] * self.ent_val, 0.0)
            return np.bincount(self.ent_row, w, minlength=self.n)[spans[0][0]:spans[0][1]]
        lo = np.array([a for a, _ in spans], dtype=np.int64)
        width = np.array([b - a for a, b in spans], dtype=np.int64)
        offset = np.cumsum(width) - width
        # (column, span) pairs in ascending key order: numpy's binary search reuses the
        # previous answer for sorted keys, which saves most cache misses on a long gkey.
        base = (cols[:, None] * max(self.n, 1) + lo[None, :]).ravel()
        lb = np.searchsorted(self.gkey, base)
        lens = np.searchsorted(self.gkey, base + np.tile(width, len(cols))) - lb
        total = int(lens.sum())
        if total == 0:
            return np.zeros(size)
        at = np.repeat(lb - (np.cumsum(lens) - lens), lens) + np.arange(total)
        shift = base - np.tile(offset, len(cols))
        pos = self.gkey[at] - np.repeat(shift, lens)
        w = self.pval[at] * np.repeat(np.repeat(weights, len(spans)), lens)
        return np.bincount(pos, w, minlength=size)

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.cols["cr2"][: self.n] >= 0)


def ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenated aranges [start, start + len) without a Python loop."""
    total = int(lens.sum())
    return np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)


def extend(block: Block, cols: Mapping[str, np.ndarray], names: list[str], tags: list[tuple]) -> int:
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
    block.tags.extend(tags)
    if m:
        block.max_radius = max(block.max_radius, float(np.max(cols["radius"])))
    block.n = need
    return start
