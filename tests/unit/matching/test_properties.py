"""Properties over generated providers: bounded scores, determinism, order-free, reversible upserts."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matchkit import CATS, SKILLS, need, random_provider

from matching import PROVIDER_KINDS, ProviderIndex, load_weights

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
providers = st.integers(0, 10_000).map(
    lambda seed: [(kind, random_provider(kind, pid, random.Random(seed * 1000 + pid * 7 + i)))
                  for i, kind in enumerate(PROVIDER_KINDS) for pid in range(1, 13)])
needs = st.builds(lambda cat, skills, north, east, budget: need(category=cat, skills=skills, budget_fen=budget,
                                                                 lat=39.01727 + north / 111.0, lon=117.698407 + east / 86.0),
                  st.sampled_from(CATS), st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True),
                  st.floats(-8, 8), st.floats(-8, 8), st.sampled_from([0, 30000]))


def build(clock, records):
    ix = ProviderIndex(load_weights(), now=clock)
    for kind, p in records:
        ix.upsert(kind, p)
    return ix


@SETTINGS
@given(records=providers, n=needs)
def test_scores_and_factors_stay_between_zero_and_one(clock, records, n):
    for entries in build(clock, records).rank(n, k=50).values():
        for e in entries:
            assert 0.0 <= e["score"] <= 1.0
            assert all(0.0 <= v <= 1.0 for v in e["factors"].values())


@SETTINGS
@given(records=providers, n=needs, seed=st.integers(0, 1000))
def test_ranking_does_not_depend_on_the_order_providers_arrived(clock, records, n, seed):
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    first, second = build(clock, records), build(clock, shuffled)
    assert first.rank(n) == second.rank(n) == first.rank(n)


@SETTINGS
@given(records=providers, n=needs, extra=st.integers(0, 10_000), kind=st.sampled_from(PROVIDER_KINDS))
def test_upsert_then_remove_leaves_the_ranking_as_before(clock, records, n, extra, kind):
    ix = build(clock, records)
    before = ix.rank(n)
    newcomer = random_provider(kind, 999, random.Random(extra))
    ix.upsert(kind, newcomer)
    ix.rank(n)
    ix.remove(kind, 999)
    assert ix.rank(n) == before


@SETTINGS
@given(records=providers, n=needs, seed=st.integers(0, 1000))
def test_replacing_a_provider_with_itself_changes_nothing(clock, records, n, seed):
    ix = build(clock, records)
    before = ix.rank(n)
    kind, p = random.Random(seed).choice(records)
    ix.upsert(kind, dict(p))
    assert ix.rank(n) == before
