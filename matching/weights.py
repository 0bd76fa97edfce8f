"""Per-kind factor weights and tunables, read from weights.toml and an env-like override map."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from linkage.catalogue import PROVIDER_KINDS

FACTORS: dict[str, tuple[str, ...]] = {
    "volunteer": ("skill", "distance", "availability", "professional", "reputation", "spread"),
    "organization": ("skill", "distance", "capacity", "professional", "reputation", "spread"),
    "social_worker": ("skill", "distance", "professional", "reputation", "spread"),
    "resource": ("skill", "distance", "capacity", "professional", "reputation", "spread"),
}
DEFAULT_PATH = Path(__file__).with_name("weights.toml")
WEIGHT_PREFIX = "LINKAGE_WEIGHT_"
PARAM_PREFIX = "LINKAGE_MATCHING_"


@dataclass(frozen=True)
class Weights:
    """Normalised weights per kind (each kind sums to 1) plus scalar tunables and the label space."""

    kinds: Mapping[str, Mapping[str, float]]
    params: Mapping[str, float]
    distance_half_km: Mapping[str, float]
    categories: tuple[str, ...]
    target_groups: tuple[str, ...]
    target_group_names: Mapping[str, str] = field(default_factory=dict)

    def of(self, kind: str) -> Mapping[str, float]:
        return self.kinds[kind]


def _number(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{key}={raw!r} is not a number") from None
    if value < 0 or value != value or value == float("inf"):
        raise ValueError(f"{key}={raw!r} must be a finite number >= 0")
    return value


def _apply_overrides(
    kinds: dict[str, dict[str, float]], params: dict[str, float], overrides: Mapping[str, str]
) -> None:
    # Longest kind first so SOCIAL_WORKER_... is not read as a kind "SOCIAL".
    by_prefix = sorted(((k.upper() + "_", k) for k in PROVIDER_KINDS), key=lambda p: -len(p[0]))
    for key, raw in overrides.items():
        if key.startswith(WEIGHT_PREFIX):
            rest = key[len(WEIGHT_PREFIX) :]
            kind = next((k for prefix, k in by_prefix if rest.startswith(prefix)), None)
            factor = rest[len(kind) + 1 :].lower() if kind else None
            if kind is None or factor not in FACTORS[kind]:
                raise ValueError(f"{key}: unknown kind or factor (kinds {PROVIDER_KINDS})")
            kinds[kind][factor] = _number(key, raw)
        elif key.startswith(PARAM_PREFIX):
            name = key[len(PARAM_PREFIX) :].lower()
            # Unknown names are left alone: the matcher worker may keep its own settings
            # under this prefix. Weights, a closed set, are checked strictly above.
            if name in params and isinstance(params[name], (int, float)):
                params[name] = _number(key, raw)


def load_weights(path: str | Path | None = None, overrides: Mapping[str, str] | None = None) -> Weights:
    """Read the TOML file (default: the one beside this module) and apply env-style overrides.

    `overrides` is an environment-like mapping the caller passes in (a worker's main() hands
    over os.environ). LINKAGE_WEIGHT_<KIND>_<FACTOR> must name a real kind and factor;
    LINKAGE_MATCHING_<PARAM> sets a [params] scalar; every other key is ignored.
    """
    with open(path or DEFAULT_PATH, "rb") as fh:
        raw = tomllib.load(fh)
    kinds = {k: {f: float(raw.get(k, {}).get(f, 0.0)) for f in FACTORS[k]} for k in PROVIDER_KINDS}
    params = dict(raw.get("params", {}))
    half = {k: float(v) for k, v in params.pop("distance_half_km", {}).items()}
    _apply_overrides(kinds, params, overrides or {})
    for kind, ws in kinds.items():
        total = sum(ws.values())
        if total <= 0:
            raise ValueError(f"weights for {kind} sum to zero")
        kinds[kind] = {f: w / total for f, w in ws.items()}
    labels = raw.get("labels", {})
    return Weights(
        kinds=kinds,
        params={k: float(v) for k, v in params.items()},
        distance_half_km={k: half.get(k, 3.0) for k in PROVIDER_KINDS},
        categories=tuple(labels.get("categories", ())),
        target_groups=tuple(labels.get("target_groups", ())),
        target_group_names=dict(labels.get("target_group_names", {})),
    )
