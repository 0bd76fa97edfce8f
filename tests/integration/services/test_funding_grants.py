"""A grant's money at the service: milestones accepted in order, tranches, spending, corrections, the closing report."""

from __future__ import annotations

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import CharityResource
from linkage.services.funding.grants import (
    accept_milestone,
    close_grant,
    correct_entry,
    disburse_tranche,
    get_grant,
    report_expenditure,
    view_grant,
)
from linkage.services.funding.rounds import chain


@pytest.fixture
def granted(funding):
    """A grant of 300 000 (人员费 180 000, 活动费 120 000) in tranches of 120 000, 120 000 and 60 000."""
    return funding.grant()


def _spend(act, granted, amount, line="人员费", receipt="FP-2026-0001", actor=None):
    data = {"amount_fen": amount, "budget_line": line, "receipt_ref": receipt, "note": "社工劳务费"}
    return act(report_expenditure, actor or granted["applicant"].staff, granted["grant_id"], data)


def _paid_first_tranche(funding, act, granted):
    act(accept_milestone, funding.community_staff, granted["grant_id"], 1, "协议已签订")
    return act(disburse_tranche, funding.admin, granted["grant_id"])


def test_the_community_accepts_milestones_in_order_and_each_unlocks_its_tranche(granted, funding, act, unchanged):
    grant_id = granted["grant_id"]
    with unchanged(), pytest.raises(Conflict):  # the money waits for the milestone
        act(disburse_tranche, funding.admin, grant_id)
    accepted = act(accept_milestone, funding.community_staff, grant_id, 1, "  协议已签订  ")
    assert (accepted.n, accepted.acceptance_note, accepted.accepted_by) == (
        1,
        "协议已签订",
        funding.community_staff.user_id,
    )
    first = act(disburse_tranche, funding.admin, grant_id)
    assert (first.kind, first.tranche, first.amount_fen, first.lines) == (
        "disbursement",
        1,
        120_000,
        {"人员费": 72_000, "活动费": 48_000},
    )
    with unchanged(), pytest.raises(Conflict):  # tranche 2 waits for milestone 2
        act(disburse_tranche, funding.admin, grant_id)
    act(accept_milestone, funding.admin, grant_id, 2)
    act(accept_milestone, funding.admin, grant_id, 3)
    paid = [act(disburse_tranche, funding.admin, grant_id).amount_fen for _ in range(2)]
    assert paid == [120_000, 60_000]
    with unchanged(), pytest.raises(Conflict):
        act(disburse_tranche, funding.admin, grant_id)
    assert funding.events(granted["round"].id).count("milestone.accepted") == 3


def test_milestones_are_accepted_once_in_order_and_only_by_the_community_or_the_district(
    granted, funding, build, act, unchanged
):
    grant_id = granted["grant_id"]
    outsiders = (granted["applicant"].staff, build.community_staff(build.community()), build.auditor())
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                act(accept_milestone, outsider, grant_id, 1)
        with pytest.raises(Conflict):
            act(accept_milestone, funding.community_staff, grant_id, 2)
        with pytest.raises(NotFound):
            act(accept_milestone, funding.community_staff, grant_id, 9)
        with pytest.raises(NotFound):
            act(accept_milestone, funding.admin, 727272, 1)
    act(accept_milestone, funding.community_staff, grant_id, 1)
    with unchanged(), pytest.raises(Conflict):
        act(accept_milestone, funding.community_staff, grant_id, 1)


def test_only_the_district_pays_tranches(granted, funding, act, unchanged):
    act(accept_milestone, funding.community_staff, granted["grant_id"], 1)
    with unchanged():
        for outsider in (funding.community_staff, granted["applicant"].staff):
            with pytest.raises(Forbidden):
                act(disburse_tranche, outsider, granted["grant_id"])


def test_the_grantee_reports_spending_on_its_lines_never_beyond_what_it_was_paid(
    granted, funding, build, act, unchanged
):
    _paid_first_tranche(funding, act, granted)
    outsiders = (funding.admin, funding.community_staff, build.org_staff(build.organization()))
    spent = _spend(act, granted, 70_000, receipt="  FP-2026-0001 ")
    assert (spent.kind, spent.budget_line, spent.receipt_ref, spent.amount_fen) == (
        "expenditure",
        "人员费",
        "FP-2026-0001",
        70_000,
    )
    with unchanged():
        with pytest.raises(Conflict):  # 72 000 was paid on 人员费: 2 000 is left
            _spend(act, granted, 2_001)
        with pytest.raises(Conflict):  # a line's cash is its own: 活动费's 48 000 does not cover 人员费
            _spend(act, granted, 48_000)
        with pytest.raises(InvalidInput) as caught:
            _spend(act, granted, 1_000, line="宴请费")
        assert "budget_line" in caught.value.errors
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                _spend(act, granted, 1_000, actor=outsider)
    assert _spend(act, granted, 2_000).amount_fen == 2_000
    assert _spend(act, granted, 48_000, line="活动费").amount_fen == 48_000


