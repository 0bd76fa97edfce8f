"""The index as the matcher worker uses it: upserts, removals, refits, batches, recommendations."""

import random
from datetime import datetime, timedelta, timezone

import pytest
from matchkit import BUILDERS, need, organization, random_provider, volunteer

from matching import PROVIDER_KINDS, ProviderIndex, load_weights


def filled(clock, n=60, seed=1, overrides=None):
    ix = ProviderIndex(load_weights(overrides=overrides), now=clock)
    rnd = random.Random(seed)
    for kind in PROVIDER_KINDS:
        for pid in range(1, n + 1):
            ix.upsert(kind, random_provider(kind, pid, rnd))
    return ix


def test_rank_returns_every_kind_sorted_by_score_then_id(clock):
    ranked = filled(clock).rank(need(), k=10)
    assert set(ranked) == set(PROVIDER_KINDS)
    for entries in ranked.values():
        assert len(entries) <= 10
        keys = [(-e["score"], e["provider_id"]) for e in entries]
        assert keys == sorted(keys)


def test_kinds_argument_limits_the_answer(index):
    index.upsert("volunteer", volunteer(id=1))
    assert list(index.rank(need(), kinds=["volunteer"])) == ["volunteer"]


def test_unknown_kind_is_refused(index):
    with pytest.raises(ValueError):
        index.upsert("robot", {"id": 1})


def test_sizes_follow_upserts_and_removals(index):
    for pid in (1, 2, 3):
        index.upsert("volunteer", volunteer(id=pid))
    index.upsert("volunteer", volunteer(id=2, skills=["急救"]))  # replace, not add
    index.upsert("organization", organization(id=1))
    index.remove("volunteer", 3)
    index.remove("volunteer", 99)  # unknown: nothing to do
    assert index.size("volunteer") == 2 and index.size("organization") == 1 and len(index) == 3


def test_upsert_replaces_the_old_record(index):
    index.upsert("volunteer", volunteer(id=1, skills=["垃圾分类"]))
    index.rank(need())
    index.upsert("volunteer", volunteer(id=1, skills=["陪诊"]))
    assert index.rank(need())["volunteer"][0]["reasons"][0] == "技能相符：陪诊"
    assert len(index.rank(need())["volunteer"]) == 1


def test_refit_keeps_the_ranking_when_documents_are_unchanged(clock):
    ix = filled(clock)
    before = ix.rank(need())
    ix.refit()
    assert ix.rank(need()) == before


def test_compacting_the_delta_changes_no_ranking(clock):
    often = filled(clock, overrides={"LINKAGE_MATCHING_COMPACT_EVERY": "7"})
    never = filled(clock)
    for ix in (often, never):
        ix.rank(need())  # fits the vocabulary; later upserts go to the delta
        rnd = random.Random(5)
        for pid in range(1, 30):
            ix.upsert("volunteer", random_provider("volunteer", pid, rnd))
        ix.remove("volunteer", 3)
    assert often._kinds["volunteer"].delta.n < 7 < never._kinds["volunteer"].delta.n
    assert often.rank(need()) == never.rank(need())


def test_a_churned_index_ranks_as_it_does_once_compacted(clock):
    # Under churn every kind keeps a delta (rows scored with main's in one pass, matching.joined):
    # moved, changed, removed and new providers, some with tag sets the postings lack yet.
    ix = filled(clock, n=120)
    ix.rank(need())
    rnd = random.Random(9)
    for round_ in range(40):
        for kind in PROVIDER_KINDS:
            poll = [random_provider(kind, rnd.randint(1, 160), rnd) for _ in range(4)]
            if round_ % 2:
                ix.upsert_many(kind, poll)  # as the matcher's provider feed writes a poll
            else:
                for p in poll:
                    ix.upsert(kind, p)
            ix.remove(kind, rnd.randint(1, 160))
    needs = [
        need(
            category=rnd.choice(["养老", "助学", "应急"]),
            skills=rnd.sample(["陪诊", "急救", "助学", "手语"], 2),
            budget_fen=rnd.choice([0, 50000]),
        )
        for _ in range(12)
    ]
    assert all(ix._kinds[kind].delta.n for kind in PROVIDER_KINDS)
    churned = [ix.rank(n, k=15) for n in needs]
    for kind in PROVIDER_KINDS:
        ix._compact(kind)
    assert [ix.rank(n, k=15) for n in needs] == churned


