"""Flows that finish on the pages: timing rules of activities, errors at the top, confirmations, POST-redirect-GET."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from sqlalchemy import select

from linkage.models import Activity, Claim, HourEntry, Project, Signup, utcnow
from tests.integration.web.test_pages import html, local, need_form

DONE = (302, 303)  # saved, and redirected to the page


def running_project(person, world, start=None) -> tuple[int, object, object]:
    """A need posted by the community, claimed by the organization, approved and started: (project id, org, staff)."""
    staff, org = person("community_staff"), person("org_staff")
    form = need_form()
    if start is not None:
        form.update(starts_at=local(start), ends_at=local(start + timedelta(hours=3)))
    need_id = int(staff.post("/needs/new", form).headers["Location"].rsplit("/", 1)[1])
    assert org.post(f"/needs/{need_id}/claims", {"plan": "两名社工带队，每周上门两次"}).status_code == 302
    with world.platform.read_session() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need_id)).one()
    decided = staff.post(f"/claims/{claim.id}/decision", {"decision": "approve", "reason": ""})
    project_id = int(decided.headers["Location"].rsplit("/", 1)[1])
    assert org.post(f"/projects/{project_id}/transitions", {"to": "in_progress"}).status_code == 302
    return project_id, org, staff


def activity_form(start, hours=3, **over) -> dict:
    form = {
        "title": "上门探访",
        "place": "新华里社区服务站",
        "slots": "3",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=hours)),
    }
    form.update(over)
    return form


def test_the_schedule_form_states_the_timing_rules(person, world):
    project_id, org, _ = running_project(person, world)
    page = html(org.get(f"/projects/{project_id}"))
    rules = page[page.index('id="timing-rules"') :]
    rules = rules[: rules.index("</")]
    for words in ("报名", "签到", "60分钟", "签退", "补记"):
        assert words in rules, words


def test_scheduling_in_the_past_warns_and_saves_only_when_confirmed(person, world):
    project_id, org, _ = running_project(person, world)
    start = utcnow() - timedelta(hours=6)
    warned = org.post(f"/projects/{project_id}/activities", activity_form(start), follow_redirects=True)
    page = html(warned)
    assert "早于现在" in page and 'name="confirm_past"' in page
    assert "上门探访" in page  # the values are kept for the confirmation
    assert f'value="{local(start)}"' in page
    assert 'href="/activities/' not in page  # nothing was scheduled
    saved = org.post(f"/projects/{project_id}/activities", activity_form(start, confirm_past="1"))
    assert saved.status_code in (302, 303)
    assert 'href="/activities/' in html(org.get(f"/projects/{project_id}"))
    future = org.post(f"/projects/{project_id}/activities", activity_form(utcnow() + timedelta(days=1)))
    assert future.status_code in (302, 303)  # the future needs no confirmation


def test_the_organizer_records_attendance_after_the_activity_with_the_planned_times(person, world):
    """The README tour on the need's own date: the activity is over when the organizer records it."""
    start = (utcnow() - timedelta(hours=5)).replace(second=0, microsecond=0)
    project_id, org, _ = running_project(person, world, start=start)
    vol = person("volunteer")
    # The volunteer signed up before it started; the organizer records it after it ended.
    assert (
        org.post(f"/projects/{project_id}/activities", activity_form(utcnow() + timedelta(days=1))).status_code in DONE
    )
    activity_id = int(re.search(r'href="/activities/(\d+)"', html(org.get(f"/projects/{project_id}"))).group(1))
    assert vol.post(f"/activities/{activity_id}/signup").status_code in DONE
    with world.platform.uow() as uow:  # the time passes: the activity took place five hours ago
        activity = uow.session.get(Activity, activity_id)
        activity.starts_at, activity.ends_at = start, start + timedelta(hours=4.9)
        uow.commit()
    page = html(org.get(f"/activities/{activity_id}"))
    assert re.search(rf'name="at" type="datetime-local" value="{local(start)}"', page), page
    with world.platform.read_session() as s:
        signup = s.scalars(select(Signup).where(Signup.activity_id == activity_id)).one()
    form = re.search(r"<form[^>]*check-in.*?</form>", page, re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    assert org.post(f"/signups/{signup.id}/check-in", fields).status_code in DONE
    page = html(org.get(f"/activities/{activity_id}"))
    end = start + timedelta(hours=4.9)
    form = re.search(r"<form[^>]*check-out.*?</form>", page, re.S).group(0)
    assert f'value="{local(end)}"' in form  # the planned end: it is past
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    assert org.post(f"/signups/{signup.id}/check-out", fields).status_code in DONE
    with world.platform.read_session() as s:
        record = s.scalars(select(HourEntry).where(HourEntry.action == "record")).one()
    assert record.minutes == 294


def test_the_check_out_time_proposed_is_never_in_the_future(person, world):
    start = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    project_id, org, _ = running_project(person, world)
    assert (
        org.post(f"/projects/{project_id}/activities", activity_form(start, hours=3, confirm_past="1")).status_code
        in DONE
    )
    activity_id = int(re.search(r'href="/activities/(\d+)"', html(org.get(f"/projects/{project_id}"))).group(1))
    assert person("volunteer").post(f"/activities/{activity_id}/signup").status_code in DONE
    with world.platform.read_session() as s:
        signup = s.scalars(select(Signup).where(Signup.activity_id == activity_id)).one()
    assert (
        org.post(f"/signups/{signup.id}/check-in", {"activity_id": activity_id, "at": local(start)}).status_code in DONE
    )
    page = html(org.get(f"/activities/{activity_id}"))
    form = re.search(r"<form[^>]*check-out.*?</form>", page, re.S).group(0)
    value = re.search(r'name="at" type="datetime-local" value="([^"]+)"', form).group(1)
    assert value <= local(utcnow()) and value > local(start)
    assert f'max="{value}"' in form  # the latest moment it accepts is now, as proposed


def summary_of(page: str) -> str:
    """The error summary at the top of the page (before the first form), or fail."""
    found = re.search(r'<div class="alert error-summary" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert found, "no error summary"
    return found.group(1)


def test_a_failed_form_lists_its_errors_at_the_top_linked_to_the_fields(person, world):
    staff = person("community_staff")
    page = html(staff.post("/needs/new", need_form(title="", lat="200"), follow_redirects=True))
    summary = summary_of(page)
    assert page.index("error-summary") < page.index('id="f-title"')
    assert 'href="#f-title"' in summary and 'href="#f-lat"' in summary and "纬度须在中国境内" in summary
    project_id, org, _ = running_project(person, world)
    page = html(
        org.post(
            f"/projects/{project_id}/activities",
            activity_form(utcnow() + timedelta(days=1), place="", slots="0"),
            follow_redirects=True,
        )
    )
    summary = summary_of(page)
    assert page.index("error-summary") < page.index('id="h-activities"')  # at the top, not down by the form
    assert 'href="#f-place"' in summary and 'href="#f-slots"' in summary
    assert page.count('role="alert"') == page.count('class="field-error"') + 1  # one summary, no second alert box


def hidden_fields(form: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_completing_or_cancelling_a_project_asks_first_on_a_page_of_its_own(person, world):
    project_id, org, staff = running_project(person, world)
    asked = org.post(f"/projects/{project_id}/transitions", {"to": "completed"})
    assert asked.status_code == 303 and asked.headers["Location"] == "/confirm"
    with world.platform.read_session() as s:
        assert s.get(Project, project_id).status == "in_progress"  # nothing happened yet
    page = html(org.get("/confirm"))
    assert "完成项目" in page and "不可撤销" in page
    form = re.search(r'class="card confirm".*?<form method="post" action="([^"]+)".*?</form>', page, re.S)
    assert form.group(1) == f"/projects/{project_id}/transitions"
    fields = hidden_fields(form.group(0))
    assert fields["to"] == "completed" and fields["confirmed"] == "1"
    assert f'href="/projects/{project_id}"' in page  # and a way back without doing it
    assert org.post(form.group(1), fields).status_code in DONE
    with world.platform.read_session() as s:
        assert s.get(Project, project_id).status == "completed"
    other, org, staff = running_project(person, world)
    asked = staff.post(f"/projects/{other}/transitions", {"to": "cancelled", "reason": "居民已搬走"})
    page = html(staff.get(asked.headers["Location"]))
    assert "取消项目" in page and "居民已搬走" in page
    with world.platform.read_session() as s:
        assert s.get(Project, other).status == "in_progress"


def test_declining_a_claim_asks_first_and_approving_does_not(person, world):
    staff, org = person("community_staff"), person("org_staff")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    org.post(f"/needs/{need_id}/claims", {"plan": "两名社工带队，每周上门两次"})
    with world.platform.read_session() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need_id)).one()
    asked = staff.post(f"/claims/{claim.id}/decision", {"decision": "decline", "reason": "人手不足"})
    assert asked.status_code == 303 and asked.headers["Location"] == "/confirm"
    page = html(staff.get("/confirm"))
    form = re.search(r'class="card confirm".*?<form method="post" action="([^"]+)".*?</form>', page, re.S)
    fields = hidden_fields(form.group(0))
    assert fields == {**fields, "decision": "decline", "reason": "人手不足", "confirmed": "1"}
    with world.platform.read_session() as s:
        assert s.get(Claim, claim.id).status == "pending"
    assert staff.post(form.group(1), fields).status_code in DONE
    with world.platform.read_session() as s:
        assert s.get(Claim, claim.id).status == "declined"


def test_a_failed_post_redirects_to_the_page_which_shows_the_errors_and_keeps_the_values(person, world):
    project_id, org, staff = running_project(person, world)
    failed = org.post(
        f"/projects/{project_id}/activities", activity_form(utcnow() + timedelta(days=1), place="", slots="0")
    )
    assert failed.status_code == 303 and failed.headers["Location"] == f"/projects/{project_id}"
    page = html(org.get(f"/projects/{project_id}"))
    assert 'href="#f-place"' in summary_of(page) and 'id="err-slots"' in page
    assert 'value="上门探访"' in page and '<details class="card" open>' in page  # the form kept, open
    assert "error-summary" not in html(org.get(f"/projects/{project_id}"))  # shown once: a refresh is clean
    need_failed = staff.post("/needs/new", need_form(title=""))
    assert need_failed.status_code == 303 and need_failed.headers["Location"] == "/needs/new"
    page = html(staff.get("/needs/new"))
    assert 'href="#f-title"' in summary_of(page) and "王奶奶86岁" in page
    failed = staff.post_back("/needs/new", need_form(title="", lat="200"))  # listed in the form's order
    assert summary_of(html(failed)).index("#f-title") < summary_of(html(failed)).index("#f-lat")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    short = org.post(f"/needs/{need_id}/claims", {"plan": "x"})
    assert short.status_code == 303 and short.headers["Location"] == f"/needs/{need_id}"
    page = html(org.get(f"/needs/{need_id}"))
    assert 'href="#f-plan"' in summary_of(page) and ">x</textarea>" in page
    resident = person()
    wrong = resident.post("/evaluate", {"project_id": project_id, "code": "WRONGCODE", "satisfaction": "5"})
    assert wrong.status_code == 303 and wrong.headers["Location"].startswith("/evaluate")
    summary_of(html(resident.get(wrong.headers["Location"])))  # the refusal, at the top of the form


def test_the_organizer_adds_a_matched_volunteer_to_an_activity_that_is_over(person, world):
    """Scheduled after the fact: nobody can sign up any more, so the organization adds who came."""
    from linkage.models import Need, Project
    from linkage.services import matches

    project_id, org, _ = running_project(person, world)
    with world.platform.read_session() as s:
        need_id = s.get(Project, project_id).need_id
        assert s.get(Need, need_id) is not None
    entry = {
        "provider_id": world.ids["volunteer"],
        "kind": "volunteer",
        "name": "欧阳娜娜",
        "score": 0.81,
        "distance_km": 0.43,
        "factors": {},
        "reasons": [],
    }
    with world.platform.uow() as uow:
        matches.record_matches(
            uow, consumer="test", event_id="e1", need_id=need_id, ranked_at=utcnow(), matches={"volunteer": [entry]}
        )
        uow.commit()
    start = (utcnow() - timedelta(hours=5)).replace(second=0, microsecond=0)
    assert org.post(f"/projects/{project_id}/activities", activity_form(start, confirm_past="1")).status_code in DONE
    activity_id = int(re.search(r'href="/activities/(\d+)"', html(org.get(f"/projects/{project_id}"))).group(1))
    assert "error-summary" in html(person("volunteer").post_back(f"/activities/{activity_id}/signup"))  # over
    page = html(org.get(f"/activities/{activity_id}"))
    form = re.search(r'<form[^>]*id="add-volunteer".*?</form>', page, re.S).group(0)
    assert f'<option value="{world.ids["volunteer"]}">欧阳**</option>' in form
    added = org.post(f"/activities/{activity_id}/signups", {"volunteer_id": str(world.ids["volunteer"])})
    assert added.status_code in DONE
    with world.platform.read_session() as s:
        signup = s.scalars(select(Signup).where(Signup.activity_id == activity_id)).one()
    assert signup.volunteer_id == world.ids["volunteer"] and signup.status == "signed_up"
    assert "add-volunteer" not in html(org.get(f"/activities/{activity_id}"))  # nobody else to add
    assert (
        person("volunteer")
        .post(f"/activities/{activity_id}/signups", {"volunteer_id": str(world.ids["other_volunteer"])})
        .status_code
        == 403
    )


def test_a_refused_check_in_time_shows_at_that_volunteers_form(person, world):
    project_id, org, _ = running_project(person, world)
    start = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    assert org.post(f"/projects/{project_id}/activities", activity_form(start, confirm_past="1")).status_code in DONE
    activity_id = int(re.search(r'href="/activities/(\d+)"', html(org.get(f"/projects/{project_id}"))).group(1))
    for who in ("volunteer", "other_volunteer"):
        assert person(who).post(f"/activities/{activity_id}/signup").status_code in DONE
    with world.platform.read_session() as s:
        first = s.scalars(select(Signup).where(Signup.activity_id == activity_id).order_by(Signup.id)).first()
    too_early = local(start - timedelta(hours=3))
    page = html(
        org.post_back(
            f"/signups/{first.id}/check-in", {"activity_id": activity_id, "signup_id": first.id, "at": too_early}
        )
    )
    assert 'href="#f-at"' in summary_of(page)
    assert page.count('id="err-at"') == 1 and f'id="f-at" name="at" type="datetime-local" value="{too_early}"' in page


def test_a_failed_form_too_long_for_the_session_cookie_is_shown_at_once_with_what_was_typed(person):
    staff = person("community_staff")
    pick = random.Random(17)  # 1,900 characters that do not compress: more than a cookie holds
    long_text = "".join(chr(pick.randrange(0x4E00, 0x9FA5)) for _ in range(1900))
    response = staff.post("/needs/new", need_form(title="", description=long_text))
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert len(cookies) < 4093  # a browser keeps it
    page = html(response if response.status_code != 303 else staff.get(response.headers["Location"]))
    assert long_text in page and 'href="#f-title"' in summary_of(page)
