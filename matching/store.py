"""Columnar provider storage: a geo-sorted main block and a small append-only delta per kind."""
from __future__ import annotations

import math
from bisect import bisect_left
from typing import Any, Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from matching import features as F
from matching.vocab import Vocabulary

# A provider as its reasons need it: (name, profile id, the kind's explain card).
Card = tuple[str, int, Any]
Schema = tuple[tuple[str, type[np.generic]], ...]

COMMON = (("id", np.int64), ("lat", np.float64), ("lon", np.float64), ("x", np.float64),
          ("y", np.float64), ("z", np.float64), ("cr2", np.float64), ("radius", np.float64),
          ("rep", np.float64), ("r_sum", np.float64), ("r_cnt", np.float64), ("done", np.float64),
          ("cancel", np.float64), ("rec", np.float64), ("doc", np.int64), ("prof", np.int64))
KIND_COLS = {
    "volunteer": (("slots", np.int64), ("minutes", np.float64), ("exp", np.float64), ("quals", np.int64),
                  ("leave", np.int64)),
    "organization": (("labels", np.uint64), ("capacity", np.int64), ("open", np.int64),
                     ("room", np.float64), ("reg", np.float64)),
    "social_worker": (("labels", np.uint64), ("level", np.float64), ("quals", np.int64)),
    "resource": (("labels", np.uint64), ("restricted", np.bool_), ("rkind", np.int64),
                 ("remaining", np.float64), ("t_from", np.float64), ("t_until", np.float64)),
}
_REPUTATION = ("r_sum", "r_cnt", "done", "cancel")
EXPLAINED = {  # what the reasons read besides the factors (explain.CARDS' arguments)
    "volunteer": _REPUTATION + ("slots", "minutes", "leave"),
    "organization": _REPUTATION + ("capacity", "open", "reg"),
    "social_worker": _REPUTATION + ("level", "labels", "cert_until", "sup_until"),
    "resource": _REPUTATION + ("rkind", "remaining", "restricted", "t_until", "unit"),
}
TOMBSTONE = -1.0  # a cr2 below every squared chord: the radius cut drops the row for free
RADIUS_KEYS = {"volunteer": "travel_radius_km", "resource": "radius_km"}
# Shared by every index of the process (values only, so sharing is harmless; forked batch
# children inherit them): a row's `quals` and `leave` columns are ids into these.
QUALS = F.Interned()
LEAVES = F.Interned()


def schema(kind: str) -> Schema:
    return COMMON + KIND_COLS[kind]


def label_mask(values: Iterable[Any] | None, bits: Mapping[str, int]) -> int:
    mask = 0
    for v in values or ():
        b = bits.get(str(v).strip())
        if b is not None:
            mask |= 1 << b
    return mask


