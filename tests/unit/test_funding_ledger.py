"""The fund ledger's rules without a database: exact splits, tranches, balances that always hold."""
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.errors import Conflict
from linkage.models.funding import (
    GENESIS,
    FundEntry,
    apply_entry,
    grant_account,
    is_external,
    replay,
    split_by_weights,
    tranche_plan,
)


def entry(kind, source, destination, lines, **extra):
    return FundEntry(kind=kind, source=source, destination=destination, lines=lines,
                     amount_fen=sum(lines.values()), **extra)


def test_a_split_adds_up_to_the_fen_and_follows_the_weights():
    assert split_by_weights(100, [1, 1, 1]) == [34, 33, 33]
    assert split_by_weights(0, [5, 5]) == [0, 0]
    assert split_by_weights(99_999, [60_000, 40_000]) == [59_999, 40_000]


def test_tranches_of_40_40_20_add_up_to_each_line_exactly():
    plan = tranche_plan({"人员费": 33_333, "活动费": 10_001}, [40, 40, 20])
    assert [t["人员费"] for t in plan] == [13_333, 13_333, 6_667]
    assert sum(t["活动费"] for t in plan) == 10_001


def test_spending_more_than_was_disbursed_on_a_line_is_refused():
    balances = replay([entry("budget", "district", "round", {"": 1000}),
                       entry("award", "round", grant_account(1, "committed"), {"a": 600, "b": 400}),
                       entry("disbursement", grant_account(1, "committed"), grant_account(1, "cash"), {"a": 300, "b": 0})])
    with pytest.raises(Conflict):
        apply_entry(balances, entry("expenditure", grant_account(1, "cash"), grant_account(1, "spent"), {"b": 1}))
    after = apply_entry(balances, entry("expenditure", grant_account(1, "cash"), grant_account(1, "spent"), {"a": 300}))
    assert after["grant:1:spent/a"] == 300 and after["grant:1:cash/a"] == 0


def test_the_hash_covers_every_field_and_links_to_the_previous_entry():
    e = entry("budget", "district", "round", {"": 1000}, round_id=1, seq=1, grant_id=None, tranche=None,
              budget_line="", receipt_ref="", note="", target_id=None, resource_id=None, actor_user_id=1,
              actor_role="admin", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc), prev_hash=GENESIS)
    digest = e.compute_hash()
    e.amount_fen = 999
    assert e.compute_hash() != digest


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["award", "disburse", "spend", "reverse", "release"]),
                          st.integers(0, 2), st.sampled_from(["a", "b"]), st.integers(0, 5_000)),
                max_size=40), st.integers(0, 20_000))
def test_random_sequences_never_overdraw_and_the_ledger_always_balances(ops, budget):
    entries = [entry("budget", "district", "round", {"": budget})]
    balances = replay(entries)
    for op, g, line, fen in ops:
        committed, cash, spent = (grant_account(g, p) for p in ("committed", "cash", "spent"))
        candidate = {
            "award": entry("award", "round", committed, {line: fen}),
            "disburse": entry("disbursement", committed, cash, {line: fen}),
            "spend": entry("expenditure", cash, spent, {line: fen}),
            "release": entry("release", committed, "round", {line: fen}),
            "reverse": None,
        }[op]
        if candidate is None:  # reverse the latest disbursement or expenditure
            movable = [e for e in entries if e.kind in ("disbursement", "expenditure")]
            if not movable:
                continue
            target = movable[-1]
            candidate = entry("reversal", target.destination, target.source, dict(target.lines))
        before = dict(balances)
        try:
            balances = apply_entry(balances, candidate)
            entries.append(candidate)
        except Conflict:
            assert balances == before  # a refused movement changes nothing
        assert sum(balances.values()) == 0
        assert all(v >= 0 for k, v in balances.items() if not is_external(k))
        assert balances == replay(entries)
    awarded = sum(v for k, v in balances.items() if ":" in k)
    assert awarded + balances.get("round", 0) == budget  # every fen is somewhere
