"""The explainable allocation of a round's budget, without a database: examples and invariants."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.errors import InvalidInput
from linkage.services.funding.allocation import allocate, yuan


def app(id, requested, category="养老", score=80.0):
    return {"id": id, "requested_fen": requested, "category": category, "score": score}


def by_id(result):
    return {r["application_id"]: r for r in result}


def test_priority_categories_are_funded_before_a_better_scored_ordinary_one():
    result = allocate(100_000, 60_000, ["养老"], [app(1, 60_000, "文体", 95), app(2, 60_000, "养老", 70)])
    assert [r["application_id"] for r in result] == [2, 1]
    assert by_id(result)[2]["amount_fen"] == 60_000 and by_id(result)[1]["amount_fen"] == 40_000
    assert any("priority category" in reason for reason in by_id(result)[2]["reasons"])
    assert any("partly funded" in reason for reason in by_id(result)[1]["reasons"])


def test_ties_in_score_go_to_the_earlier_application_and_say_so():
    result = allocate(50_000, 50_000, [], [app(7, 50_000, score=88), app(3, 50_000, score=88)])
    assert by_id(result)[3]["amount_fen"] == 50_000 and by_id(result)[7]["amount_fen"] == 0
    assert any("tied with application 3" in reason for reason in by_id(result)[7]["reasons"])


def test_the_per_project_cap_limits_an_award_and_is_named_as_the_reason():
    result = allocate(1_000_000, 30_000, [], [app(1, 50_000)])
    assert result[0]["amount_fen"] == 30_000
    assert any("per-project cap" in reason for reason in result[0]["reasons"])


def test_unreviewed_or_failing_applications_get_nothing_with_a_reason():
    result = by_id(allocate(1_000_000, 100_000, [], [app(1, 10_000, score=None), app(2, 10_000, score=59.99)]))
    assert result[1]["amount_fen"] == result[2]["amount_fen"] == 0
    assert "not reviewed" in result[1]["reasons"][-1] and "pass mark" in result[2]["reasons"][-1]


def test_a_remainder_too_small_for_a_meaningful_grant_flows_to_the_next_application():
    result = by_id(allocate(100_000, 100_000, [], [app(1, 80_000, score=90), app(2, 50_000, score=85),
                                                   app(3, 20_000, score=70)]))
    assert result[1]["amount_fen"] == 80_000
    assert result[2]["amount_fen"] == 0 and "not funded" in result[2]["reasons"][-1]
    assert result[3]["amount_fen"] == 20_000


def test_an_admin_override_is_taken_off_the_budget_first_and_recorded():
    result = by_id(allocate(100_000, 80_000, [], [app(1, 80_000, score=90), app(2, 80_000, score=60)],
                            overrides={2: {"amount_fen": 50_000, "reason": "社区强烈需要"}}))
    assert result[2]["amount_fen"] == 50_000 and "社区强烈需要" in result[2]["reasons"][-1]
    assert result[1]["amount_fen"] == 50_000


@pytest.mark.parametrize("override", [{"amount_fen": 90_000, "reason": "x"}, {"amount_fen": 10, "reason": " "}])
def test_overrides_beyond_the_cap_or_without_a_reason_are_refused(override):
    with pytest.raises(InvalidInput):
        allocate(100_000, 80_000, [], [app(1, 80_000)], overrides={1: override})


def test_yuan_is_shown_without_floats():
    assert yuan(123_456_789) == "¥1,234,567.89" and yuan(5) == "¥0.05"


applications = st.lists(
    st.builds(lambda requested, category, score: {"requested_fen": requested, "category": category, "score": score},
              st.integers(1, 2_000_000), st.sampled_from(["养老", "助残", "文体", "环境"]),
              st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda s: round(s, 2)))),
    max_size=12).map(lambda items: [{"id": i + 1, **item} for i, item in enumerate(items)])


@settings(max_examples=60, deadline=None)
@given(budget=st.integers(0, 5_000_000), cap=st.integers(1, 2_000_000), apps=applications,
       priority=st.lists(st.sampled_from(["养老", "助残", "文体"]), max_size=2),
       partial=st.integers(0, 100), data=st.data())
def test_any_allocation_stays_within_budget_cap_and_request_and_explains_itself(budget, cap, apps, priority,
                                                                                  partial, data):
    overrides = {}
    room = budget
    for a in data.draw(st.lists(st.sampled_from(apps), max_size=3, unique_by=lambda a: a["id"])) if apps else []:
        amount = data.draw(st.integers(0, min(a["requested_fen"], cap, room)))
        room -= amount
        overrides[a["id"]] = {"amount_fen": amount, "reason": "调整 / adjusted"}
    result = allocate(budget, cap, priority, apps, min_partial_pct=partial, overrides=overrides)
    assert sorted(r["application_id"] for r in result) == [a["id"] for a in apps]
    assert sum(r["amount_fen"] for r in result) <= budget
    requested = {a["id"]: a for a in apps}
    for r in result:
        assert isinstance(r["amount_fen"], int)
        assert 0 <= r["amount_fen"] <= min(cap, requested[r["application_id"]]["requested_fen"])
        assert r["reasons"]
    ranked = [requested[r["application_id"]] for r in result if r["rank"] is not None]
    keys = [(a["category"] not in priority, -a["score"], a["id"]) for a in ranked]
    assert keys == sorted(keys)  # priority first, then score, then the earlier application
    assert allocate(budget, cap, priority, apps, min_partial_pct=partial, overrides=overrides) == result