def parse_provider(kind: str, p: Mapping[str, Any], bits: Mapping[str, int],
                   params: Mapping[str, float]) -> tuple[dict[str, Any], str, list[str], str]:
    """One provider dict to (column values, name, tag strings, document)."""
    lat, lon = float(p["lat"]), float(p["lon"])
    radius = float(p.get(RADIUS_KEYS.get(kind, "service_radius_km")) or 0.0)
    rep = p.get("reputation") or {}
    x, y, z = F.unit_vector(lat, lon)
    row: dict[str, Any] = {"id": int(p["id"]), "lat": lat, "lon": lon, "x": x, "y": y, "z": z,
           "cr2": F.chord2_of_km(radius), "radius": radius, "rep": F.reputation(rep, params),
           "r_sum": float(rep.get("rating_sum") or 0.0), "r_cnt": float(rep.get("rating_count") or 0),
           "done": float(rep.get("completed") or 0), "cancel": float(rep.get("cancelled") or 0),
           "rec": 0.0, "doc": -1, "prof": -1}
    if kind == "volunteer":
        minutes = float(p.get("verified_minutes") or 0)
        row.update(slots=F.slot_mask(p.get("availability")), minutes=minutes,
                   exp=F.experience(minutes, params["experience_hours"]),
                   quals=QUALS.id(F.parse_qualifications(p.get("qualifications"))),
                   leave=LEAVES.id(F.parse_leave(p.get("leave"))))
    elif kind == "organization":
        cap, open_ = int(p.get("capacity") or 0), int(p.get("open_projects") or 0)
        row.update(labels=label_mask(p.get("categories"), bits), capacity=cap, open=open_,
                   room=F.room(cap, open_), reg=F.REGISTRATION.get(p.get("registration", ""), 0.0))
    elif kind == "social_worker":
        row.update(labels=label_mask(p.get("specialties"), bits),
                   level=F.LEVELS.get(p.get("certificate_level", ""), 0.0),
                   quals=QUALS.id(F.parse_qualifications(p.get("qualifications"))),
                   # for the reasons only, not columns: certificate valid / 督导中 until (epoch seconds)
                   cert_until=F.day_end(p.get("certificate_expires_on")),
                   sup_until=F.day_end(p.get("supervised_until")) if p.get("supervised_until") else -math.inf)
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
                   t_until=math.inf if t_until is None else t_until,
                   unit=str(p.get("unit") or ""))  # for the reasons only (50 箱), not a column
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
        self.val = np.zeros(0)
        self.ptr_list = [0]

    def intern(self, tag_ids: tuple[int, ...], doc_id: int) -> int:
        got = self.ids.get(tag_ids)
        if got is None:
            got = self.ids[tag_ids] = len(self.tags)
            self.tags.append(tag_ids)
            self.docs.append(doc_id)
        return got

    def build_postings(self, vocab: Vocabulary, tag_base: int, n_tags: int) -> None:
        n = len(self.tags)
        tcols: list[np.ndarray] = []
        tvals: list[np.ndarray] = []
        lens: list[int] = []
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
        self.val = csc.data.astype(np.float64)  # float32 weights, widened once, not per query
        self.ptr_list = self.ptr.tolist()
        self.n = n

    def scores(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Dot products of every profile with the sparse query.

        Each profile's terms are summed in ascending column order, as Block.text_scores sums
        a delta row's, so a provider scores bit for bit the same in either block. The query's
        few posting lists are contiguous: copying them as slices beats gathering by position.
        """
        ptr, out = self.ptr_list, np.zeros(self.n)
        spans = [(ptr[c], ptr[c + 1]) for c in cols.tolist() if c < len(ptr) - 1]  # tags first seen
        if not spans:                                                    # after the last build: none
            return out
        rows = np.concatenate([self.row[a:b] for a, b in spans])
        vals = np.concatenate([self.val[a:b] for a, b in spans])
        vals *= np.repeat(weights[:len(spans)], [b - a for a, b in spans])
        np.add.at(out, rows, vals)  # in posting order, like bincount, and faster
        return out


KEY_BAND = 1000.0  # slice key = strip position * KEY_BAND + longitude + 180
KEY_EPS = 1e-7     # degrees (~1 cm): a slice may read a row more, never one less
STRIP_EPS = 1e-7   # degrees added to a strip's overlap, for the same reason


class Block:
    """Columns for one kind's providers plus a posting structure for sparse text scoring."""

    def __init__(self, kind: str, capacity: int = 64) -> None:
        self.kind = kind
        self.n = 0
        self.cols: dict[str, np.ndarray] = {name: np.zeros(capacity, dtype) for name, dtype in schema(kind)}
        # per row: (name, profile, explain card); a list in the delta, an object array in main
        self.cards: list[Card] | np.ndarray = []
        self.max_radius = 0.0
        self.sorted = False
        # delta postings (row-major, appended lazily as (row, combined column, weight))
        self.posted = 0
        self.ent_row = np.zeros(0, np.int64)
        self.ent_col = np.zeros(0, np.int64)
        self.ent_val = np.zeros(0, np.float32)
        # main: overlapping latitude strips (see build_strips); rows score through their profile
        self.strip_deg = 1.0
        self.strip_list: list[int] = []
        self.strip_starts = np.zeros(1, np.int64)
        self.key = np.zeros(0)
        self.geo = np.zeros((4, 0))                # x, y, z, cr2 per strip entry
        self.entry_row = np.zeros(0, np.int64)     # the main row each strip entry copies
        self.entries_of = np.zeros(0, np.int64)    # strip entries grouped by row...
        self.entries_at = np.zeros(1, np.int64)    # ...and where each row's group starts

    # --- delta side ------------------------------------------------------------------
    def append(self, row: Mapping[str, Any], card: Card) -> int:
        assert isinstance(self.cards, list), "only a delta block grows"
        if self.n == len(self.cols["id"]):
            for key, arr in self.cols.items():
                self.cols[key] = np.concatenate([arr, np.zeros(max(64, len(arr)), arr.dtype)])
        i = self.n
        for key, arr in self.cols.items():
            arr[i] = row[key]
        self.cards.append(card)
        self.max_radius = max(self.max_radius, row["radius"])
        self.n += 1
        return i

    def sync_postings(self, vocab: Vocabulary, tag_base: int, profiles: Profiles) -> None:
        """Add posting entries for rows appended since the last query (delta blocks only): for the
        rows of profiles the shared postings lack (built since; scorer.candidates scores the others
        through them), so a stream of changed providers adds nothing here."""
        if self.posted >= self.n:
            return
        rows, cols, vals = [self.ent_row], [self.ent_col], [self.ent_val]
        fresh = [i for i, prof in enumerate(self.cols["prof"][self.posted:self.n].tolist(), self.posted)
                 if prof >= profiles.n]
        self.posted = self.n
        if not fresh:
            return
        for i in fresh:
            tc, tv = vocab.row(int(self.cols["doc"][i]))
            tg = np.array(profiles.tags[int(self.cols["prof"][i])], dtype=np.int64) + tag_base
            rows.append(np.full(len(tc) + len(tg), i, np.int64))
            cols.append(np.concatenate([tc, tg]))
            vals.append(np.concatenate([tv, np.ones(len(tg), np.float32)]))
        self.ent_row, self.ent_col = np.concatenate(rows), np.concatenate(cols)
        self.ent_val = np.concatenate(vals).astype(np.float32)

    # --- main side ------------------------------------------------------------------
    @classmethod
    def build_sorted(cls, kind: str, cols: dict[str, np.ndarray], cards: np.ndarray) -> Block:
        """A block sorted by (latitude band, longitude), plus the strips a radius query reads."""
        blk = cls(kind, capacity=0)
        n = len(cols["id"])
        blk.max_radius = float(cols["radius"].max()) if n else 0.0
        # Strips overlap by the widest radius on each side, so a query disc always lies in the
        # one strip of its centre; cores twice that margin put each row in about two strips.
        reach = math.degrees(blk.max_radius / F.EARTH_RADIUS_KM) * (1 + 1e-9) + STRIP_EPS
        blk.strip_deg = max(0.05, 2 * reach)
        band = np.floor(cols["lat"] / blk.strip_deg).astype(np.int64)
        order = np.lexsort((cols["id"], cols["lon"], band))
        blk.cols = {k: np.ascontiguousarray(v[order]) for k, v in cols.items()}
        blk.cards = cards[order]
        blk.n = n
        blk.build_strips(reach)
        blk.sorted = True
        blk.posted = n
        return blk

    def build_strips(self, reach: float) -> None:
        """Copy each row's geometry into every strip within `reach` degrees of its latitude.

        Strip s holds the rows with latitude in [s - reach, s + 1 + reach) strip widths,
        sorted by longitude: a query reads one contiguous range of one strip, so the radius
        cut runs on a packed x, y, z, cr2 block with no concatenation or gather first.
        """
        lat, lon, n = self.cols["lat"], self.cols["lon"], self.n
        first = np.floor((lat - reach) / self.strip_deg).astype(np.int64)
        copies = np.floor((lat + reach) / self.strip_deg).astype(np.int64) - first + 1
        rows = np.repeat(np.arange(n, dtype=np.int64), copies)
        strip = np.repeat(first - np.cumsum(copies) + copies, copies) + np.arange(len(rows))
        order = np.lexsort((rows, lon[rows], strip))
        rows, strip = rows[order], strip[order]
        ids, at, pos = np.unique(strip, return_index=True, return_inverse=True)
        self.strip_list = ids.tolist()
        self.strip_starts = np.append(at, len(rows)).astype(np.int64)
        self.key = pos.ravel() * KEY_BAND + (lon[rows] + 180.0)
        self.geo = np.stack([self.cols[c][rows] for c in ("x", "y", "z", "cr2")])
        self.entry_row = rows
        self.entries_of = np.argsort(rows, kind="stable")
        self.entries_at = np.concatenate([[0], np.cumsum(copies)]).astype(np.int64)

    def tombstone(self, row: int) -> None:
        """Drop a row: a negative radius fails every radius cut, here and in its strip copies."""
        self.cols["cr2"][row] = TOMBSTONE
        if self.sorted:
            self.geo[3, self.entries_of[self.entries_at[row]:self.entries_at[row + 1]]] = TOMBSTONE

    def strip_range(self, lat: float, lon: float, radius_km: float) -> tuple[int, int]:
        """The strip entries [lo, hi) that hold every provider within radius_km of (lat, lon)."""
        i = bisect_left(self.strip_list, math.floor(lat / self.strip_deg))
        if i == len(self.strip_list) or self.strip_list[i] != math.floor(lat / self.strip_deg):
            return 0, 0
        lo, hi = int(self.strip_starts[i]), int(self.strip_starts[i + 1])
        angle = radius_km / F.EARTH_RADIUS_KM
        edge = math.radians(abs(lat)) + angle
        ratio = math.sin(angle) / math.cos(edge) if edge < math.pi / 2 else 2.0
        dlon = math.degrees(math.asin(ratio)) if ratio < 1 else 360.0
        if dlon >= 180 or lon - dlon < -180 or lon + dlon > 180:  # wrap-around or polar: all of it
            return lo, hi
        base = i * KEY_BAND + 180.0
        a, b = np.searchsorted(self.key, (base + lon - dlon - KEY_EPS, base + lon + dlon + KEY_EPS)).tolist()
        return a, b

    def text_scores(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Dot products of every delta row with the sparse query."""
        if not len(cols) or not self.n:
            return np.zeros(self.n)
        pos = np.minimum(np.searchsorted(cols, self.ent_col), len(cols) - 1)
        w = np.where(cols[pos] == self.ent_col, weights[pos] * self.ent_val, 0.0)
        return np.bincount(self.ent_row, w, minlength=self.n)[: self.n]

    def cards_of(self, rows: np.ndarray) -> list[Card]:
        """The cards of these rows, in their order."""
        if isinstance(self.cards, np.ndarray):
            return list(self.cards[rows].tolist())
        return [self.cards[r] for r in rows.tolist()]

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.cols["cr2"][: self.n] >= 0)


def extend(block: Block, cols: Mapping[str, np.ndarray], cards: list[Card]) -> int:
    """Append many rows at once (bulk loads); returns the first new row number."""
    assert isinstance(block.cards, list), "only a delta block grows"
    start, m = block.n, len(cards)
    need = start + m
    if need > len(block.cols["id"]):
        size = max(need, 2 * len(block.cols["id"]), 64)
        for key, arr in block.cols.items():
            grown = np.zeros(size, arr.dtype)
            grown[:start] = arr[:start]
            block.cols[key] = grown
    for key, arr in block.cols.items():
        arr[start:need] = cols[key]
    block.cards.extend(cards)
    if m:
        block.max_radius = max(block.max_radius, float(np.max(cols["radius"])))
    block.n = need
    return start


def objects(items: list[Card] | np.ndarray) -> np.ndarray:
    """A 1-d object array of `items` (np.asarray would read a list of tuples as a matrix)."""
    if isinstance(items, np.ndarray):
        return items
    return np.fromiter(items, dtype=object, count=len(items))
