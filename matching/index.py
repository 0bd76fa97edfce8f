"""ProviderIndex: upsert/remove providers, rank them for a need, explain every entry."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from linkage.catalogue import PROVIDER_KINDS
from matching import batch, explain, scorer
from matching.joined import Joined
from matching.selection import Part, demoted, round2, top_rows
from matching.store import EXPLAINED, TOMBSTONE, Block, Card, Profiles, extend, objects, parse_provider, schema
from matching.vocab import Vocabulary, intern
from matching.weights import FACTORS, Weights, load_weights

Entry = dict[str, Any]  # one ranked provider, as need.matched events carry it
Ranking = dict[str, list[Entry]]  # per kind, best first

PHRASE_LIMIT = 1 << 16  # entries per phrase memo, emptied when full (tag sets, whose memos nest: 1/16th)
BULK_CHUNK = 50_000


class _KindStore:
    """One kind: the sorted main block, the delta, and where each live id sits."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.main = Block(kind, 0)
        self.delta = Block(kind)
        self.in_delta: dict[int, int] = {}  # id -> delta row
        self.by_id = np.zeros(0, np.int64)  # main rows ordered by id...
        self.sorted_ids = np.zeros(0, np.int64)  # ...and those ids, for binary search
        self.main_live = 0

    def __len__(self) -> int:
        return self.main_live + len(self.in_delta)

    def find(self, pid: int) -> tuple[Block, int] | None:
        row = self.in_delta.get(pid)
        if row is not None:
            return self.delta, row
        i = int(np.searchsorted(self.sorted_ids, pid))
        if i < len(self.sorted_ids) and self.sorted_ids[i] == pid:
            row = int(self.by_id[i])
            if self.main.cols["cr2"][row] >= 0:
                return self.main, row
        return None


