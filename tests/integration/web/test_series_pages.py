"""Recurring activities on the pages: the organizer's form (每周二、四), the roster (名单) with no-shows and
its print sheet, 我的报名 with waitlist places (已进入候补，第 N 位) and leaving the waitlist."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from linkage.clock import LOCAL_TZ
from linkage.models import Activity, ActivitySeries, Signup
from tests.integration.web.test_flows_pages import running_project
from tests.integration.web.test_pages import html


def _next(weekday: int) -> datetime:
    day = datetime.now(LOCAL_TZ).date() + timedelta(days=1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)


def series_form(**over) -> dict:
    start = _next(1)  # a Tuesday
    form = {
        "title": "长者助餐",
        "place": "社区食堂",
        "dtstart": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "freq": "weekly",
        "weekdays": ["TU", "TH"],
        "until": (start + timedelta(days=20)).strftime("%Y-%m-%d"),
        "exdates": "",
        "shift_role_0": "送餐",
        "shift_slots_0": "1",
        "shift_skills_0": "助老",
        "shift_role_1": "引导员",
        "shift_slots_1": "2",
        "shift_qualification_1": "first_aid",
    }
    form.update(over)
    return form


def _series(world) -> ActivitySeries:
    with world.platform.read_session() as s:
        return s.scalars(select(ActivitySeries)).one()


def _shifts(world, series_id: int) -> list[Activity]:
    with world.platform.read_session() as s:
        return list(
            s.scalars(
                select(Activity).where(Activity.series_id == series_id).order_by(Activity.occurrence_start, Activity.id)
            )
        )


def test_the_organizer_creates_a_weekly_series_and_the_lists_say_every_tuesday_and_thursday(person, world):
    project_id, org, _ = running_project(person, world)
    assert "新建周期活动" in html(org.get(f"/projects/{project_id}"))
    form = html(org.get(f"/projects/{project_id}/series/new"))
    assert 'name="weekdays"' in form and "每周" in form and "每月" in form
    made = org.post(f"/projects/{project_id}/series/new", series_form())
    assert made.status_code in (302, 303), html(made)[:500]
    series = _series(world)
    assert series.rrule.startswith("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=")
    assert len(_shifts(world, series.id)) == 6 * 2  # three weeks of Tuesdays and Thursdays, two shifts
    page = html(org.get(made.headers["Location"]))
    assert "每周二、四" in page and "送餐" in page and "引导员" in page
    assert "每周二、四" in html(org.get(f"/projects/{project_id}"))
    assert "每周二、四" in html(person("volunteer").get("/activities"))


def test_a_weekly_series_without_days_or_shifts_goes_back_with_the_errors_and_stores_nothing(person, world):
    project_id, org, _ = running_project(person, world)
    page = html(
        org.post_back(
            f"/projects/{project_id}/series/new",
            series_form(weekdays=[], shift_role_0="", shift_slots_0="", shift_role_1="", shift_slots_1=""),
        )
    )
    assert "每周重复时至少选一天" in page
    page = html(
        org.post_back(
            f"/projects/{project_id}/series/new",
            series_form(shift_role_0="", shift_slots_0="", shift_role_1="", shift_slots_1=""),
        )
    )
    assert "至少设置一个班次" in page
    page = html(org.post_back(f"/projects/{project_id}/series/new", series_form(freq="custom", rrule="FREQ=NEVER")))
    assert "重复规则无法识别" in page
    with world.platform.read_session() as s:
        assert s.scalars(select(ActivitySeries)).first() is None


def test_a_full_shift_waitlists_my_signups_shows_the_place_and_the_roster_marks_a_no_show(person, world):
    project_id, org, _ = running_project(person, world)
    org.post(f"/projects/{project_id}/series/new", series_form())
    shift = _shifts(world, _series(world).id)[0]  # 送餐: one place
    first, second = person("volunteer"), person("other_volunteer")
    assert first.post(f"/activities/{shift.id}/signup").status_code in (302, 303)
    assert "已满，报名候补" in html(second.get(f"/activities/{shift.id}"))
    assert second.post(f"/activities/{shift.id}/signup").status_code in (302, 303)
    assert "已进入候补，第 1 位" in html(second.get(f"/activities/{shift.id}"))
    mine = html(second.get("/me/signups"))
    assert "已进入候补，第 1 位" in mine and "退出候补" in mine and "我的报名" in mine
    assert "取消报名" in html(first.get("/me/signups"))
    roster = html(org.get(f"/activities/{shift.id}/roster"))
    assert "data-print" in roster and "已确认" in roster and "候补" in roster and "未到" in roster
    with world.platform.read_session() as s:
        signed = s.scalars(select(Signup).where(Signup.activity_id == shift.id).order_by(Signup.id)).all()
    assert org.post(f"/activities/{shift.id}/roster/{signed[0].id}/no-show").status_code in (302, 303)
    with world.platform.read_session() as s:
        assert [s.get(Signup, x.id).status for x in signed] == ["no_show", "signed_up"]
    assert "已进入候补" not in html(second.get("/me/signups"))
    assert person("volunteer").get(f"/activities/{shift.id}/roster").status_code == 403


def test_a_volunteer_leaves_the_waitlist_from_my_signups(person, world):
    project_id, org, _ = running_project(person, world)
    org.post(f"/projects/{project_id}/series/new", series_form())
    shift = _shifts(world, _series(world).id)[0]
    first, second = person("volunteer"), person("other_volunteer")
    first.post(f"/activities/{shift.id}/signup")
    second.post(f"/activities/{shift.id}/signup")
    with world.platform.read_session() as s:
        waiting = s.scalars(select(Signup).where(Signup.status == "waitlisted")).one()
    assert second.post(f"/me/signups/{waiting.id}/cancel").status_code in (302, 303)
    assert "退出候补" not in html(second.get("/me/signups"))
    with world.platform.read_session() as s:
        assert s.get(Signup, waiting.id).status == "cancelled"


def test_cancelling_an_occurrence_asks_first_then_cancels_its_shifts(person, world):
    project_id, org, _ = running_project(person, world)
    org.post(f"/projects/{project_id}/series/new", series_form())
    series = _series(world)
    shift = _shifts(world, series.id)[0]
    asked = org.post(f"/series/{series.id}/occurrences/{shift.id}/cancel")
    assert asked.status_code == 303 and "/confirm" in asked.headers["Location"]
    done = org.post(f"/series/{series.id}/occurrences/{shift.id}/cancel", {"confirmed": "1"})
    assert done.status_code in (302, 303)
    with world.platform.read_session() as s:
        assert {
            a.cancelled for a in s.scalars(select(Activity).where(Activity.occurrence_start == shift.occurrence_start))
        } == {True}


def test_the_print_sheet_styles_the_roster():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[3] / "linkage/web/static/site.css").read_text(encoding="utf-8")
    printed = css[css.rindex("@media print") :]
    assert ".roster-shift" in printed


def test_the_organizer_cancels_an_activity_after_confirming(person, world):
    project_id, org, _ = running_project(person, world)
    org.post(f"/projects/{project_id}/series/new", series_form())
    shift = _shifts(world, _series(world).id)[0]
    person("volunteer").post(f"/activities/{shift.id}/signup")
    assert "取消活动" in html(org.get(f"/activities/{shift.id}"))
    assert "/confirm" in org.post(f"/activities/{shift.id}/cancel").headers["Location"]
    assert org.post(f"/activities/{shift.id}/cancel", {"confirmed": "1"}).status_code in (302, 303)
    with world.platform.read_session() as s:
        assert s.get(Activity, shift.id).cancelled is True
        assert {x.status for x in s.scalars(select(Signup).where(Signup.activity_id == shift.id))} == {"cancelled"}
