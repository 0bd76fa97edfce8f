"""Chinese service content drawn from the policy seeds: skills, organization types, resources, needs.

The content is data (content.toml); this module loads it once, as tuples, under the names the
demo plan uses."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def _frozen(value: Any) -> Any:
    """TOML arrays as tuples (read-only, hashable), tables as dicts."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


_CONTENT = _frozen(tomllib.loads((Path(__file__).with_name("content.toml")).read_text(encoding="utf-8")))

CATEGORY_SKILLS: dict[str, tuple[str, ...]] = _CONTENT["category_skills"]
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = _CONTENT["category_groups"]
ORG_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = _CONTENT["org_kinds"]
COMMUNITY_ORG_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = _CONTENT["community_org_kinds"]
ORG_BRANDS: tuple[str, ...] = _CONTENT["org_brands"]
SOCIAL_WORK_METHODS: tuple[str, ...] = _CONTENT["social_work_methods"]
VOLUNTEER_SKILLS: dict[str, tuple[tuple[str, int], ...]] = _CONTENT["volunteer_skills"]
DONORS: dict[str, tuple[str, ...]] = _CONTENT["donors"]
RESOURCE_TEMPLATES: tuple[tuple[Any, ...], ...] = _CONTENT["resource_templates"]
NEED_TEMPLATES: tuple[tuple[Any, ...], ...] = _CONTENT["need_templates"]
