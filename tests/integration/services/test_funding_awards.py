"""Awarding a round (立项) at the service: priority, cap and budget, overrides with reasons, co-funding drawn."""

from __future__ import annotations

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput
from linkage.models import CharityResource, Grant
from linkage.services.funding.awards import award_round, awards_view
from linkage.services.funding.rounds import get_application, get_round


@pytest.fixture
def three(funding):
    """A round of 1 000 000 capped at 400 000, priority 养老: three applications reviewed 70, 90 and 80."""
    found = funding.round()
    elderly = funding.apply(found, funding.applicant(), "养老", 400_000)
    disabled = funding.apply(found, funding.applicant(), "助残", 350_000)
    culture = funding.apply(found, funding.applicant(), "文体", 400_000)
    funding.review(found, {elderly: 70, disabled: 90, culture: 80})
    return {"round": found, "elderly": elderly, "disabled": disabled, "culture": culture}


def _amounts(view: dict) -> dict[int, int]:
    return {a["application_id"]: a["amount_fen"] for a in view["allocations"]}


def test_the_preview_is_the_district_s_and_equals_what_is_committed(three, funding, build, act, read):
    with read() as s:
        preview = awards_view(s, funding.admin, three["round"].id)
        assert awards_view(s, build.auditor(), three["round"].id)["allocations"] == preview["allocations"]
        for outsider in (funding.community_staff, build.org_staff(build.organization())):
            with pytest.raises(Forbidden):
                awards_view(s, outsider, three["round"].id)
    assert preview["status"] == "preview"
    committed = funding.award(three["round"])
    assert committed["status"] == "committed"
    assert _amounts(committed) == _amounts(preview)
    with read() as s:  # once committed, the awards are public (公示)
        public = awards_view(s, build.volunteer_actor(build.volunteer()), three["round"].id)
    assert (public["status"], _amounts(public)) == ("committed", _amounts(committed))


def test_the_priority_category_goes_first_then_the_score_and_the_last_is_partly_funded(three, funding, read):
    committed = funding.award(three["round"])
    order = [a["application_id"] for a in committed["allocations"]]
    assert order == [three["elderly"].id, three["disabled"].id, three["culture"].id]
    assert _amounts(committed) == {
        three["elderly"].id: 400_000,
        three["disabled"].id: 350_000,
        three["culture"].id: 250_000,
    }  # what was left: 62.5 % of the request
    assert (committed["awarded_fen"], committed["unallocated_fen"]) == (1_000_000, 0)
    assert all(a["reasons"] for a in committed["allocations"])
    with read() as s:
        assert get_round(s, three["round"].id).status == "awarded"
        for key, rank in (("elderly", 1), ("disabled", 2), ("culture", 3)):
            application = get_application(s, three[key].id)
            assert (application.status, application.award_rank) == ("awarded", rank)
        assert s.get(Grant, next(a["grant_id"] for a in committed["allocations"])).awarded_fen == 400_000
    kinds = [kind for kind, _ in funding.entries(three["round"].id)]
    assert kinds == ["budget", "award", "award", "award"]


def test_a_partial_award_shrinks_every_budget_line_and_tranche_to_the_fen(three, funding, read):
    committed = funding.award(three["round"])
    grant_id = next(a["grant_id"] for a in committed["allocations"] if a["application_id"] == three["culture"].id)
    with read() as s:
        grant = s.get(Grant, grant_id)
        lines = {line["name"]: line["amount_fen"] for line in grant.lines}
    assert lines == {"人员费": 150_000, "活动费": 100_000}  # 240 000 : 160 000 scaled to 250 000
    milestones = funding.milestones(grant_id)
    assert [m.share_pct for m in milestones] == [40, 40, 20]
    assert [m.tranche_fen for m in milestones] == [100_000, 100_000, 50_000]
    for line, amount in lines.items():
        assert sum(m.tranche_lines[line] for m in milestones) == amount


def test_below_the_pass_mark_or_unreviewed_is_not_funded_and_the_money_stays(funding, read):
    found = funding.round()
    good = funding.apply(found, funding.applicant(), requested=300_000)
    weak = funding.apply(found, funding.applicant(), requested=300_000)
    unread = funding.apply(found, funding.applicant(), requested=300_000)
    funding.review(found, {good: 75, weak: 55})
    committed = funding.award(found)
    assert _amounts(committed) == {good.id: 300_000, weak.id: 0, unread.id: 0}
    assert (committed["awarded_fen"], committed["unallocated_fen"]) == (300_000, 700_000)
    with read() as s:
        assert [get_application(s, a.id).status for a in (good, weak, unread)] == [
            "awarded",
            "not_awarded",
            "not_awarded",
        ]
        assert get_application(s, unread.id).score is None


