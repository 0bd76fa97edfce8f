"""The exact, slow reference scorer: one plain Python loop over provider dicts.

Used by tests and the benchmark to check the vectorised index (and as its Python-loop peer).
It shares the factor formulas in features.py and the fitted vocabulary, nothing else.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np

from matching import features as F
from matching.vocab import Vocabulary
from matching.weights import Weights

Ranked = tuple[float, int, float, dict[str, float]]  # (rounded score, provider id, km, factors)


class ReferenceScorer:
    def __init__(self, weights: Weights, vocabulary: Vocabulary, now: float) -> None:
        self.w = weights
        self.p = weights.params
        self.vocab = vocabulary
        self.now = now
        self.labels = set(weights.categories) | set(weights.target_groups)
        self._vectors: dict[str, dict[int, float]] = {}

    def _vector(self, doc: str) -> dict[int, float]:
        vec = self._vectors.get(doc)
        if vec is None:
            cols, vals = self.vocab.row(self.vocab.intern(doc))
            vec = self._vectors[doc] = dict(zip(cols.tolist(), vals.tolist()))
        return vec

    def prepare(self, kind: str, providers: Iterable[Mapping[str, Any]]) -> None:
        """Warm the per-document vectors so a timed loop measures scoring only."""
        for p in providers:
            self._vector(F.provider_doc(kind, p))

    def score(self, kind: str, need: Mapping[str, Any], p: Mapping[str, Any],
              ctx: dict[str, Any]) -> tuple[float, float, dict[str, float]] | None:
        """(score, km, factors) or None when a hard constraint excludes the provider."""
        if not p.get("active", True):
            return None
        radius = float(p.get({"volunteer": "travel_radius_km", "resource": "radius_km"}.get(kind, "service_radius_km")) or 0)
        km = F.haversine_km(ctx["lat"], ctx["lon"], float(p["lat"]), float(p["lon"]))
        if km > radius:
            return None
        params, unknown = self.p, self.p["unknown"]
        required = ctx["qualification"]
        if required and kind in ("volunteer", "social_worker") and not F.holds(
                F.parse_qualifications(p.get("qualifications")), required, ctx["start"]):
            return None
        f: dict[str, float] = {}
        tags = F.provider_tags(kind, p)
        vec = self._vector(" ".join(tags))
        cos = sum(w * vec[c] for c, w in ctx["query"] if c in vec)
        f["skill"] = min(1.0, params["tfidf_share"] * cos + (1 - params["tfidf_share"]) * F.tag_cover(ctx["tags"], tags))
        f["distance"] = F.distance_factor(km, self.w.distance_half_km[kind])
        category = ctx["category"]
        if kind == "volunteer":
            f["availability"] = F.availability(F.slot_mask(p.get("availability")), ctx["slots"], unknown)
            end = ctx["end"] if ctx["end"] != math.inf else ctx["start"] + 3600
            if F.on_leave(F.parse_leave(p.get("leave")), ctx["start"], end):
                f["availability"] = 0.0
            f["professional"] = F.experience(float(p.get("verified_minutes") or 0), params["experience_hours"])
        elif kind == "organization":
            f["capacity"] = F.room(int(p.get("capacity") or 0), int(p.get("open_projects") or 0))
            match = category in self.labels and category in set(p.get("categories") or ())
            f["professional"] = F.org_professional(match, F.REGISTRATION.get(p.get("registration", ""), 0.0))
        elif kind == "social_worker":
            spec = set(p.get("specialties") or ())
            groups = ctx["groups"]
            cover = len(groups & spec) / len(groups) if groups else unknown
            match = category in self.labels and category in spec
            f["professional"] = F.social_worker_professional(F.LEVELS.get(p.get("certificate_level", ""), 0.0), match, cover)
        else:
            fund = p.get("kind") == "fund"
            remaining = float(p.get("remaining_fen" if fund else "remaining_quantity") or 0)
            until, start = F.parse_time(p.get("available_until")), F.parse_time(p.get("available_from"))
            restricted = set(c for c in (p.get("restricted_categories") or ()) if c)
            if remaining <= 0 or (until is not None and until < max(self.now, ctx["start"])):
                return None
            if (start is not None and start > ctx["end"]) or (restricted and (category not in restricted or category not in self.labels)):
                return None
            f["capacity"] = F.resource_capacity(fund, remaining, ctx["budget"])
            f["professional"] = F.resource_professional(bool(restricted))
        f["reputation"] = F.reputation(p.get("reputation"), params)
        f["spread"] = F.spread(float(p.get("_recommended", 0.0)), params["spread_half"])
        score = sum(w * f[name] for name, w in self.w.of(kind).items())
        return score, km, f

    def context(self, need: Mapping[str, Any]) -> dict[str, Any]:
        cols, vals = self.vocab.query(F.need_doc(need))
        start, end = F.parse_time(need.get("starts_at")), F.parse_time(need.get("ends_at"))
        return {"lat": float(need["lat"]), "lon": float(need["lon"]), "query": list(zip(cols.tolist(), vals.tolist())),
                "tags": set(F.need_tags(need)), "category": need.get("category"),
                "groups": set(need.get("target_groups") or ()) & self.labels,
                "slots": F.window_slot_mask(start, end), "start": self.now if start is None else start,
                "end": math.inf if end is None else end, "budget": float(need.get("budget_fen") or 0),
                "qualification": str(need.get("qualification_required") or "")}

    def rank(self, need: Mapping[str, Any], providers_by_kind: Mapping[str, list[Mapping[str, Any]]],
             k: int = 20) -> dict[str, list[Ranked]]:
        """Per kind: [(rounded score, provider id, km, factors)] sorted like ProviderIndex.rank."""
        ctx = self.context(need)
        out: dict[str, list[Ranked]] = {}
        for kind, providers in providers_by_kind.items():
            rows: list[Ranked] = []
            for p in providers:
                got = self.score(kind, need, p, ctx)
                if got is not None:
                    rows.append((float(np.round(got[0], 4)), int(p["id"]), got[1], got[2]))
            rows.sort(key=lambda r: (-r[0], r[1]))
            out[kind] = rows[:k]
        return out
