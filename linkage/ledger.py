"""Hash chains (账本): the one mixin, append and verify behind the hour, fund and audit ledgers."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Iterable, Mapping, NamedTuple

from sqlalchemy import Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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
    """Declarative mixin for a ledger model: its seq, prev_hash and hash columns and what it hashes.

    HASHED names the fields always hashed (prev_hash among them): ids, numbers and times, not a
    person's name or phone, so erasing a person leaves the chain intact (DESIGN §6, §10).
    HASHED_IF_SET names fields added to a chain after it held entries: they are hashed only when
    not None or "", so the entries written before the column existed still verify. CHAIN_KEY
    names the column whose value says which chain an entry belongs to (one per volunteer, one per
    round); None: the whole table is one chain.
    """

    # sort_order keeps the columns last, where the tables (and their migrations) have them.
    seq: Mapped[int] = mapped_column(sort_order=1)  # position in its chain, from 1
    prev_hash: Mapped[str] = mapped_column(String(64), sort_order=2)
    hash: Mapped[str] = mapped_column(String(64), sort_order=3)

    HASHED: ClassVar[tuple[str, ...]] = ()
    HASHED_IF_SET: ClassVar[tuple[str, ...]] = ()
    CHAIN_KEY: ClassVar[str | None] = None

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


class Head(NamedTuple):
    """A chain's last entry, by its seq and hash; (0, GENESIS) for an empty chain."""

    seq: int
    hash: str


EMPTY = Head(0, GENESIS)


@dataclass(frozen=True)
class Chain:
    """One chain of a ledger: the model and, when the model has a CHAIN_KEY, that key's value."""

    model: type[Chained]
    key: Any = None

    @classmethod
    def of(cls, entry: Chained) -> Chain:
        name = entry.CHAIN_KEY
        return cls(type(entry), getattr(entry, name) if name else None)

    def _where(self, query: Select) -> Select:
        name = self.model.CHAIN_KEY
        return query.where(getattr(self.model, name) == self.key) if name else query

    def entries(self, upto: int | None = None) -> Select:
        """Its entries in seq order (up to and including seq `upto`, if given)."""
        query = self._where(select(self.model))
        if upto is not None:
            query = query.where(self.model.seq <= upto)
        return query.order_by(self.model.seq)

    def head(self, session: Session) -> Head:
        """Its last stored entry's seq and hash."""
        last = session.execute(self._where(select(self.model.seq, self.model.hash))
                               .order_by(self.model.seq.desc()).limit(1)).first()
        return Head(last.seq, last.hash) if last else EMPTY


def link(entry: Chained, after: Head) -> Head:
    """Make `entry` the next entry after `after`: its seq, prev_hash and hash; returns the new head."""
    entry.seq, entry.prev_hash = after.seq + 1, after.hash
    entry.hash = entry.compute_hash()
    return Head(entry.seq, entry.hash)


def append(session: Session, entry: Chained, after: Head | None = None) -> Head:
    """Link `entry` after `after`, or else after its chain's last stored entry, and add it to the
    session; returns the chain's new head. Every field hashed must be set before: column defaults
    are applied only at flush. The caller makes writers to one chain take turns (a row lock);
    two that did not would take the same seq, and the unique (chain, seq) constraint refuses one."""
    head = link(entry, after if after is not None else Chain.of(entry).head(session))
    session.add(entry)
    return head


@dataclass(frozen=True)
class Verdict:
    """A chain checked: valid, or the first entry that breaks it and how."""

    valid: bool
    entries: int            # entries read: all of them, or up to and including the first bad one
    first_bad: Any = None   # that entry; None when the chain holds
    problem: str = ""       # "seq" (a gap: an entry removed or inserted), "link", "hash" (content changed)
    last_seq: int = 0
    last_hash: str = GENESIS

    @property
    def first_bad_id(self) -> int | None:
        return self.first_bad.id if self.first_bad is not None else None

    @property
    def first_bad_seq(self) -> int | None:
        return self.first_bad.seq if self.first_bad is not None else None


def check(entries: Iterable[Chained]) -> Verdict:
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


def verify(session: Session, chain: Chain, upto: int | None = None) -> Verdict:
    """Read a stored chain (up to seq `upto`) and check it: `first_bad` is the first entry
    changed, removed past or relinked, None when the chain holds. Read in batches: the audit
    trail is one long chain."""
    rows = session.scalars(chain.entries(upto).execution_options(yield_per=1000))
    try:
        return check(rows)
    finally:
        rows.close()
