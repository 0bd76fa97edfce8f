"""Random appends, corrections and tampering on the hour, fund and audit chains: verify names the first bad entry.

Not a pure unit test: the chains are stored in a SQLite copy of the migrated template (foreign keys
not enforced, so no volunteers or rounds are needed), and tampering is what someone with database
access would do — UPDATE a hashed field, a hash or a link, or DELETE a row — behind the ORM's back.
"""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from linkage import ledger
from linkage.models import AuditEntry, FundEntry, HourEntry

T0 = datetime(2026, 11, 1, 1, 2, 3, 456789, tzinfo=timezone.utc)


def hour(key: int, n: int, target: int | None) -> HourEntry:
    return HourEntry(volunteer_id=key, action="correct" if target else "record", target_id=target, project_id=None,
                     activity_id=None, organization_id=None, signup_id=None, starts_at=T0, ends_at=T0 + timedelta(minutes=n),
                     minutes=n, content="", source="org_entry" if target else "self",
                     reason="更正 / corrected" if target else "", actor_user_id=None, actor_role="volunteer",
                     created_at=T0 + timedelta(seconds=n))


def fund(key: int, n: int, target: int | None) -> FundEntry:
    return FundEntry(round_id=key, kind="reversal" if target else "budget", grant_id=None, tranche=None,
                     source="round" if target else "district", destination="district" if target else "round",
                     amount_fen=n, lines={"": n}, budget_line="", receipt_ref="", note="更正" if target else "",
                     target_id=target, resource_id=None, actor_user_id=None, actor_role="admin",
                     created_at=T0 + timedelta(seconds=n))


def audit(_key: None, n: int, _target: None) -> AuditEntry:
    return AuditEntry(at=T0 + timedelta(seconds=n), user_id=None, username="", role="admin", action="POST /x",
                      object_type="needs", object_id=str(n), change="insert", fields=["title"], remote_addr="",
                      request_id="", reason="")


@dataclass(frozen=True)
class Ledger:
    """One chain under test, how to make its entries and which hashed fields a tamperer may change."""

    chain: ledger.Chain
    make: Callable[[object, int, int | None], ledger.Chained]  # (chain key, a number, corrected id)
    edits: tuple[str, ...]
    corrects: bool = True

    @property
    def table(self) -> str:
        return self.chain.model.__tablename__


LEDGERS = (
    Ledger(ledger.Chain(HourEntry, 1), hour, ("minutes = minutes + 1", "content = content || 'x'",
                                              "target_id = COALESCE(target_id, 0) + 1")),
    Ledger(ledger.Chain(HourEntry, 2), hour, ("minutes = minutes + 1",)),  # a neighbour: never touched by 1's tampering
    Ledger(ledger.Chain(FundEntry, 7), fund, ("amount_fen = amount_fen + 1", "note = note || 'x'",
                                              "target_id = COALESCE(target_id, 0) + 1")),
    Ledger(ledger.Chain(AuditEntry), audit, ("object_id = object_id || 'x'", "request_id = request_id || 'x'"),
           corrects=False),
)


@dataclass
class Stored:
    """What the model knows of a stored entry: its seq, the hashes it stores and whether its hash still
    matches its fields."""

    id: int
    seq: int
    prev_hash: str
    hash: str
    content_ok: bool = True


@dataclass
class Model:
    chains: dict[int, list[Stored]] = field(default_factory=lambda: {i: [] for i in range(len(LEDGERS))})

    def expected(self, index: int) -> tuple[int | None, str | None]:
        """The first entry, in seq order, with a gap before it, a broken link or a hash not its own."""
        previous = ledger.GENESIS
        for position, entry in enumerate(self.chains[index], start=1):
            problem = ("seq" if entry.seq != position else "link" if entry.prev_hash != previous
                       else "hash" if not entry.content_ok else None)
            if problem:
                return entry.id, problem
            previous = entry.hash
        return None, None


ledgers = st.integers(0, len(LEDGERS) - 1)
picks = st.integers(0, 10**6)


