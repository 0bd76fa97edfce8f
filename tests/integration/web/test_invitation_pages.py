"""Invitations on the pages: 显示更多 on a need's matches, the 邀请 button and form, 我的邀请 with accept and
decline (which asks first), and the status of sent invitations on the need's page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from linkage.models import Claim, Invitation, Signup, utcnow
from linkage.services.matches import record_matches
from tests.integration.api.conftest import need_body


def html(response) -> str:
    return response.get_data(as_text=True)


def _ranked_need(world, organizations: int = 1, volunteers: int = 1) -> int:
    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json["id"]
    orgs = [world.ids["organization"]] + [20_000 + i for i in range(organizations - 1)]
    with world.platform.uow() as uow:
        record_matches(
            uow,
            consumer="test",
            event_id=f"r-{need}",
            need_id=need,
            ranked_at=utcnow(),
            matches={
                "organization": [
                    {"provider_id": o, "name": f"组织{o}", "score": 0.9 - i / 100} for i, o in enumerate(orgs)
                ],
                "volunteer": [{"provider_id": world.ids["volunteer"], "name": "李明", "score": 0.8}][:volunteers],
            },
        )
        uow.commit()
    return need


def _invitations(world):
    with world.platform.read_session() as s:
        return list(s.scalars(select(Invitation).order_by(Invitation.id)))


def test_the_matches_show_five_and_more_on_asking(person, world):
    need = _ranked_need(world, organizations=12)
    staff = person("community_staff")
    page = html(staff.get(f"/needs/{need}"))
    section = page.split('id="k-organization"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li>") == 5 and "显示更多" in section and "(12)" in section
    more = re.search(r'<a class="more" href="([^"]+)"', section).group(1).replace("&amp;", "&")
    wider = html(staff.get(more)).split('id="k-organization"', 1)[1].split("</section>", 1)[0]
    assert wider.count("<li>") == 10
    assert (
        html(staff.get(f"/needs/{need}?show_organization=15"))
        .split('id="k-organization"', 1)[1]
        .split("</section>", 1)[0]
        .count("<li>")
        == 12
    )


def test_staff_invite_a_ranked_organization_which_accepts_from_my_invitations(person, world):
    need = _ranked_need(world)
    staff, org = person("community_staff"), person("org_staff")
    page = html(staff.get(f"/needs/{need}"))
    invite_url = f"/needs/{need}/invite?kind=organization&amp;provider={world.ids['organization']}"
    assert invite_url in page and "邀请" in page
    # Someone who may not invite sees no button.
    assert "/invite?" not in html(person("other_community_staff").get(f"/needs/{need}"))
    form = html(staff.get(invite_url.replace("&amp;", "&")))
    assert "邀请组织" in form and 'name="message"' in form
    sent = staff.post(
        invite_url.replace("&amp;", "&"),
        {"kind": "claim", "invitee_kind": "organization", "invitee_id": world.ids["organization"], "message": "欢迎"},
    )
    assert sent.status_code == 302
    page = html(staff.get(f"/needs/{need}"))
    assert "已发出的邀请" in page and "待答复" in page
    mine = html(org.get("/invitations"))
    assert "欢迎" in mine and "我的邀请" in mine
    [invitation] = _invitations(world)
    failed = org.post_back(
        f"/invitations/{invitation.id}/answer", {"answer": "accept", "plan": "", "invitation": invitation.id}
    )
    assert "服务方案" in html(failed) and _invitations(world)[0].status == "pending"
    done = org.post(
        f"/invitations/{invitation.id}/answer",
        {"answer": "accept", "plan": "两名社工上门评估", "invitation": invitation.id},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/needs/{need}#claims")
    with world.platform.read_session() as s:
        assert s.scalars(select(Claim).where(Claim.need_id == need)).one().organization_id == world.ids["organization"]
    assert "已接受" in html(staff.get(f"/needs/{need}"))


def test_declining_asks_first_and_someone_elses_invitation_is_not_there(person, world):
    need = _ranked_need(world)
    staff, org = person("community_staff"), person("org_staff")
    staff.post(
        f"/needs/{need}/invite?kind=organization&provider={world.ids['organization']}",
        {"kind": "claim", "invitee_kind": "organization", "invitee_id": world.ids["organization"]},
    )
    [invitation] = _invitations(world)
    assert (
        person("other_org_staff").post(f"/invitations/{invitation.id}/answer", {"answer": "decline"}).status_code == 404
    )
    asked = org.post(f"/invitations/{invitation.id}/answer", {"answer": "decline"})
    assert asked.status_code == 303 and asked.headers["Location"] == "/confirm"
    assert _invitations(world)[0].status == "pending"
    assert org.post(f"/invitations/{invitation.id}/answer", {"answer": "decline", "confirmed": "1"}).status_code == 302
    assert _invitations(world)[0].status == "declined"
    again = org.post_back(f"/invitations/{invitation.id}/answer", {"answer": "decline", "confirmed": "1"})
    assert "这项邀请已答复" in html(again)


def test_a_refused_invitation_shows_its_reason_and_stores_nothing(person, world):
    need = _ranked_need(world)
    staff = person("community_staff")
    url = f"/needs/{need}/invite?kind=organization&provider={world.ids['organization']}"
    body = {"kind": "claim", "invitee_kind": "organization", "invitee_id": world.ids["organization"]}
    staff.post(url, body)
    page = html(staff.post_back(url, body))
    assert "已向该服务方发出邀请，尚待答复" in page and len(_invitations(world)) == 1
    unranked = staff.post_back(url, {**body, "invitee_id": world.ids["other_organization"]})
    assert "仅可邀请匹配结果中的服务方" in html(unranked) and len(_invitations(world)) == 1
    assert (
        staff.get(f"/needs/{need}/invite?kind=organization&provider={world.ids['other_organization']}").status_code
        == 404
    )


def test_a_volunteer_invited_to_an_activity_accepts_and_is_signed_up(person, world):
    need = _ranked_need(world)
    org = person("org_staff")
    claim = world.call("POST", f"/api/v1/needs/{need}/claims", "org_staff", json={"plan": "派两名志愿者陪同复诊"}).json
    project = world.call(
        "POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "approve"}
    ).json["project_id"]
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    activity = world.call(
        "POST",
        f"/api/v1/projects/{project}/activities",
        "org_staff",
        json={
            "title": "助老陪诊",
            "place": "社区服务站",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "slots": 3,
        },
    ).json
    assert "id" in activity, activity
    page = html(org.get(f"/needs/{need}"))
    url = f"/needs/{need}/invite?kind=volunteer&amp;provider={world.ids['volunteer']}"
    assert url in page
    form = html(org.get(url.replace("&amp;", "&")))
    assert "助老陪诊" in form and 'name="activity_id"' in form
    org.post(
        url.replace("&amp;", "&"),
        {
            "kind": "activity",
            "invitee_kind": "volunteer",
            "invitee_id": world.ids["volunteer"],
            "activity_id": activity["id"],
        },
    )
    volunteer = person("volunteer")
    [invitation] = _invitations(world)
    assert "助老陪诊" in html(volunteer.get("/invitations"))
    done = volunteer.post(f"/invitations/{invitation.id}/answer", {"answer": "accept"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/activities/{activity['id']}")
    with world.platform.read_session() as s:
        assert (
            s.scalars(select(Signup).where(Signup.activity_id == activity["id"])).one().volunteer_id
            == world.ids["volunteer"]
        )


def test_an_invitation_whose_need_was_cancelled_shows_as_expired_without_buttons(person, world):
    need = _ranked_need(world)
    staff, org = person("community_staff"), person("org_staff")
    staff.post(
        f"/needs/{need}/invite?kind=organization&provider={world.ids['organization']}",
        {"kind": "claim", "invitee_kind": "organization", "invitee_id": world.ids["organization"]},
    )
    assert "invitation_accept" not in html(org.get("/invitations")) and 'value="accept"' in html(
        org.get("/invitations")
    )
    world.call("PATCH", f"/api/v1/needs/{need}", "community_staff", json={"cancel": True})
    page = html(org.get("/invitations"))
    assert "已失效" in page and 'value="accept"' not in page