def test_a_correction_reverses_spending_exactly_and_only_once(granted, funding, act, read, unchanged):
    paid = _paid_first_tranche(funding, act, granted)
    spent = _spend(act, granted, 50_000)
    grant_id = granted["grant_id"]
    with unchanged():
        with pytest.raises(Conflict):  # the tranche was partly spent: undo the spending first
            act(correct_entry, funding.admin, grant_id, paid.id, "银行退票")
        with pytest.raises(InvalidInput):
            act(correct_entry, funding.admin, grant_id, spent.id, "  ")
        with pytest.raises(Forbidden):
            act(correct_entry, granted["applicant"].staff, grant_id, spent.id, "票据重复")
        with pytest.raises(NotFound):
            act(correct_entry, funding.admin, grant_id, 989_898, "无此条目")
    reversal = act(correct_entry, funding.admin, grant_id, spent.id, "票据重复报销")
    assert (reversal.kind, reversal.target_id, reversal.lines, reversal.source, reversal.destination) == (
        "reversal",
        spent.id,
        {"人员费": 50_000},
        spent.destination,
        spent.source,
    )
    with unchanged(), pytest.raises(Conflict):
        act(correct_entry, funding.admin, grant_id, spent.id, "再次更正")
    assert _spend(act, granted, 72_000).amount_fen == 72_000  # the whole line's cash is there again
    with read() as s:
        assert [e.kind for e in chain(s, granted["round"].id)][-3:] == ["expenditure", "reversal", "expenditure"]


def test_an_award_is_not_corrected_by_a_reversal(granted, funding, act, read, unchanged):
    with read() as s:
        award = next(e for e in chain(s, granted["round"].id) if e.kind == "award")
    with unchanged(), pytest.raises(Conflict):
        act(correct_entry, funding.admin, granted["grant_id"], award.id, "金额有误")


def test_reversing_a_co_funding_draw_gives_the_fund_its_money_back(funding, build, act, read):
    fund = build.resource(name="社区发展基金", amount_fen=500_000, restricted_categories=[])
    found = funding.round(cofunding_pct=20)
    applicant = funding.applicant()
    application = funding.apply(found, applicant, cofunding_resource_id=fund.id, cofunding_fen=100_000)
    funding.review(found, {application: 80})
    grant_id = funding.award(found)["allocations"][0]["grant_id"]
    with read() as s:
        assert s.get(CharityResource, fund.id).remaining_fen == 400_000
        draw = next(e for e in chain(s, found.id) if e.kind == "cofunding")
    act(correct_entry, funding.admin, grant_id, draw.id, "捐赠方撤回配套")
    with read() as s:
        assert s.get(CharityResource, fund.id).remaining_fen == 500_000


def test_the_closing_report_releases_undisbursed_money_and_refunds_unspent_cash(granted, funding, act, read, unchanged):
    _paid_first_tranche(funding, act, granted)
    _spend(act, granted, 50_000)
    outsiders = (funding.community_staff, funding.build.org_staff(funding.build.organization()))
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                act(close_grant, outsider, granted["grant_id"], "结项")
    closed = act(close_grant, granted["applicant"].staff, granted["grant_id"], "  服务独居老人120人次  ")
    assert (closed.status, closed.closing_summary) == ("closed", "服务独居老人120人次")
    with read() as s:
        tail = [(e.kind, e.lines) for e in chain(s, granted["round"].id)][-2:]
    assert tail == [
        ("release", {"人员费": 108_000, "活动费": 72_000}),  # the two tranches never paid
        ("refund", {"人员费": 22_000, "活动费": 48_000}),  # paid but not spent
    ]
    assert funding.events(granted["round"].id)[-1] == "grant.closed"


def test_a_closed_grant_takes_no_more_money_or_milestones(granted, funding, act, unchanged):
    grant_id = granted["grant_id"]
    act(close_grant, funding.admin, grant_id, "项目未实施，资金收回")
    with unchanged():
        with pytest.raises(Conflict):
            act(accept_milestone, funding.community_staff, grant_id, 1)
        with pytest.raises(Conflict):
            act(disburse_tranche, funding.admin, grant_id)
        with pytest.raises(Conflict):
            _spend(act, granted, 1)
        with pytest.raises(Conflict):
            act(close_grant, funding.admin, grant_id, "再次结项")


def test_a_grant_is_seen_by_its_organization_its_community_and_the_district(granted, funding, build, read):
    strangers = (
        build.org_staff(build.organization()),
        build.community_staff(build.community()),
        build.volunteer_actor(build.volunteer()),
    )
    with read() as s:
        for party in (granted["applicant"].staff, funding.community_staff, funding.admin, build.auditor()):
            assert view_grant(s, party, granted["grant_id"]).id == granted["grant_id"]
        for stranger in strangers:
            with pytest.raises(Forbidden):
                view_grant(s, stranger, granted["grant_id"])
        with pytest.raises(NotFound):
            get_grant(s, 646464)