class TamperedLedgers(RuleBasedStateMachine):
    engine = None  # set by the test: a SQLite copy of the migrated template

    def __init__(self):
        super().__init__()
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.session = Session(bind=self.connection)
        self.model = Model()
        self.forgeries = 0

    def teardown(self):
        self.session.close()
        self.transaction.rollback()
        self.connection.close()

    def _append(self, index: int, n: int, target: int | None) -> None:
        spec, chain = LEDGERS[index], self.model.chains[index]
        entry = spec.make(spec.chain.key, n, target)
        head = ledger.append(self.session, entry)
        self.session.flush()
        # After the last stored entry (as stored: a tampered hash is linked to as it is).
        assert (entry.seq, entry.prev_hash) == ((chain[-1].seq + 1, chain[-1].hash) if chain else (1, ledger.GENESIS))
        assert head == (entry.seq, entry.hash)
        self.model.chains[index].append(Stored(entry.id, entry.seq, entry.prev_hash, entry.hash))

    def _pick(self, index: int, pick: int) -> Stored:
        entries = self.model.chains[index]
        return entries[pick % len(entries)]

    def _tamper(self, index: int, entry: Stored, assignment: str) -> None:
        self.session.execute(text(f"UPDATE {LEDGERS[index].table} SET {assignment} WHERE id = :id"), {"id": entry.id})
        self.session.expire_all()

    def _forged_hash(self) -> str:
        self.forgeries += 1
        return hashlib.sha256(f"forged {self.forgeries}".encode()).hexdigest()

    @rule(index=ledgers, n=st.integers(1, 600))
    def append(self, index, n):
        self._append(index, n, None)

    @precondition(lambda self: any(self.model.chains[i] for i, spec in enumerate(LEDGERS) if spec.corrects))
    @rule(index=st.sampled_from([i for i, spec in enumerate(LEDGERS) if spec.corrects]), pick=picks,
          n=st.integers(0, 600))
    def correct(self, index, pick, n):
        """A correction is a new entry pointing at the one it corrects; nothing before it changes."""
        if self.model.chains[index]:
            self._append(index, n, self._pick(index, pick).id)

    @precondition(lambda self: any(self.model.chains.values()))
    @rule(index=ledgers, pick=picks, which=picks)
    def edit_a_field(self, index, pick, which):
        if self.model.chains[index]:
            entry, edits = self._pick(index, pick), LEDGERS[index].edits
            self._tamper(index, entry, edits[which % len(edits)])
            entry.content_ok = False

    @precondition(lambda self: any(self.model.chains.values()))
    @rule(index=ledgers, pick=picks)
    def edit_a_hash(self, index, pick):
        if self.model.chains[index]:
            entry = self._pick(index, pick)
            entry.hash = self._forged_hash()
            self._tamper(index, entry, f"hash = '{entry.hash}'")
            entry.content_ok = False

    @precondition(lambda self: any(self.model.chains.values()))
    @rule(index=ledgers, pick=picks)
    def edit_a_link(self, index, pick):
        if self.model.chains[index]:
            entry = self._pick(index, pick)
            entry.prev_hash = self._forged_hash()
            self._tamper(index, entry, f"prev_hash = '{entry.prev_hash}'")
            entry.content_ok = False  # prev_hash is hashed too

    @precondition(lambda self: any(self.model.chains.values()))
    @rule(index=ledgers, pick=picks, which=picks)
    def edit_and_rehash(self, index, pick, which):
        """The careful forger: the entry is consistent again, so its successor's link gives it away."""
        if self.model.chains[index]:
            entry, edits = self._pick(index, pick), LEDGERS[index].edits
            self._tamper(index, entry, edits[which % len(edits)])
            stored = self.session.get(LEDGERS[index].chain.model, entry.id)
            entry.hash = stored.compute_hash()
            self._tamper(index, entry, f"hash = '{entry.hash}'")
            entry.content_ok = True

    @precondition(lambda self: any(self.model.chains.values()))
    @rule(index=ledgers, pick=picks)
    def delete_a_row(self, index, pick):
        """Deleting the last entry leaves a shorter chain that holds: a per-subject chain has no head
        row to compare with (the audit trail's ledger_heads row catches it: verify_trail)."""
        if self.model.chains[index]:
            entry = self._pick(index, pick)
            self.session.execute(text(f"DELETE FROM {LEDGERS[index].table} WHERE id = :id"), {"id": entry.id})
            self.session.expire_all()
            self.model.chains[index].remove(entry)

    @invariant()
    def verify_names_exactly_the_first_bad_entry(self):
        for index, spec in enumerate(LEDGERS):
            verdict = ledger.verify(self.session, spec.chain)
            expected_id, expected_problem = self.model.expected(index)
            assert (verdict.first_bad_id, verdict.problem or None) == (expected_id, expected_problem), spec.chain
            assert verdict.valid is (expected_id is None)
            chain = self.model.chains[index]
            assert verdict.entries == (len(chain) if expected_id is None
                                       else 1 + [e.id for e in chain].index(expected_id))


@pytest.fixture(scope="module")
def engine(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "tampering.db"
    shutil.copyfile(sqlite_template, path)
    built = create_engine(f"sqlite:///{path}")
    yield built
    built.dispose()


def test_verify_names_exactly_the_first_tampered_entry_and_none_when_untouched(engine):
    TamperedLedgers.engine = engine
    run_state_machine_as_test(TamperedLedgers, settings=settings(max_examples=40, stateful_step_count=25,
                                                                 deadline=None))
