"""The vectorised index agrees with the slow, exact reference scorer."""
import random

import numpy as np
from matchkit import CATS, SKILLS, need, random_provider

from matching import PROVIDER_KINDS, ProviderIndex, load_weights
from matching.reference import ReferenceScorer


def test_index_ranks_exactly_like_the_reference_loop(clock):
    rnd = random.Random(11)
    records = {kind: [random_provider(kind, pid, rnd) for pid in range(1, 301)] for kind in PROVIDER_KINDS}
    ix = ProviderIndex(load_weights(), now=clock)
    for kind, rows in records.items():
        ix.upsert_many(kind, rows)
    ix.rank(need())  # fit the vocabulary the reference shares
    ref = ReferenceScorer(load_weights(), ix._vocab, clock().timestamp())
    for i in range(15):
        n = need(id=i, category=rnd.choice(CATS), skills=rnd.sample(SKILLS, 2), budget_fen=rnd.choice([0, 40000]),
                 lat=39.01727 + rnd.uniform(-0.05, 0.05), lon=117.698407 + rnd.uniform(-0.05, 0.05))
        got = ix.rank(n, k=20)
        want = ref.rank(n, records, k=20)
        for kind in PROVIDER_KINDS:
            assert [(e["score"], e["provider_id"]) for e in got[kind]] == [(r[0], r[1]) for r in want[kind]], kind
            for e, r in zip(got[kind], want[kind]):
                assert e["distance_km"] == round(r[2], 2)
                assert e["factors"] == {k: float(np.round(v, 4)) for k, v in r[3].items()}
