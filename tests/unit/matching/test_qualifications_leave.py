"""A need's required qualification is a hard cut; a volunteer's leave is a soft one, said in the reasons."""

import random

import numpy as np
from matchkit import CATS, SKILLS, need, random_provider, social_worker, volunteer

from matching import PROVIDER_KINDS, ProviderIndex, load_weights
from matching.explain import ON_LEAVE
from matching.reference import ReferenceScorer

FIRST_AID = {"kind": "first_aid", "level": "", "expires_on": None}
LEAVE_ON_THE_DAY = [{"from": "2026-11-27", "to": "2026-11-29"}]  # the need is on Saturday 2026-11-28


def test_a_required_qualification_keeps_only_its_valid_holders(index):
    index.upsert("volunteer", volunteer(id=1, qualifications=[FIRST_AID]))
    index.upsert("volunteer", volunteer(id=2, qualifications=[]))
    index.upsert(
        "volunteer", volunteer(id=3, qualifications=[{**FIRST_AID, "expires_on": "2026-11-27"}])
    )  # the day before
    index.upsert(
        "volunteer", volunteer(id=4, qualifications=[{**FIRST_AID, "expires_on": "2026-11-28"}])
    )  # through the day
    index.upsert("volunteer", volunteer(id=5, qualifications=[{"kind": "driving_licence", "expires_on": None}]))
    ranked = index.rank(need(qualification_required="first_aid"))["volunteer"]
    assert sorted(e["provider_id"] for e in ranked) == [1, 4]
    assert all("持有效急救证" in e["reasons"] for e in ranked)
    unrestricted = index.rank(need())["volunteer"]
    assert len(unrestricted) == 5 and not any("持有效急救证" in e["reasons"] for e in unrestricted)


def test_social_workers_hold_social_work_and_nothing_else_recorded(index):
    index.upsert("social_worker", social_worker(id=1, qualifications=[{"kind": "social_work", "level": "senior"}]))
    index.upsert("social_worker", social_worker(id=2))  # a record from before qualifications: holds none
    assert [e["provider_id"] for e in index.rank(need(qualification_required="social_work"))["social_worker"]] == [1]
    assert index.rank(need(qualification_required="first_aid"))["social_worker"] == []


def test_the_requirement_leaves_organizations_and_resources_alone(index):
    from matchkit import organization, resource

    index.upsert("organization", organization(id=1))
    index.upsert("resource", resource(id=1))
    got = index.rank(need(qualification_required="first_aid"))
    assert len(got["organization"]) == 1 and len(got["resource"]) == 1


def test_leave_on_the_needs_day_demotes_and_says_so(index):
    index.upsert("volunteer", volunteer(id=1, leave=LEAVE_ON_THE_DAY))
    index.upsert("volunteer", volunteer(id=2))
    ranked = index.rank(need())["volunteer"]
    assert [e["provider_id"] for e in ranked] == [2, 1]  # otherwise alike: the one away sinks, not vanishes
    away, free = ranked[1], ranked[0]
    assert away["factors"]["availability"] == 0.0 and ON_LEAVE in away["reasons"]
    assert "本周六上午有空" not in away["reasons"]
    assert (
        free["factors"]["availability"] == 1.0
        and ON_LEAVE not in free["reasons"]
        and "本周六上午有空" in free["reasons"]
    )


def test_leave_on_other_days_changes_nothing(index):
    index.upsert(
        "volunteer",
        volunteer(id=1, leave=[{"from": "2026-11-29", "to": "2026-12-03"}, {"from": "2026-11-20", "to": "2026-11-27"}]),
    )
    entry = index.rank(need())["volunteer"][0]
    assert entry["factors"]["availability"] == 1.0
    assert ON_LEAVE not in entry["reasons"] and "本周六上午有空" in entry["reasons"]


def test_not_free_says_so_without_claiming_leave(index):
    index.upsert("volunteer", volunteer(id=1, availability=["sun_pm"]))
    entry = index.rank(need())["volunteer"][0]
    assert entry["factors"]["availability"] == 0.0
    assert "需求时段未登记空闲" in entry["reasons"] and ON_LEAVE not in entry["reasons"]


def _with_extras(p: dict, kind: str, rnd: random.Random) -> dict:
    if kind == "volunteer":
        p["qualifications"] = rnd.choice(
            [
                [],
                [FIRST_AID],
                [{**FIRST_AID, "expires_on": "2026-11-27"}],
                [{"kind": "driving_licence", "expires_on": "2027-03-01"}],
            ]
        )
        p["leave"] = rnd.choice([[], [], LEAVE_ON_THE_DAY, [{"from": "2026-12-01", "to": "2026-12-02"}]])
    elif kind == "social_worker":
        p["qualifications"] = [{"kind": "social_work", "level": p["certificate_level"], "expires_on": None}]
    return p


def test_index_agrees_with_the_reference_on_qualifications_and_leave(clock):
    rnd = random.Random(5)
    records = {
        kind: [_with_extras(random_provider(kind, pid, rnd), kind, rnd) for pid in range(1, 201)]
        for kind in PROVIDER_KINDS
    }
    ix = ProviderIndex(load_weights(), now=clock)
    for kind, rows in records.items():
        ix.upsert_many(kind, rows)
    ix.rank(need())
    ref = ReferenceScorer(load_weights(), ix._vocab, clock().timestamp())
    for i in range(12):
        n = need(
            id=i,
            category=rnd.choice(CATS),
            skills=rnd.sample(SKILLS, 2),
            qualification_required=rnd.choice(["", "first_aid", "social_work", "driving_licence"]),
            lat=39.01727 + rnd.uniform(-0.05, 0.05),
            lon=117.698407 + rnd.uniform(-0.05, 0.05),
        )
        got, want = ix.rank(n, k=20), ref.rank(n, records, k=20)
        for kind in PROVIDER_KINDS:
            assert [(e["score"], e["provider_id"]) for e in got[kind]] == [(r[0], r[1]) for r in want[kind]], kind
            for e, r in zip(got[kind], want[kind]):
                assert e["factors"] == {k: float(np.round(v, 4)) for k, v in r[3].items()}
