"""Hash chains (账本): canonical bytes of an entry, SHA-256 linked to the previous entry's hash."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

GENESIS = "0" * 64  # the prev_hash of a chain's first entry


def _norm(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def canonical(payload: Mapping[str, Any]) -> bytes:
    """One byte string per payload: sorted keys, no spaces, UTF-8, datetimes in ISO 8601."""
    return json.dumps({k: _norm(v) for k, v in payload.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def entry_hash(payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical payload; the payload carries its own prev_hash."""
    return hashlib.sha256(canonical(payload)).hexdigest()


class Chained:
    """Mixin for a ledger model with seq, prev_hash and hash columns.

    HASHED names the fields always hashed (prev_hash among them). HASHED_IF_SET names fields
    added to a chain after it held entries: they are hashed only when not None or "", so the
    entries written before the column existed still verify.
    """

    HASHED: tuple[str, ...] = ()
    HASHED_IF_SET: tuple[str, ...] = ()

    def hash_payload(self) -> dict[str, Any]:
        payload = {name: getattr(self, name) for name in self.HASHED}
        for name in self.HASHED_IF_SET:
            value = getattr(self, name, None)
            if value is not None and value != "":
                payload[name] = value
        return payload

    def compute_hash(self) -> str:
        """SHA-256 over every meaningful field and the previous entry's hash."""
        return entry_hash(self.hash_payload())


def link(entry: Chained, seq: int, prev_hash: str) -> str:
    """Make `entry` the chain's entry `seq` after the one hashed `prev_hash`; returns its hash."""
    entry.seq, entry.prev_hash = seq, prev_hash
    entry.hash = entry.compute_hash()
    return entry.hash


@dataclass(frozen=True)
class Verdict:
    """A chain checked: valid, or the first entry that breaks it and how."""

    valid: bool
    entries: int            # entries read: all of them, or up to and including the first bad one
    first_bad: Any = None   # that entry
    problem: str = ""       # "seq" (a gap: an entry removed or inserted), "link", "hash" (content changed)
    last_seq: int = 0
    last_hash: str = GENESIS


def verify(entries: Iterable[Chained]) -> Verdict:
    """Recompute a chain given in seq order; name the first entry whose seq, link or hash fails."""
    previous, count = GENESIS, 0
    for entry in entries:
        count += 1
        problem = ("seq" if entry.seq != count else "link" if entry.prev_hash != previous
                   else "hash" if entry.compute_hash() != entry.hash else "")
        if problem:
            return Verdict(False, count, entry, problem, count - 1, previous)
        previous = entry.hash
    return Verdict(True, count, None, "", count, previous)
