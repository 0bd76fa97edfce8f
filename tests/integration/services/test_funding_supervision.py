"""A round from call to closing at the service, and its oversight: every fen accounted for, the ledger holds."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from linkage.errors import Conflict, Forbidden
from linkage.models.funding import FundEntry
from linkage.services.funding.grants import (
    accept_milestone,
    close_grant,
    correct_entry,
    disburse_tranche,
    report_expenditure,
)
from linkage.services.funding.rounds import transition_round
from linkage.services.funding.supervision import grant_movements, grant_view, ledger_view, public_summary, supervision
from tests.integration.services.funding_scene import ROUND_LIFE_EVENTS


@pytest.fixture
def awarded(funding, build):
    """Three applicants awarded 400 000 (养老, priority), 350 000 (助残) and 250 000 (文体, partly, elsewhere)."""
    found = funding.round()
    elsewhere = build.community()
    applicants = [funding.applicant() for _ in range(3)]
    elderly = funding.apply(found, applicants[0], "养老", 400_000)
    disabled = funding.apply(found, applicants[1], "助残", 350_000)
    culture = funding.apply(
        found, applicants[2], requested=400_000, need_id=funding.need("文体", community=elsewhere).id
    )
    funding.review(found, {elderly: 70, disabled: 90, culture: 80})
    committed = funding.award(found)
    grants = [
        next(a["grant_id"] for a in committed["allocations"] if a["application_id"] == x.id)
        for x in (elderly, disabled, culture)
    ]
    return {"round": found, "applicants": applicants, "grants": grants, "elsewhere": elsewhere}


def _spend(act, staff, grant_id, amount, line="人员费", receipt="FP-2026-0001"):
    return act(report_expenditure, staff, grant_id, {"amount_fen": amount, "budget_line": line, "receipt_ref": receipt})


def test_a_round_runs_from_the_call_to_its_closing_and_every_fen_is_accounted_for(awarded, funding, act, read):
    found, (a, b, c) = awarded["round"], awarded["grants"]
    grantee = awarded["applicants"][0].staff
    act(accept_milestone, funding.community_staff, a, 1, "协议已签订")
    assert act(disburse_tranche, funding.admin, a).amount_fen == 160_000
    _spend(act, grantee, a, 90_000)
    act(accept_milestone, funding.community_staff, a, 2, "中期评估合格")
    assert act(disburse_tranche, funding.admin, a).amount_fen == 160_000
    with read() as s:
        view = grant_view(s, grantee, a)
    assert (view["awarded_fen"], view["disbursed_fen"], view["spent_fen"]) == (400_000, 320_000, 90_000)
    assert {line["name"]: line["spent_fen"] for line in view["lines"]} == {"人员费": 90_000, "活动费": 0}
    assert [(m["accepted"], m["disbursed"]) for m in view["milestones"]] == [(True, True), (True, True), (False, False)]
    with pytest.raises(Conflict):  # the round closes only once its grants have
        act(transition_round, funding.admin, found.id, "closed")
    closed = act(close_grant, grantee, a, "服务独居老人120人次，满意度96%")
    assert closed.status == "closed"
    for other in (b, c):
        act(close_grant, funding.admin, other, "项目未实施，资金收回")
    assert act(transition_round, funding.admin, found.id, "closed").status == "closed"
    with read() as s:
        report = supervision(s, funding.build.auditor(), found.id)
        grants = {g["grant_id"]: g for g in report["grants"]}
    assert report["ledger"]["valid"] and report["ledger"]["balanced"]
    assert report["ledger"]["first_bad_entry_id"] is None
    assert (report["budget_fen"], report["awarded_fen"], report["disbursed_fen"], report["spent_fen"]) == (
        1_000_000,
        1_000_000,
        320_000,
        90_000,
    )
    assert (report["returned_fen"], report["unallocated_fen"]) == (910_000, 0)
    assert (grants[a]["released_fen"], grants[a]["refunded_fen"]) == (80_000, 230_000)
    assert (grants[b]["released_fen"], grants[c]["released_fen"]) == (350_000, 250_000)
    assert {line["name"]: line["budget_fen"] for line in report["lines"]} == {"人员费": 600_000, "活动费": 400_000}
    assert funding.entries(found.id)[-1] == ("return", 910_000)
    events = funding.events(found.id)
    for expected in (*ROUND_LIFE_EVENTS, "ledger.award", "ledger.release"):
        assert expected in events, expected
    assert events[-2:] == ["ledger.return", "round.transitioned"]


def test_residents_see_organizations_projects_and_money_but_no_receipts_or_reviewers(awarded, funding, act, read):
    a = awarded["grants"][0]
    act(accept_milestone, funding.admin, a, 1)
    act(disburse_tranche, funding.admin, a)
    _spend(act, awarded["applicants"][0].staff, a, 30_000, receipt="FP-SECRET-7")
    with read() as s:
        summary = public_summary(s, awarded["round"].id)
    assert (summary["applications"], summary["grants_count"], summary["awarded_fen"], summary["spent_fen"]) == (
        3,
        3,
        1_000_000,
        30_000,
    )
    assert summary["grants"][0]["organization"] == awarded["applicants"][0].organization.name
    assert summary["grants"][0]["community"] == funding.community.name
    assert (summary["grants"][0]["milestones_accepted"], summary["grants"][0]["milestones"]) == (1, 3)
    text = json.dumps(summary, ensure_ascii=False)
    assert "FP-SECRET" not in text and "user" not in text and "reviewer" not in text


def test_each_party_supervises_its_own_grants_and_the_ledger_is_the_district_s(awarded, funding, build, read):
    found, (a, b, c) = awarded["round"], awarded["grants"]
    with read() as s:
        scoped = {
            "org": supervision(s, awarded["applicants"][1].staff, found.id),
            "community": supervision(s, funding.community_staff, found.id),
            "elsewhere": supervision(s, build.community_staff(awarded["elsewhere"]), found.id),
            "district": supervision(s, funding.admin, found.id),
        }
        with pytest.raises(Forbidden):
            supervision(s, build.volunteer_actor(build.volunteer()), found.id)
        for outsider in (awarded["applicants"][0].staff, funding.community_staff):
            with pytest.raises(Forbidden):
                ledger_view(s, outsider, found.id)
        items = ledger_view(s, build.auditor(), found.id)["items"]
    assert {k: [g["grant_id"] for g in v["grants"]] for k, v in scoped.items()} == {
        "org": [b],
        "community": [a, b],
        "elsewhere": [c],
        "district": [a, b, c],
    }
    assert all(v["awarded_fen"] == 1_000_000 for v in scoped.values())  # the round's totals are public anyway
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
    assert [e["kind"] for e in items] == ["budget", "award", "award", "award"]


def test_a_grant_s_movements_show_which_were_reversed(awarded, funding, build, act, read):
    a, grantee = awarded["grants"][0], awarded["applicants"][0].staff
    act(accept_milestone, funding.admin, a, 1)
    paid = act(disburse_tranche, funding.admin, a)
    first = _spend(act, grantee, a, 10_000, receipt="R-1")
    second = _spend(act, grantee, a, 20_000, line="活动费", receipt="R-2")
    act(correct_entry, funding.admin, a, first.id, "票据重复报销")
    with read() as s:
        spending = grant_movements(s, grantee, a, "expenditure")
        payments = grant_movements(s, funding.community_staff, a, "disbursement")
        with pytest.raises(Forbidden):
            grant_movements(s, awarded["applicants"][1].staff, a, "expenditure")
        view = grant_view(s, funding.admin, a)
    assert [(e["id"], e["reversed"]) for e in spending] == [(first.id, True), (second.id, False)]
    assert [(e["id"], e["tranche"], e["reversed"]) for e in payments] == [(paid.id, 1, False)]
    assert view["spent_fen"] == 20_000  # the reversed receipt no longer counts


def test_an_entry_edited_behind_the_service_s_back_breaks_the_chain(awarded, funding, platform, read):
    found = awarded["round"]
    with read() as s:
        assert ledger_view(s, funding.admin, found.id)["valid"]
        second = ledger_view(s, funding.admin, found.id)["items"][1]
    with platform.write_sessions() as s:  # somebody quietly moves money in the database
        s.execute(update(FundEntry).where(FundEntry.id == second["id"]).values(note="改过的备注"))
        s.commit()
    with read() as s:
        verdict = ledger_view(s, funding.admin, found.id)
        report = supervision(s, funding.admin, found.id)
    assert (verdict["valid"], verdict["first_bad_entry_id"]) == (False, second["id"])
    assert (report["ledger"]["valid"], report["ledger"]["first_bad_entry_id"]) == (False, second["id"])
