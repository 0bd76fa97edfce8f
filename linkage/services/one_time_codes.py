"""One-time codes handed out on paper (评价码, 议事码): made at random, kept only as hashes, checked once."""

from __future__ import annotations

import hashlib
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on phones
CODE_LENGTH = 8


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_codes(count: int, length: int = CODE_LENGTH) -> list[str]:
    """`count` fresh codes (shown once to whoever issues them; only their digests are stored)."""
    return [new_code(length) for _ in range(count)]


def digest(code: str) -> str:
    """What is stored of a code: typed in any case and with spaces around, it is the same code."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def wanted_codes(codes: list[str], most: int) -> list[str]:
    """The codes a print form posted back: cleaned, each once, in the order given, at most `most`."""
    return list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))[:most]
