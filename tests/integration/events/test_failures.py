"""Nothing is lost: broker outages, killed matchers, duplicates, poison events, fail-over."""
from __future__ import annotations

import json
import logging
import re
import signal
import time

import pytest
from sqlalchemy import func, select

from events.envelope import matched_event_id
from events.producer import make_producer
from events.topics import DLQ, MATCHES, NEEDS
from linkage.models import ProcessedEvent
from tests.integration.events.conftest import (
    KINDS,
    read_all,
    start_matcher_process,
    start_projector_process,
    wait_until,
)

pytestmark = pytest.mark.broker


def assert_each_need_has_exactly_one_match_set(world, need_ids):
    match_sets = world.match_sets()
    posted = world.need_event_ids()
    assert set(need_ids) <= set(match_sets)
    for need_id in need_ids:
        match_set = match_sets[need_id]
        # The stored ranking is the one derived from the need's only posted event: a
        # redelivered need produced the same matched event, which was not stored twice.
        assert match_set.event_id == matched_event_id(posted[need_id])
        assert all(match_set.matches[kind] for kind in KINDS)
    with world.platform.read_session() as s:
        stored = s.scalar(select(func.count()).select_from(ProcessedEvent)
                          .where(ProcessedEvent.consumer == "projector",
                                 ProcessedEvent.event_id.in_([m.event_id for m in match_sets.values()])))
    assert stored == len(match_sets)


def test_needs_posted_while_broker_down_are_all_matched_after_it_comes_back(world, api, spine, broker):
    spine.all()
    first = world.post_needs(1)
    wait_until(lambda: world.all_matched(first), 20, message="warm-up need matched")

    broker.stop()
    during = []
    for serial in range(1, 51):
        started = time.monotonic()
        response = api.post_need(serial)
        assert response.status_code == 201, response.get_json()
        assert time.monotonic() - started < 1.0  # no request waits on the broker
        during.append(response.get_json()["id"])
    assert world.unsent() >= 50
    # Same port. Tansu comes back empty (no topics, offsets or groups); Apache Kafka comes
    # back with its log and the groups' committed offsets.
    broker.start()

    wait_until(lambda: world.all_matched(first + during), 60, message="all 51 needs matched")
    assert_each_need_has_exactly_one_match_set(world, first + during)


def test_needs_and_providers_the_broker_lost_are_sent_again_to_a_fresh_matcher(world, spine, broker):
    spine.relay(topic_check_every=0.5)
    spine.projector()
    needs = world.post_needs(10)
    wait_until(lambda: world.unsent() == 0, 20, message="needs relayed, but no matcher yet")
    assert not world.matched_ids()

    broker.stop()
    broker.wipe()
    broker.start()  # the needs and the providers are gone from the broker
    # A matcher that starts now knows no provider: the relay must republish them from the
    # database and re-send the needs that were never ranked.
    spine.matcher(name="fresh-matcher")
    wait_until(lambda: world.all_matched(needs), 60, message="lost needs matched")
    assert_each_need_has_exactly_one_match_set(world, needs)


def test_a_matcher_killed_mid_stream_is_replaced_and_every_need_is_matched_once(world, spine, broker):
    spine.relay()
    spine.projector()
    needs = world.post_needs(120)
    process = start_matcher_process(broker, rank_delay=0.03)  # ~4 s for all of them
    try:
        # Its imports and group join take seconds on a loaded machine: the waits count from its readiness,
        # and Apache Kafka's group join after it took over 30 s on a CI run at load 12 (60 s, as its siblings).
        wait_until(lambda: "matcher process ready" in process.output(), 60, message=process.output)
        wait_until(lambda: len(world.matched_ids()) >= 20, 60,
                   message=lambda: f"some needs matched; the matcher said:\n{process.output()}")
        process.kill()  # SIGKILL: no clean leave, offsets of the batch in hand not committed
        process.wait(10)
        time.sleep(0.5)  # let the projector store what the killed matcher had published
        assert 20 <= len(world.matched_ids()) < len(needs)  # killed mid-stream
        process = start_matcher_process(broker)
        wait_until(lambda: world.all_matched(needs), 60,
                   message=lambda: f"all needs matched after restart; the new matcher said:\n{process.output()}")
        assert_each_need_has_exactly_one_match_set(world, needs)
    finally:
        process.kill()
        process.wait(10)


