"""The privacy notice (个人信息处理告知) in force, read from privacy_notice.toml, and its guardian rule's terms."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

NOTICE_FILE = Path(__file__).resolve().parent / "privacy_notice.toml"
# PIPL art. 31: personal information of a minor under 14 needs a parent's or guardian's consent.
GUARDIAN_AGE = 14
GUARDIAN_RELATIONS = {"parent": "父母", "grandparent": "祖父母", "other_guardian": "其他监护人"}
CONSENT_METHODS = ("self", "paper")


@lru_cache(maxsize=1)
def _notices() -> dict:
    with NOTICE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def current_notice() -> dict:
    """The notice new consents are given to: version, title, effective date, text (zh-CN)."""
    data = _notices()
    version = data["current"]
    return {"version": version, **{k: v.strip() for k, v in data["versions"][version].items()}}


def current_version() -> str:
    return _notices()["current"]
