"""The matcher's provider feed keeps the newest version of each provider, whatever order events come in."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from events.matcher import ProviderFeed
from linkage.catalogue import Types
from linkage.messages import encode, make_envelope

Record = namedtuple("Record", "topic partition offset key value")


class FakeIndex:
    """Remembers what the feed did to it: the live providers by (kind, id), and each call."""

    def __init__(self) -> None:
        self.live: dict[tuple[str, int], dict[str, Any]] = {}
        self.calls: list[tuple[str, str, int]] = []

    def upsert(self, kind: str, provider: dict[str, Any]) -> None:
        self.calls.append(("upsert", kind, provider["id"]))
        self.live[kind, provider["id"]] = provider

    def upsert_many(self, kind: str, providers: list[dict[str, Any]]) -> None:
        ids = [p["id"] for p in providers]
        assert len(ids) == len(set(ids)), "one provider once per bulk upsert"
        for provider in providers:
            self.upsert(kind, provider)

    def remove(self, kind: str, provider_id: int) -> None:
        self.calls.append(("remove", kind, provider_id))
        self.live.pop((kind, provider_id), None)

    def rank(self, need, k=20):  # pragma: no cover - the feed never ranks
        raise AssertionError


_offset = iter(range(10**6))


def upserted(pid: int, version: int | None, *, kind: str = "volunteer", **fields: Any) -> Record:
    data: dict[str, Any] = {"kind": kind, "provider": {"id": pid, "lat": 39.0, "lon": 117.0, **fields}}
    if version is not None:
        data["version"] = version
    return _record(kind, pid, Types.PROVIDER_UPSERTED, data)


def removed(pid: int, version: int | None, *, kind: str = "volunteer") -> Record:
    data: dict[str, Any] = {"kind": kind, "id": pid}
    if version is not None:
        data["version"] = version
    return _record(kind, pid, Types.PROVIDER_REMOVED, data)


def tombstone(pid: int, *, kind: str = "volunteer") -> Record:
    return Record("linkage.providers", 0, next(_offset), f"{kind}:{pid}".encode(), None)


def _record(kind: str, pid: int, type_: Types, data: dict[str, Any]) -> Record:
    envelope = make_envelope(type=type_, source="test", subject=f"{kind}/{pid}", data=data)
    return Record("linkage.providers", 0, next(_offset), f"{kind}:{pid}".encode(), encode(envelope).encode())


def feed_with(*polls: list[Record]) -> tuple[ProviderFeed, FakeIndex]:
    """A feed over a fake index, given each poll's records in the order the consumer returns them."""
    index = FakeIndex()
    feed = ProviderFeed("unused:9092", index)
    for records in polls:
        feed._apply_batch({("linkage.providers", 0): records})
    return feed, index


def test_an_older_update_published_after_a_newer_one_is_dropped():
    feed, index = feed_with([upserted(7, 2, name="new")], [upserted(7, 1, name="old")])
    assert index.live["volunteer", 7]["name"] == "new"
    assert (feed.applied, feed.stale) == (1, 1)


def test_within_one_poll_the_higher_version_wins_whichever_comes_first():
    for order in ([2, 1, 3], [3, 1, 2], [1, 2, 3]):
        feed, index = feed_with([upserted(7, v, name=f"v{v}") for v in order])
        assert index.live["volunteer", 7]["name"] == "v3", order
        assert [c for c in index.calls if c[2] == 7] == [("upsert", "volunteer", 7)], "one write, the newest"


def test_a_bulk_poll_of_many_providers_writes_each_once_at_its_newest():
    records = [upserted(pid, v, name=f"{pid}@{v}") for v in (2, 1) for pid in range(100)]
    feed, index = feed_with(records)
    assert {index.live["volunteer", pid]["name"] for pid in range(100)} == {f"{pid}@2" for pid in range(100)}
    assert (feed.applied, feed.stale, len(index.calls)) == (100, 100, 100)


def test_a_duplicate_of_the_same_version_is_dropped():
    feed, index = feed_with([upserted(7, 4, name="first")], [upserted(7, 4, name="again")])
    assert index.live["volunteer", 7]["name"] == "first"
    assert feed.stale == 1


def test_a_removal_then_an_older_upsert_keeps_the_provider_out():
    feed, index = feed_with([removed(7, 3)], [upserted(7, 2)])
    assert ("volunteer", 7) not in index.live
    assert feed.stale == 1
    feed, index = feed_with([upserted(7, 2), removed(7, 3), upserted(7, 1)])  # all in one poll
    assert ("volunteer", 7) not in index.live
    assert feed.stale == 1


def test_an_older_removal_does_not_take_out_a_newer_upsert():
    feed, index = feed_with([upserted(7, 5)], [removed(7, 4)])
    assert ("volunteer", 7) in index.live
    feed, index = feed_with([upserted(7, 5), removed(7, 4)])
    assert ("volunteer", 7) in index.live and feed.stale == 1


def test_a_provider_removed_then_reactivated_with_a_newer_version_comes_back():
    _, index = feed_with([upserted(7, 1)], [removed(7, 2)], [upserted(7, 3, name="back")])
    assert index.live["volunteer", 7]["name"] == "back"


def test_an_erased_provider_never_comes_back():
    # A slower relay may publish an upsert written before the erasure after its tombstone.
    feed, index = feed_with([upserted(7, 1)], [tombstone(7)], [upserted(7, 2)], [upserted(7, 99)])
    assert ("volunteer", 7) not in index.live
    assert feed.stale == 2
    feed, index = feed_with([upserted(7, 1), tombstone(7), upserted(7, 2), upserted(7, None)])
    assert ("volunteer", 7) not in index.live


def test_events_without_a_version_are_applied_in_the_order_they_come():
    feed, index = feed_with([upserted(7, None, name="a")], [upserted(7, None, name="b")])
    assert index.live["volunteer", 7]["name"] == "b"
    feed, index = feed_with(
        [upserted(7, None), removed(7, None)], [upserted(8, None), removed(8, None), upserted(8, None)]
    )
    assert ("volunteer", 7) not in index.live and ("volunteer", 8) in index.live
    assert feed.stale == 0


def test_versions_are_kept_per_kind():
    _, index = feed_with([upserted(7, 5, kind="organization")], [upserted(7, 1, kind="volunteer")])
    assert ("organization", 7) in index.live and ("volunteer", 7) in index.live


def test_a_recreated_topic_is_taken_as_the_truth_again():
    # After a broker loses its log, the relay republishes from the database: the feed re-reads
    # it and no longer holds the versions of the lost topic against it (erasures stand).
    feed, index = feed_with([upserted(7, 9, name="lost"), upserted(8, 1), tombstone(8)])

    class Consumer:
        def assignment(self):
            return []

        def seek_to_beginning(self, *partitions):
            pass

    feed.consumer = Consumer()
    feed._reread()
    feed._apply_batch({("linkage.providers", 0): [upserted(7, 3, name="rebuilt"), upserted(8, 2)]})
    assert index.live["volunteer", 7]["name"] == "rebuilt"
    assert ("volunteer", 8) not in index.live
