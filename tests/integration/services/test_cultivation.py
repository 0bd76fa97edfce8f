"""The incubation track (孵化) and annual reports (年报) as stories of the cultivation centre and the organizations."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from linkage.catalogue import Topics, Types
from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import AnnualReport, CohortMember, Notification, Organization, OutboxEvent
from linkage.services import annual_reports as reports
from linkage.services import cultivation as service
from linkage.services.inbox import store_notices
from linkage.services.notifications import due_notices
from linkage.services.qualifications import china_day
from tests.factories import valid_uscc

TODAY = china_day()
PASSING = {"governance": 80, "activity": 75, "finance": 60, "resources": 55, "resident_satisfaction": 90}
FAILING = {"governance": 40, "activity": 50, "finance": 30, "resources": 20, "resident_satisfaction": 60}


@pytest.fixture
def centre(build):
    """The street's cultivation centre (an admin), a cohort and two filed organizations with a staff each."""
    admin = build.admin()
    filed = [build.organization(registration="filed", uscc=None, name=f"广场舞队{i}") for i in (1, 2)]
    return {"admin": admin, "filed": filed, "staff": [build.org_staff(o) for o in filed]}


def _cohort(act, admin, **over):
    body = {
        "name": "2026年第一期",
        "street": "新港街道",
        "starts_on": TODAY - timedelta(days=30),
        "ends_on": TODAY + timedelta(days=150),
        **over,
    }
    return act(service.open_cohort, admin, body)


def _record(kind, **over):
    return {"kind": kind, "held_on": TODAY, "title": "章程与议事规则辅导", "hours": 1.5, "notes": "", **over}


def test_a_filed_group_is_incubated_assessed_and_graduates_and_another_is_upgraded(centre, act, read, platform):
    admin, (dance, elders), (dance_staff, _) = centre["admin"], centre["filed"], centre["staff"]
    # 1. The centre opens a cohort and admits two filed organizations.
    cohort = _cohort(act, admin)
    act(service.admit_organization, admin, cohort.id, dance.id)
    act(service.admit_organization, admin, cohort.id, elders.id)
    # 2. A mentoring session and a training are recorded for the dance team.
    act(service.add_record, admin, cohort.id, dance.id, _record("mentoring"))
    act(service.add_record, admin, cohort.id, dance.id, _record("training", title="财务管理培训", hours=3))
    # 3. A first assessment fails: graduating is refused with the reason, nothing changes.
    failed = act(service.assess, admin, cohort.id, dance.id, {"assessed_on": TODAY, "scores": FAILING})
    assert failed.passed is False and failed.total == service.assessment_total(FAILING)
    with pytest.raises(Conflict) as refused:
        act(service.graduate, admin, cohort.id, dance.id)
    assert refused.value.code == "cohort.graduate_failed"
    # 4. A second assessment passes (total = weighted mean), and the team graduates (出壳).
    passed = act(service.assess, admin, cohort.id, dance.id, {"assessed_on": TODAY, "scores": PASSING})
    assert passed.total == round((80 * 25 + 75 * 25 + 60 * 15 + 55 * 15 + 90 * 20) / 100, 2) and passed.passed
    act(service.graduate, admin, cohort.id, dance.id)
    # 5. Its own staff see its records and the outcome.
    with read() as s:
        mine = service.read_member(s, dance_staff, cohort.id, dance.id)
        assert mine["status"] == "graduated" and [r["kind"] for r in mine["records"]] == ["mentoring", "training"]
        assert mine["records"][1]["hours"] == 3 and mine["latest_passed"] is True
        assert [m["organization_id"] for m in service.read_cohort(s, dance_staff, cohort.id)["members"]] == [dance.id]
    # 6. The elders' group is upgraded to registered with its USCC; the matcher hears of it.
    code = valid_uscc(9001)
    act(service.upgrade, admin, platform.cipher, cohort.id, elders.id, code)
    with read() as s:
        org = s.get(Organization, elders.id)
        assert (org.registration, org.uscc) == ("registered", code)
        assert s.scalar(select(CohortMember.status).where(CohortMember.organization_id == elders.id)) == "upgraded"
        last = s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.topic == Topics.PROVIDERS, OutboxEvent.key == f"organization:{elders.id}")
            .order_by(OutboxEvent.id.desc())
        ).first()
    envelope = json.loads(last.envelope)
    assert envelope["type"] == Types.PROVIDER_UPSERTED and envelope["data"]["provider"]["registration"] == "registered"