class ProviderIndex:
    """All active providers of the four kinds, held as columns for vectorised ranking."""

    def __init__(self, weights: Weights | None = None, now: Callable[[], datetime] | None = None) -> None:
        self.weights = weights or load_weights()
        self._params = dict(self.weights.params)
        self._now = now or (lambda: datetime.now(timezone.utc))
        labels = list(dict.fromkeys(self.weights.categories + self.weights.target_groups))[:64]
        self._bits = {label: i for i, label in enumerate(labels)}
        self._labels = labels
        self._vocab = Vocabulary()
        self._tag_ids: dict[str, int] = {}
        self._tag_names: list[str] = []
        self._profiles = Profiles()
        self._kinds = {k: _KindStore(k) for k in PROVIDER_KINDS}
        self._since_refit = 0
        self._fitted_on = 0
        self._aged_at: float | None = None
        # Phrase memos shared by every rank(): free slots, served groups, matched tags per
        # profile. Needs repeat their tags and windows, so most phrases are found, not built.
        self._phrases: explain.Phrases = {}
        self._serves: explain.Serves = {}
        self._said: dict[tuple[str, tuple[tuple[str, int], ...]], dict[int, str | None]] = {}
        self._kind_weights = {
            k: (tuple(self.weights.of(k)[name] for name in FACTORS[k]), self.weights.distance_half_km[k])
            for k in PROVIDER_KINDS
        }

    # --- size -------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(s) for s in self._kinds.values())

    def size(self, kind: str) -> int:
        return len(self._store(kind))

    def _store(self, kind: str) -> _KindStore:
        try:
            return self._kinds[kind]
        except KeyError:
            raise ValueError(f"unknown provider kind {kind!r}; expected one of {PROVIDER_KINDS}") from None

    # --- writes -----------------------------------------------------------------------
    def _tag_id(self, tag: str) -> int:
        return intern(self._tag_ids, self._tag_names, tag)

    def _drop(self, st: _KindStore, pid: int) -> float:
        """Tombstone a provider's row; returns its recommendation count to carry over."""
        where = st.find(pid)
        if where is None:
            return 0.0
        blk, row = where
        if blk is st.delta:
            del st.in_delta[pid]
        else:
            st.main_live -= 1
        blk.tombstone(row)
        return float(blk.cols["rec"][row])

    def _parse(self, kind: str, provider: Mapping[str, Any], rec: float) -> tuple[dict[str, Any], Card]:
        row, name, tags, doc = parse_provider(kind, provider, self._bits, self._params)
        tag_ids = tuple(self._tag_id(t) for t in tags)
        prof = self._profiles.ids.get(tag_ids)
        if prof is None:
            prof = self._profiles.intern(tag_ids, self._vocab.intern(doc))
        row["doc"] = self._profiles.docs[prof]
        row["prof"] = prof
        row["rec"] = rec
        # Worked out once here, not per rank(): the reasons' parts that depend on the provider alone.
        card: Card = (name, prof, explain.CARDS[kind](*(row[c] for c in EXPLAINED[kind])))
        return row, card

    def upsert(self, kind: str, provider: Mapping[str, Any]) -> None:
        """Insert or replace one provider; an inactive one is removed."""
        st = self._store(kind)
        pid = int(provider["id"])
        rec = self._drop(st, pid)
        if not provider.get("active", True):
            return
        row, card = self._parse(kind, provider, rec)
        st.in_delta[pid] = st.delta.append(row, card)
        self._since_refit += 1
        if self._vocab.fitted and self._since_refit >= self._params["refit_every"]:
            self.refit()
        elif self._vocab.fitted and st.delta.n >= self._params["compact_every"]:
            self._compact(kind)

    def upsert_many(self, kind: str, providers: Iterable[Mapping[str, Any]]) -> None:
        """Bulk load (start-up, replays): parse in chunks, then re-sort the kind once its delta is
        as large as upsert() lets one grow (a poll's few changes stay in the delta, as upsert's do:
        re-sorting the whole kind for them cost milliseconds a provider)."""
        st = self._store(kind)
        chunk: list[Mapping[str, Any]] = []
        for p in providers:
            chunk.append(p)
            if len(chunk) >= BULK_CHUNK:
                self._load_chunk(st, chunk)
                chunk = []
        self._load_chunk(st, chunk)
        if self._vocab.fitted and st.delta.n >= self._params["compact_every"]:
            self._compact(kind)

    def _load_chunk(self, st: _KindStore, chunk: list[Mapping[str, Any]]) -> None:
        rows: list[dict[str, Any]] = []
        cards: list[Card] = []
        pending: dict[int, int] = {}  # id -> its row in this chunk; a later record replaces it
        for p in chunk:
            pid = int(p["id"])
            if pid in pending:
                rec = rows[pending.pop(pid)]["rec"]
            else:
                rec = self._drop(st, pid)
            if not p.get("active", True):
                continue
            row, card = self._parse(st.kind, p, rec)
            pending[pid] = len(rows)
            rows.append(row)
            cards.append(card)
        if not rows:
            return
        live = set(pending.values())
        for i, row in enumerate(rows):
            if i not in live:
                row["cr2"] = TOMBSTONE
        cols = {name: np.array([r[name] for r in rows], dtype=dt) for name, dt in schema(st.kind)}
        start = extend(st.delta, cols, cards)
        for pid, i in pending.items():
            st.in_delta[pid] = start + i
        self._since_refit += len(rows)

    def remove(self, kind: str, provider_id: int) -> None:
        self._drop(self._store(kind), int(provider_id))

    def note_recommended(self, kind: str, provider_ids: Iterable[int], weight: float = 1.0) -> None:
        """Count recommendations handed out; the spread factor gently sinks busy providers.

        Counts halve every `spread_half_life_hours`, applied here (at most hourly), so rank()
        stays a pure read.
        """
        self._age_recommendations()
        st = self._store(kind)
        for pid in provider_ids:
            where = st.find(int(pid))
            if where is not None:
                where[0].cols["rec"][where[1]] += weight

    def _age_recommendations(self) -> None:
        now = self._now().timestamp()
        if self._aged_at is None or now < self._aged_at:
            self._aged_at = now
        elif now - self._aged_at >= 3600:
            half_life = self._params["spread_half_life_hours"] * 3600
            self.decay_recommendations(0.5 ** ((now - self._aged_at) / half_life))
            self._aged_at = now

    def decay_recommendations(self, factor: float = 0.5) -> None:
        """Age every recommendation count (a worker calls this on a timer, e.g. daily)."""
        for st in self._kinds.values():
            for blk in (st.main, st.delta):
                blk.cols["rec"][: blk.n] *= factor

    # --- maintenance ------------------------------------------------------------------
    def refit(self) -> None:
        """Refit the TF-IDF vocabulary on the live documents and re-sort every kind."""
        counts: dict[int, int] = {}
        for st in self._kinds.values():
            for blk in (st.main, st.delta):
                docs, n = np.unique(blk.cols["doc"][blk.live_rows()], return_counts=True)
                for d, c in zip(docs.tolist(), n.tolist()):
                    counts[d] = counts.get(d, 0) + c
        self._vocab.fit(counts)
        self._fitted_on = len(self)
        self._since_refit = 0
        for kind in PROVIDER_KINDS:
            self._compact(kind, postings=False)
        self._profiles.build_postings(self._vocab, self._vocab.size, len(self._tag_names))

    def _compact(self, kind: str, postings: bool = True) -> None:
        """Merge the live rows of main and delta into a new sorted main block."""
        st = self._kinds[kind]
        parts = [(blk, blk.live_rows()) for blk in (st.main, st.delta)]
        cols = {name: np.concatenate([blk.cols[name][rows] for blk, rows in parts]) for name, _ in schema(kind)}
        cards = np.concatenate([objects(blk.cards)[rows] for blk, rows in parts])
        st.main = Block.build_sorted(kind, cols, cards)
        st.delta = Block(kind)
        st.in_delta = {}
        st.by_id = np.argsort(st.main.cols["id"], kind="stable")
        st.sorted_ids = st.main.cols["id"][st.by_id]
        st.main_live = st.main.n
        if postings:  # the new block may hold profiles the shared postings do not have yet
            self._profiles.build_postings(self._vocab, self._vocab.size, len(self._tag_names))

    def _ready(self) -> None:
        if not self._vocab.fitted or (self._fitted_on == 0 and len(self)):
            self.refit()
        for st in self._kinds.values():
            st.delta.sync_postings(self._vocab, self._vocab.size, self._profiles)

    # --- reads ------------------------------------------------------------------------
    def rank(self, need: Mapping[str, Any], k: int = 20, kinds: Iterable[str] | None = None) -> Ranking:
        """Top k providers per kind for one need; deterministic for a given index state."""
        self._ready()
        q = scorer.compile_need(need, self._vocab, self._tag_ids, self._bits, self._params, self._now().timestamp())
        q.tag_ids = tuple((t, self._tag_ids[t]) for t in q.tag_order if t in self._tag_ids)
        if max(len(self._phrases), len(self._serves), 16 * len(self._said)) > PHRASE_LIMIT:
            self._phrases, self._serves, self._said = {}, {}, {}
        q.explain = explain.Context.of(q, self._labels, self.weights.target_group_names, self._phrases, self._serves)
        return {kind: self._rank_kind(kind, q, k) for kind in (kinds or PROVIDER_KINDS)}

    def _rank_kind(self, kind: str, q: scorer.Query, k: int) -> list[Entry]:
        st = self._store(kind)
        if k <= 0:
            return []
        w, half = self._kind_weights[kind]
        found = [(blk, *scorer.candidates(blk, q, self._profiles)) for blk in (st.main, st.delta) if blk.n]
        found = [got for got in found if len(got[1])]
        if len(found) == 2:  # main and delta rows scored as one block (matching.joined)
            (main, mi, mc2, ms), (delta, di, dc2, ds) = found
            joined = Joined(main, mi, delta, di)
            found = [(joined, np.arange(joined.n), np.concatenate((mc2, dc2)), np.concatenate((ms, ds)))]
        parts: list[Part] = []
        for blk, idx, c2, skill in found:
            idx, dist, f = scorer.factors(kind, blk, idx, c2, skill, q, self._params, half)
            if len(idx):
                parts.append((blk, idx, dist, f, scorer.total(f, w)))
        if not parts:
            return []
        top, scores, ids = top_rows(parts, k)
        # w[-1]: spread, every kind's last factor (weights.FACTORS), the fairness term
        return self._entries(kind, q, parts, top, scores, ids, demoted(parts, k, top, w[-1]))

    def _entries(
        self,
        kind: str,
        q: scorer.Query,
        parts: list[Part],
        top: np.ndarray,
        scores: list[float],
        ids: list[int],
        busy: list[bool],
    ) -> list[Entry]:
        """The explained entries for the chosen rows (positions into the parts' rows, in order); `busy`
        marks those the fairness term moved down, which alone say so (explain.BUSY)."""
        assert q.explain is not None, "rank() builds the context first"
        out: list[Any] = [None] * len(top)  # an Entry in every slot by the end
        names, build = FACTORS[kind], explain.BATCH[kind]
        prefix = explain.TAGS_SAY.get(kind, "技能相符：")
        said = self._said.get((prefix, q.tag_ids))  # profile -> its matched-tags phrase, for these tags
        if said is None:
            said = self._said[prefix, q.tag_ids] = {}
        profiles, tag_ids = self._profiles.tags, q.tag_ids
        start = 0
        for blk, idx, dist, f, s in parts:
            slots: Sequence[int]
            if len(parts) == 1:
                slots, pos = range(len(top)), top
            else:
                mine = (top >= start) & (top < start + len(s))
                slots, pos = np.flatnonzero(mine).tolist(), top[mine] - start
                start += len(s)
                if not slots:
                    continue
            facs = f[:, pos].round(4).T.tolist()  # np.round's rule, as the reference's
            km2 = round2(dist[pos])  # the entry's one distance: its field and its reason read it
            rows = idx[pos]
            cards = blk.cards_of(rows)
            for _, prof, _ in cards:
                if prof not in said:
                    if len(said) >= PHRASE_LIMIT:
                        said.clear()
                    have = profiles[prof]
                    matched = [name for name, tid in tag_ids if tid in have]
                    said[prof] = prefix + "、".join(matched[:4]) if matched else None
            reasons = build(facs, km2, cards, said, q.explain)
            for i, fac, km, card, why in zip(slots, facs, km2, cards, reasons):
                if busy[i]:
                    why.append(explain.BUSY)
                out[i] = {
                    "provider_id": ids[i],
                    "kind": kind,
                    "name": card[0],
                    "score": scores[i],
                    "distance_km": km,
                    "factors": dict(zip(names, fac)),
                    "reasons": why,
                }
        return out

    def rank_batch(
        self, needs: list[Mapping[str, Any]], k: int = 20, workers: int = 2, kinds: Iterable[str] | None = None
    ) -> list[Ranking]:
        """rank() for many needs; with workers > 1 forked children share the index copy-on-write."""
        self._ready()
        return batch.rank_batch(self, needs, k, workers, tuple(kinds or PROVIDER_KINDS))
