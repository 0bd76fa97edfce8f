"""The generic hash chain: canonical bytes, links, verification; the hour and fund ledgers use it."""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from linkage import ledger
from linkage.models import HourEntry
from linkage.models.funding import FundEntry

T = datetime(2026, 11, 1, 1, 2, 3, 456789, tzinfo=timezone.utc)


def test_the_hour_and_fund_ledgers_hash_exactly_as_before_the_shared_helper():
    # Hashes computed by each model's own compute_hash before it moved to linkage.ledger: a
    # changed canonical form would break every chain already stored.
    hour = HourEntry(volunteer_id=7, seq=3, action="record", target_id=None, project_id=2, activity_id=None,
                     organization_id=4, signup_id=None, starts_at=T, ends_at=T, minutes=90, content="陪同就医",
                     source="self", reason="", actor_user_id=5, actor_role="volunteer", created_at=T,
                     prev_hash="ab" * 32)
    assert hour.compute_hash() == "9903a19d90f5ed7637b1465c985030c3b020e987dd4d78c52f5ad49988e3c25b"
    fund = FundEntry(round_id=1, seq=2, kind="award", grant_id=3, tranche=None, source="round",
                     destination="grant:3:committed", amount_fen=100, lines={"人员": 60, "物资": 40},
                     budget_line="", receipt_ref="", note="备注", target_id=None, resource_id=None,
                     actor_user_id=1, actor_role="admin", created_at=T, prev_hash="cd" * 32)
    assert fund.compute_hash() == "2eb38fe6b091482fabf6bc841b3f9482a0f40abec88d3da0a54fbbc2c877e894"


def test_canonical_bytes_ignore_key_order_and_keep_chinese_as_utf8():
    assert ledger.canonical({"b": 1, "a": "社区", "t": T}) == ledger.canonical({"t": T, "a": "社区", "b": 1})
    assert ledger.canonical({"a": "社区"}) == '{"a":"社区"}'.encode()


@dataclass
class Entry(ledger.Chained):
    text: str
    note: str = ""
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""
    id: int = field(default=0)
    HASHED = ("seq", "text", "prev_hash")
    HASHED_IF_SET = ("note",)


def chain(*texts):
    entries, head = [], ledger.EMPTY
    for i, text in enumerate(texts, start=1):
        entry = Entry(text, id=100 + i)
        head = ledger.link(entry, head)
        entries.append(entry)
    return entries


def test_an_intact_chain_verifies_and_reports_its_head():
    entries = chain("a", "b", "c")
    verdict = ledger.check(entries)
    assert verdict.valid and verdict.entries == 3 and verdict.first_bad is None
    assert (verdict.last_seq, verdict.last_hash) == (3, entries[-1].hash)
    assert ledger.check([]).valid and ledger.check([]).last_hash == ledger.GENESIS


def test_verify_names_the_first_changed_removed_or_relinked_entry():
    entries = chain("a", "b", "c", "d")
    entries[1].text = "B"
    verdict = ledger.check(entries)
    assert not verdict.valid and verdict.first_bad is entries[1] and verdict.problem == "hash"
    assert verdict.entries == 2

    entries = chain("a", "b", "c", "d")
    del entries[1]
    verdict = ledger.check(entries)
    assert verdict.first_bad.id == 103 and verdict.problem == "seq"

    entries = chain("a", "b", "c")
    entries[2].prev_hash = entries[0].hash
    entries[2].hash = entries[2].compute_hash()  # rehashed, but linked past its predecessor
    verdict = ledger.check(entries)
    assert verdict.first_bad is entries[2] and verdict.problem == "link"


def test_a_field_added_later_is_hashed_only_when_set_so_old_entries_still_verify():
    entries = chain("a", "b")
    assert ledger.check(entries).valid  # note "" is not in the payload
    entries[0].note = "added later"
    assert ledger.check(entries).first_bad is entries[0]