def committed_offsets(bootstrap: str, group_id: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset of each partition of `topic` (None: never committed)."""
    from kafka import TopicPartition

    from events.consumer import make_consumer

    consumer = make_consumer(bootstrap, group_id, client_id="test-offsets")  # never joins the group
    try:
        return {p: consumer.committed(TopicPartition(topic, p), timeout_ms=15000)
                for p in sorted(consumer.partitions_for_topic(topic))}
    finally:
        consumer.close(autocommit=False)


def processed_by_projector(world) -> int:
    with world.platform.read_session() as s:
        return s.scalar(select(func.count()).select_from(ProcessedEvent)
                        .where(ProcessedEvent.consumer == "projector"))


def test_a_projector_killed_between_its_insert_and_its_offset_commit_leaves_one_match_set_per_need(
        world, spine, broker, caplog):
    """The projector stores a poll's rankings in one transaction, then commits the offsets: killed
    between the two, its successor replays the whole batch, which must change nothing."""
    spine.relay()
    matcher = spine.matcher()
    first = world.post_needs(20)
    # Every ranking is on the broker before the projector starts, so its first poll is a batch.
    wait_until(lambda: matcher.ranked >= len(first), 60, message="the first needs ranked")
    process = start_projector_process(broker, world.platform.settings.database_url, die_before_commit=True)
    try:
        wait_until(lambda: "projector process ready" in process.output(), 60, message=process.output)
        # Its group join takes seconds, Apache Kafka's more (60 s, as its siblings wait).
        wait_until(lambda: process.poll() is not None, 60,
                   message=lambda: f"the projector process died; it said:\n{process.output()}")
    finally:
        process.kill()
        process.wait(10)
    out = process.output()
    assert process.returncode == 137, out
    assert "projector dying before committing offsets" in out, out
    stored = re.search(r"projector stored batch of (\d+)", out)
    assert stored, f"the first poll was not stored as a batch:\n{out}"
    batch = int(stored.group(1))
    assert batch >= 2, out  # the batched path: one transaction for the poll's rankings

    # The kill landed after the insert and before the commit: stored, but not acknowledged.
    killed = {need_id: (m.event_id, m.stored_at) for need_id, m in world.match_sets().items()}
    assert len(killed) == batch and set(killed) <= set(first)
    assert processed_by_projector(world) == batch
    committed = committed_offsets(broker.bootstrap, "projector", MATCHES)
    assert committed and all(offset is None for offset in committed.values()), committed

    second = world.post_needs(10, start=len(first))  # ranked while no projector runs
    caplog.set_level(logging.INFO, logger="events")
    projector = spine.projector()
    wait_until(lambda: world.all_matched(first + second), 60, message="every need matched after the restart")
    total = len(first) + len(second)
    wait_until(lambda: projector.loop.handled >= total, 60,
               message=lambda: f"the killed batch replayed: {projector.loop.handled} of {total} handled")
    # The replayed batch changed nothing; only the rankings nobody had stored were stored.
    assert projector.stored == total - batch
    # The dedup recognised the replay: no batch fell back to one by one on a duplicate key.
    assert not [r.getMessage() for r in caplog.records
                if "stored concurrently" in r.getMessage() or "handling one by one" in r.getMessage()]
    assert {need_id: (m.event_id, m.stored_at) for need_id, m in world.match_sets().items()
            if need_id in killed} == killed
    assert_each_need_has_exactly_one_match_set(world, first + second)
    assert processed_by_projector(world) == len(world.match_sets()) == total


def test_a_matcher_stops_cleanly_on_sigterm(world, spine, broker):
    process = start_matcher_process(broker)
    # Its imports take seconds on a loaded machine: signal it once its handlers are installed.
    wait_until(lambda: "matcher process ready" in process.output(), 60, message=process.output)
    time.sleep(2)  # and once it is polling
    process.send_signal(signal.SIGTERM)
    process.wait(15)
    out = process.output()
    assert process.returncode == 0, out
    assert "matcher stopped cleanly" in out


def test_the_same_need_posted_event_delivered_twice_is_stored_once(world, spine, broker):
    spine.all()
    [need_id] = world.post_needs(1)
    wait_until(lambda: world.all_matched([need_id]), 60)  # Apache Kafka's group join under CI load: 60 s, as its siblings
    before = world.match_sets()[need_id]

    envelope = world.need_envelope(need_id)
    producer = make_producer(broker.bootstrap)
    producer.send(NEEDS, key=str(need_id).encode(), value=envelope.encode())
    producer.flush()
    producer.close()
    matcher = [w for w, _ in spine.workers if w.__class__.__name__ == "Matcher"][0]
    wait_until(lambda: matcher.ranked >= 2, 15, message="the duplicate was ranked again")
    time.sleep(1.0)  # give the projector time to (not) store it

    after = world.match_sets()[need_id]
    assert (after.event_id, after.ranked_at) == (before.event_id, before.ranked_at)
    assert_each_need_has_exactly_one_match_set(world, [need_id])


def test_malformed_events_go_to_the_dlq_and_the_good_events_after_them_are_processed(world, spine, broker):
    spine.all()
    [warm] = world.post_needs(1)
    wait_until(lambda: world.all_matched([warm]), 20)

    good = world.post_needs(3, start=1)
    key = str(good[0]).encode()  # same key → same partition, ahead of the good event
    producer = make_producer(broker.bootstrap)
    poison = [
        b"{not json",
        json.dumps({"specversion": "1.0", "id": "x1", "source": "test", "type": "linkage.need.exploded.v1",
                    "data": {}}).encode(),
        json.dumps({"specversion": "1.0", "id": "x2", "source": "test", "type": "linkage.need.posted.v1",
                    "data": {"id": good[0], "category": "养老"}}).encode(),  # no lat/lon
        b"\xff\xfe binary",
    ]
    for value in poison:
        producer.send(NEEDS, key=key, value=value)
    producer.flush()
    producer.close()
    # Resend the good needs so they are in the log after the poison.
    world.resend_needs(good)

    wait_until(lambda: world.all_matched([warm] + good), 30, message="good needs matched")
    dead = read_all(broker.bootstrap, DLQ, expect=4)
    letters = [json.loads(r.value) for r in dead]
    assert len(letters) == 4
    reasons = sorted(letter["data"]["reason"] for letter in letters)
    assert reasons == ["invalid_data", "malformed", "malformed", "unknown_type"]
    for letter in letters:
        assert letter["type"] == "linkage.event.deadlettered.v1"
        assert letter["data"]["topic"] == NEEDS and letter["data"]["consumer"] == "matcher"
        assert isinstance(letter["data"]["partition"], int) and isinstance(letter["data"]["offset"], int)
        assert letter["data"]["error"]
    assert any("original_base64" in letter["data"] for letter in letters)
    assert_each_need_has_exactly_one_match_set(world, [warm] + good)


def test_a_need_whose_ranking_keeps_failing_is_dead_lettered_after_bounded_retries(world, spine, broker):
    from tests.integration.events.conftest import make_index

    class Flaky:
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def rank(self, need, k=20):
            if need["title"].endswith("#1"):
                self.calls += 1
                raise RuntimeError("ranking exploded")
            return self.inner.rank(need, k=k)

    flaky = Flaky(make_index())
    spine.relay()
    spine.projector()
    spine.matcher(index=flaky)
    needs = world.post_needs(3)
    wait_until(lambda: world.all_matched([needs[0], needs[2]]), 60)  # a loaded CI machine joins the group slowly
    letters = [json.loads(r.value) for r in read_all(broker.bootstrap, DLQ, expect=1)]
    assert [letter["data"]["reason"] for letter in letters] == ["handler_failed"]
    assert "ranking exploded" in letters[0]["data"]["error"]
    assert flaky.calls == 4  # the first try and three retries
    assert needs[1] not in world.matched_ids()


def test_two_matchers_share_the_partitions_and_one_takes_over_when_the_other_stops(world, spine, broker):
    spine.relay()
    spine.projector()
    first = spine.matcher(name="matcher-a")
    second = spine.matcher(name="matcher-b")

    def assignments():
        consumers = [first.loop.consumer, second.loop.consumer]
        if any(c is None for c in consumers):
            return None
        parts = [{tp.partition for tp in c.assignment()} for c in consumers]
        # Settled: each holds some, together all, none twice. Mid-rebalance one member may still
        # report the previous generation's set while the other already holds all four.
        settled = all(parts) and set().union(*parts) == {0, 1, 2, 3} and not parts[0] & parts[1]
        return parts if settled else None

    wait_until(assignments, 30, message="the two matchers split the partitions between them")
    needs = world.post_needs(40)
    wait_until(lambda: world.all_matched(needs), 30)
    assert first.ranked > 0 and second.ranked > 0

    spine.stop(first)
    wait_until(lambda: {tp.partition for tp in second.loop.consumer.assignment()} == {0, 1, 2, 3},
               30, message="the remaining matcher took every partition")
    more = world.post_needs(40, start=40)
    wait_until(lambda: world.all_matched(more), 30)
    assert_each_need_has_exactly_one_match_set(world, needs + more)


def test_a_relay_stopped_mid_outbox_and_started_again_loses_nothing(world, spine, broker):
    from events.relay import Relay

    class StopsAfterThreeBatches(Relay):
        """Stops itself right after its third batch was acknowledged: mid-outbox, every time."""
        batches = 0

        def _send_and_flush(self, rows):
            super()._send_and_flush(rows)
            self.batches += 1
            if self.batches == 3:
                self.stop_event.set()

    spine.matcher()
    spine.projector()
    needs = world.post_needs(150)
    first = spine._start(StopsAfterThreeBatches(world.platform, broker.bootstrap, batch_size=10,
                                                producer_config=spine.producer_config), "relay")
    wait_until(lambda: first.stop_event.is_set(), 30, message="the relay stopped after three batches")
    spine.stop(first)
    assert world.unsent() >= 100, "the relay did not stop mid-outbox: nothing tested"
    needs += world.post_needs(30, start=150)  # accepted while no relay runs
    spine.relay(batch_size=10)
    wait_until(lambda: world.all_matched(needs), 60, message="every need matched after the restart")
    assert world.unsent() == 0
    assert_each_need_has_exactly_one_match_set(world, needs)