def test_refusals_store_nothing(centre, build, act, unchanged, platform):
    admin, (dance, elders), (dance_staff, _) = centre["admin"], centre["filed"], centre["staff"]
    registered = build.organization()
    cohort = _cohort(act, admin)
    other = _cohort(act, admin, name="2026年第二期")
    act(service.admit_organization, admin, cohort.id, dance.id)
    with unchanged():
        with pytest.raises(Conflict) as err:
            act(service.admit_organization, admin, cohort.id, registered.id)
        assert err.value.code == "cohort.only_filed"
        with pytest.raises(Conflict) as err:
            act(service.admit_organization, admin, other.id, dance.id)  # one open cohort at a time
        assert err.value.code == "cohort.already_incubating"
        with pytest.raises(Conflict):
            act(service.graduate, admin, cohort.id, dance.id)  # never assessed
        with pytest.raises(InvalidInput):
            act(
                service.assess,
                admin,
                cohort.id,
                dance.id,
                {"assessed_on": TODAY, "scores": {**PASSING, "governance": 101}},
            )
        with pytest.raises(InvalidInput):
            act(
                service.assess,
                admin,
                cohort.id,
                dance.id,
                {"assessed_on": TODAY, "scores": {k: v for k, v in PASSING.items() if k != "finance"}},
            )
        with pytest.raises(InvalidInput):
            act(service.assess, admin, cohort.id, dance.id, {"assessed_on": TODAY, "scores": {**PASSING, "x": 1}})
        with pytest.raises(InvalidInput):
            act(service.add_record, admin, cohort.id, dance.id, _record("mentoring", held_on=TODAY + timedelta(days=1)))
        with pytest.raises(InvalidInput):  # a USCC whose check character is wrong, deliberately
            act(service.upgrade, admin, platform.cipher, cohort.id, dance.id, "91120116MA05XXXX00")
        with pytest.raises(Conflict):  # another organization's USCC: the member stays in incubation
            act(service.upgrade, admin, platform.cipher, cohort.id, dance.id, registered.uscc)
        with pytest.raises(InvalidInput):
            _cohort(act, admin, ends_on=TODAY - timedelta(days=60))
        with pytest.raises(Forbidden):
            act(service.add_record, dance_staff, cohort.id, dance.id, _record("mentoring"))  # staff read, not write
        with pytest.raises(Forbidden):
            _cohort(act, dance_staff)
        with pytest.raises(NotFound):
            act(service.add_record, admin, cohort.id, elders.id, _record("mentoring"))  # not a member


def test_another_organizations_staff_see_nothing_of_it(centre, build, act, read):
    admin, (dance, _elders), (_, elders_staff) = centre["admin"], centre["filed"], centre["staff"]
    cohort = _cohort(act, admin)
    act(service.admit_organization, admin, cohort.id, dance.id)
    volunteer = build.volunteer_actor(build.volunteer())
    with read() as s:
        for outsider in (elders_staff, volunteer):
            assert service.list_cohorts(s, outsider) == []
            with pytest.raises(NotFound):
                service.read_cohort(s, outsider, cohort.id)
            with pytest.raises(NotFound):
                service.read_member(s, outsider, cohort.id, dance.id)


def _report(year, **over):
    return {
        "year": year,
        "activities_count": 24,
        "members": 35,
        "income_fen": 500000,
        "spending_fen": 420000,
        "summary": "全年开展广场舞培训与社区演出",
        **over,
    }


def test_annual_reports_are_due_reminded_once_and_listed_when_overdue(centre, build, act, read, platform, unchanged):
    admin, (_dance, elders), (dance_staff, elders_staff) = centre["admin"], centre["filed"], centre["staff"]
    year = TODAY.year - 1
    assert reports.due_on(year) == date(TODAY.year, 3, 31)  # 31 March of the next year by default
    # Organizations created this year owe no report on last year: back-date the two to last year.
    with platform.uow() as uow:
        for org in centre["filed"]:
            uow.session.get(Organization, org.id).created_at = datetime(year, 6, 1, tzinfo=LOCAL_TZ)
        uow.commit()
    # 1. The dance team reports; a second report on the same year and one on this year are refused.
    act(reports.submit_report, dance_staff, _report(year))
    with unchanged():
        with pytest.raises(Conflict):
            act(reports.submit_report, dance_staff, _report(year))
        with pytest.raises(InvalidInput):
            act(reports.submit_report, dance_staff, _report(TODAY.year))
        with pytest.raises(Forbidden):
            act(reports.submit_report, dance_staff, _report(year, organization_id=elders.id))
    # 2. A month before the due date the elders' staff are reminded, once however often the ticker looks.
    remind_at = datetime.combine(reports.due_on(year) - timedelta(days=10), time(10), LOCAL_TZ)
    with platform.uow() as uow:
        first = store_notices(uow.session, due_notices(uow.session, remind_at))
        again = store_notices(uow.session, due_notices(uow.session, remind_at + timedelta(days=1)))
        uow.commit()
    assert [(n.user_id, n.kind) for n in first if n.kind == "annual_report_due"] == [
        (elders_staff.user_id, "annual_report_due")
    ]
    assert [n for n in again if n.kind == "annual_report_due"] == []
    with read() as s:
        assert (
            s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "annual_report_due"))
            == 1
        )
        # 3. Before the due date nobody is overdue; after it, the elders are, and only the district sees it.
        assert reports.overdue(s, admin, year, today=reports.due_on(year)) == []
        late = reports.overdue(s, admin, year, today=reports.due_on(year) + timedelta(days=5))
        assert [(r["organization_id"], r["days_overdue"]) for r in late] == [(elders.id, 5)]
        with pytest.raises(Forbidden):
            reports.overdue(s, dance_staff, year)
        # 4. Each organization's staff see their own reports only; another's is a 404.
        [mine] = reports.list_reports(s, dance_staff)
        assert mine["year"] == year and mine["due_on"] == reports.due_on(year)
        assert reports.list_reports(s, elders_staff) == []
        with pytest.raises(NotFound):
            reports.read_report(s, elders_staff, mine["id"])
        assert s.scalar(select(func.count()).select_from(AnnualReport)) == 1


def test_the_published_rubric_states_every_criterion_weight_and_the_pass_mark():
    rubric = service.rubric_view()
    assert sum(c["weight"] for c in rubric["criteria"]) == 100 and rubric["pass_mark"] == 60
    assert {c["name"] for c in rubric["criteria"]} == set(PASSING)
