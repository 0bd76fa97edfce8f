"""The supervision pages (社工督导): the district assigns, the supervisor records, the supervisee confirms or disputes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from linkage.models import SupervisionSession, SupervisorAssignment
from linkage.services.qualifications import china_day
from tests.integration.api.matrix_scene import Scene


def html(response) -> str:
    return response.get_data(as_text=True)


def _session_form(**over) -> dict:
    return {
        "held_on": (china_day() - timedelta(days=1)).isoformat(),
        "form": "group",
        "topics": "小组工作反思",
        "hours": "1.5",
        "follow_ups": "整理小组记录",
        "confirmed": "1",
        **over,
    }


def test_1_the_street_assigns_the_supervisor_records_and_the_supervisee_confirms(person, world):
    Scene(world).add_other_social_worker_account()
    a, b = world.ids["social_worker"], world.ids["other_social_worker"]
    admin = person("admin")
    page = admin.get("/supervision")
    assert page.status_code == 200 and "社工督导" in html(page) and "指派督导" in html(page)
    assert (
        admin.post(
            "/supervision/assignments",
            {
                "social_worker_id": str(a),
                "supervisor_id": str(b),
                "starts_on": (china_day() - timedelta(days=7)).isoformat(),
            },
        ).status_code
        == 302
    )
    assert "赵强" in html(admin.get("/supervision"))

    mentor = person("other_social_worker")
    mine = html(mentor.get(f"/social-workers/{a}/supervision"))
    assert "填写督导记录" in mine and "团体督导" in mine
    # not confirmed by the supervisor: refused with its message, nothing stored
    back = html(mentor.post_back(f"/social-workers/{a}/supervision/sessions", _session_form(confirmed="")))
    assert "请勾选确认本次督导记录属实" in back
    back = html(mentor.post_back(f"/social-workers/{a}/supervision/sessions", _session_form(hours="9")))
    assert 'id="err-hours"' in back
    with world.platform.read_session() as s:
        assert s.scalars(select(SupervisionSession)).all() == []
    assert mentor.post(f"/social-workers/{a}/supervision/sessions", _session_form()).status_code == 302

    me = person("social_worker")
    page = html(me.get(f"/social-workers/{a}/supervision"))
    assert "待社工确认" in page and "确认属实" in page and "提出异议" in page and "督导中" not in page
    with world.platform.read_session() as s:
        [row] = s.scalars(select(SupervisionSession)).all()
    assert me.post(f"/supervision/sessions/{row.id}/answer", {"decision": "confirm", "reason": ""}).status_code == 302
    page = html(me.get(f"/social-workers/{a}/supervision"))
    assert "双方已确认" in page and "督导中" in page and "已确认督导 1.5 小时" in page
    assert "要求 72 小时" in page and "未达标" in page


def test_2_a_dispute_needs_a_reason_and_then_never_counts(person, world):
    Scene(world).add_other_social_worker_account()
    a, b = world.ids["social_worker"], world.ids["other_social_worker"]
    person("admin").post(
        "/supervision/assignments",
        {
            "social_worker_id": str(a),
            "supervisor_id": str(b),
            "starts_on": (china_day() - timedelta(days=7)).isoformat(),
        },
    )
    person("other_social_worker").post(f"/social-workers/{a}/supervision/sessions", _session_form())
    with world.platform.read_session() as s:
        [row] = s.scalars(select(SupervisionSession)).all()
    me = person("social_worker")
    back = html(me.post_back(f"/supervision/sessions/{row.id}/answer", {"decision": "dispute", "reason": ""}))
    assert "提出异议时请说明理由" in back
    assert (
        me.post(f"/supervision/sessions/{row.id}/answer", {"decision": "dispute", "reason": "未参加"}).status_code
        == 302
    )
    page = html(me.get(f"/social-workers/{a}/supervision"))
    assert "有异议" in page and "未参加" in page and "已确认督导 0.0 小时" in page and "督导中" not in page
    admin = person("admin")
    with world.platform.read_session() as s:
        [assignment] = s.scalars(select(SupervisorAssignment)).all()
    admin.get("/supervision")
    assert (
        admin.post(f"/supervision/assignments/{assignment.id}/end", {"ends_on": china_day().isoformat()}).status_code
        == 302
    )
    with world.platform.read_session() as s:
        assert s.get(SupervisorAssignment, assignment.id).ends_on == china_day()
    assert "暂无在任督导" in html(me.get(f"/social-workers/{a}/supervision"))


def test_3_strangers_get_404_and_trainings_show_against_the_requirement(person, world):
    a = world.ids["social_worker"]
    assert person("other_org_staff").get(f"/social-workers/{a}/supervision").status_code == 404
    assert person("volunteer").get(f"/social-workers/{a}/supervision").status_code == 403
    staff = person("org_staff")
    listed = html(staff.get("/social-workers"))
    assert f"/social-workers/{a}/supervision" in listed and "督导与继续教育" in listed
    assert f"/social-workers/{a}/supervision" not in html(person("community_staff").get("/social-workers"))
    assert (
        staff.post(
            f"/social-workers/{a}/trainings",
            {"title": "社会工作伦理", "provider": "区社工协会", "held_on": china_day().isoformat(), "hours": "72"},
        ).status_code
        == 302
    )
    page = html(staff.get(f"/social-workers/{a}/supervision"))
    assert "社会工作伦理" in page and "已达标" in page and "社工师" in page
    with world.platform.read_session() as s:
        assert s.scalars(select(SupervisorAssignment)).all() == []