def test_too_little_left_for_the_minimum_share_funds_nothing_rather_than_a_crumb(funding):
    found = funding.round(budget_fen=500_000, cap_fen=400_000)
    first = funding.apply(found, funding.applicant(), requested=400_000)
    second = funding.apply(found, funding.applicant(), requested=300_000)
    funding.review(found, {first: 90, second: 85})
    assert _amounts(funding.award(found)) == {first.id: 400_000, second.id: 0}  # 100 000 < 50 % of 300 000


def test_an_override_is_taken_first_and_its_reason_is_kept(three, funding, read):
    reason = "文体项目覆盖面广"
    committed = funding.award(
        three["round"], [{"application_id": three["culture"].id, "amount_fen": 300_000, "reason": f"  {reason} "}]
    )
    amounts = _amounts(committed)
    assert amounts[three["culture"].id] == 300_000
    assert amounts[three["elderly"].id] == 400_000 and amounts[three["disabled"].id] == 300_000  # partly, now
    assert committed["awarded_fen"] <= 1_000_000
    with read() as s:
        assert get_application(s, three["culture"].id).override_reason == reason
        assert get_application(s, three["elderly"].id).override_reason == ""


@pytest.mark.parametrize(
    "overrides",
    [
        [{"key": "culture", "amount_fen": 400_001, "reason": "超过申请额"}],
        [{"key": "culture", "amount_fen": -1, "reason": "负数"}],
        [{"key": "culture", "amount_fen": 100_000, "reason": "  "}],
        [
            {"key": "culture", "amount_fen": 100_000, "reason": "一"},
            {"key": "culture", "amount_fen": 1, "reason": "二"},
        ],
        [{"key": None, "amount_fen": 100_000, "reason": "别的轮次"}],
    ],
)
def test_an_override_beyond_the_limits_or_without_a_reason_is_refused(three, funding, unchanged, overrides):
    items = [
        {
            "application_id": three[o["key"]].id if o["key"] else 909_090,
            "amount_fen": o["amount_fen"],
            "reason": o["reason"],
        }
        for o in overrides
    ]
    with unchanged(), pytest.raises(InvalidInput) as caught:
        funding.award(three["round"], items)
    assert "overrides" in caught.value.errors


def test_overrides_together_may_not_exceed_the_budget(funding, unchanged):
    found = funding.round(budget_fen=500_000, cap_fen=400_000)
    a = funding.apply(found, funding.applicant(), requested=300_000)
    b = funding.apply(found, funding.applicant(), requested=300_000)
    funding.review(found, {a: 80, b: 80})
    items = [{"application_id": x.id, "amount_fen": 300_000, "reason": "重点项目"} for x in (a, b)]
    with unchanged(), pytest.raises(InvalidInput):
        funding.award(found, items)


def test_awards_are_committed_once_by_the_district_while_reviewing(three, funding, build, act, unchanged):
    outsiders = (funding.community_staff, build.auditor())
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                act(award_round, outsider, three["round"].id)
    funding.award(three["round"])
    with unchanged(), pytest.raises(Conflict):
        funding.award(three["round"])
    still_open = funding.round()
    with unchanged(), pytest.raises(Conflict):
        funding.award(still_open)


def test_co_funding_is_drawn_at_the_award_and_an_application_whose_fund_ran_dry_is_left_out(funding, build, read):
    found = funding.round(cofunding_pct=20)
    fund = build.resource(name="社区发展基金", amount_fen=150_000, restricted_categories=[])
    pledge = {"cofunding_resource_id": fund.id, "cofunding_fen": 100_000}
    first = funding.apply(found, funding.applicant(), requested=300_000, **pledge)
    second = funding.apply(found, funding.applicant(), requested=300_000, **pledge)  # 150 000 covers both pledges
    third = funding.apply(
        found, funding.applicant(), requested=200_000, cofunding_resource_id=fund.id, cofunding_fen=50_000
    )
    funding.review(found, {first: 90, second: 85, third: 80})
    committed = funding.award(found)
    amounts = _amounts(committed)
    assert amounts == {first.id: 300_000, second.id: 0, third.id: 200_000}  # second's pledge no longer there
    second_reasons = next(a["reasons"] for a in committed["allocations"] if a["application_id"] == second.id)
    assert len(second_reasons) == 2  # its category, and why its co-funding blocked it
    with read() as s:
        assert s.get(CharityResource, fund.id).remaining_fen == 0
    kinds = [kind for kind, _ in funding.entries(found.id)]
    assert kinds.count("cofunding") == 2 and kinds.count("award") == 2