def test_vocabulary_refits_itself_after_enough_upserts(clock):
    ix = ProviderIndex(load_weights(overrides={"LINKAGE_MATCHING_REFIT_EVERY": "5"}), now=clock)
    ix.upsert("volunteer", volunteer(id=1, skills=["垃圾分类"]))
    ix.rank(need())
    assert "陪诊" not in "".join(ix._vocab.vectorizer.vocabulary_)
    for pid in range(2, 7):
        ix.upsert("volunteer", volunteer(id=pid))
    assert "陪诊" in ix._vocab.vectorizer.vocabulary_


def test_batch_ranking_matches_one_by_one(clock):
    ix = filled(clock)
    needs = [
        need(id=i, category=c, skills=[s])
        for i, (c, s) in enumerate([("养老", "陪诊"), ("助学", "课业辅导"), ("应急", "急救"), ("环境", "垃圾分类")] * 3)
    ]
    assert ix.rank_batch(needs, k=5, workers=2) == [ix.rank(n, k=5) for n in needs]
    assert ix.rank_batch(needs, k=5, workers=1) == [ix.rank(n, k=5) for n in needs]


def test_recommendations_gently_push_a_provider_down_until_they_decay(index):
    index.upsert("volunteer", volunteer(id=1))
    index.upsert("volunteer", volunteer(id=2))
    assert [e["provider_id"] for e in index.rank(need())["volunteer"]] == [1, 2]
    index.note_recommended("volunteer", [1], weight=20)
    ranked = index.rank(need())["volunteer"]
    assert [e["provider_id"] for e in ranked] == [2, 1]
    assert ranked[1]["factors"]["spread"] == pytest.approx(0.2) and "近期已获较多推荐" in ranked[1]["reasons"]
    assert index.rank(need()) == index.rank(need())  # rank() itself hands out nothing
    index.decay_recommendations(0.0)
    assert [e["provider_id"] for e in index.rank(need())["volunteer"]] == [1, 2]


def test_recommendation_counts_halve_every_half_life():
    clock = [datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)]
    ix = ProviderIndex(load_weights(overrides={"LINKAGE_MATCHING_SPREAD_HALF_LIFE_HOURS": "72"}), now=lambda: clock[0])
    ix.upsert("volunteer", volunteer(id=1))
    ix.note_recommended("volunteer", [1], weight=10)
    clock[0] += timedelta(hours=72)
    ix.note_recommended("volunteer", [], weight=1)  # any later note ages the counts first
    assert ix.rank(need())["volunteer"][0]["factors"]["spread"] == pytest.approx(1 / (1 + 5 / 5))


def test_recommendation_count_survives_an_update_of_the_provider(index):
    index.upsert("volunteer", volunteer(id=1))
    index.note_recommended("volunteer", [1], weight=5)
    index.upsert("volunteer", volunteer(id=1, verified_minutes=30))
    assert index.rank(need())["volunteer"][0]["factors"]["spread"] == pytest.approx(0.5)


def test_bulk_load_equals_one_by_one_upserts(clock):
    rnd = random.Random(3)
    records = {kind: [random_provider(kind, pid, rnd) for pid in range(1, 80)] for kind in PROVIDER_KINDS}
    bulk = ProviderIndex(load_weights(), now=clock)
    single = ProviderIndex(load_weights(), now=clock)
    for kind, rows in records.items():
        bulk.upsert_many(kind, rows + [dict(rows[0], active=False)])
        for row in rows + [dict(rows[0], active=False)]:
            single.upsert(kind, row)
    assert len(bulk) == len(single) == 4 * 78
    assert bulk.rank(need()) == single.rank(need())


def test_empty_index_ranks_nothing(index):
    assert index.rank(need()) == {kind: [] for kind in PROVIDER_KINDS}
    index.upsert("volunteer", volunteer(id=1))
    assert [e["provider_id"] for e in index.rank(need())["volunteer"]] == [1]


@pytest.mark.parametrize("kind", PROVIDER_KINDS)
def test_k_limits_each_kind(index, kind):
    for pid in range(1, 8):
        index.upsert(kind, BUILDERS[kind](id=pid, km_north=pid * 0.3))
    assert len(index.rank(need(), k=3)[kind]) == 3
    assert index.rank(need(), k=0)[kind] == []
