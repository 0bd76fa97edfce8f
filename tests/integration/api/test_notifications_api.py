"""GET /notifications is one's own inbox, in the caller's language; marking read; another's is 404."""

from __future__ import annotations

from linkage.services.inbox import store_notices
from linkage.services.notifications import Notice


def _notify(world, username: str, key: str, **params) -> int:
    from sqlalchemy import select

    from linkage.models import User

    with world.platform.uow() as uow:
        user = uow.session.scalars(select(User.id).where(User.username == username)).one()
        (row,) = store_notices(
            uow.session, [Notice(user, "hours_verified", key, {"minutes": 90, **params}, "/me/hours")]
        )
        uow.commit()
        return row.id


def test_the_list_holds_only_ones_own_notifications_with_their_text(world):
    mine = _notify(world, "volunteer", "a")
    _notify(world, "other_volunteer", "b")
    body = world.call("GET", "/api/v1/notifications", "volunteer", headers={"Accept-Language": "zh-CN"}).get_json()
    assert [item["id"] for item in body["items"]] == [mine]
    assert body["items"][0]["text"] == "您的服务时长（90 分钟）已核实"
    assert body["unread"] == 1 and body["total"] == 1
    english = world.call("GET", "/api/v1/notifications", "volunteer").get_json()
    assert english["items"][0]["text"] == "Your 90 minutes of service were verified"


def test_marking_read_is_for_ones_own_and_anothers_is_not_found(world):
    mine, theirs = _notify(world, "volunteer", "a"), _notify(world, "other_volunteer", "b")
    refused = world.call("POST", f"/api/v1/notifications/{theirs}/read", "volunteer")
    assert refused.status_code == 404 and refused.get_json()["reason"] == "notification.not_found"
    done = world.call("POST", f"/api/v1/notifications/{mine}/read", "volunteer")
    assert done.status_code == 200 and done.get_json()["read_at"]
    unread = world.call("GET", "/api/v1/notifications?unread=true", "volunteer").get_json()
    assert unread["items"] == [] and unread["unread"] == 0 and unread["total"] == 0
    other = world.call("GET", "/api/v1/notifications", "other_volunteer").get_json()
    assert other["unread"] == 1


def test_the_settings_read_as_the_defaults_until_changed(world):
    body = world.call("GET", "/api/v1/me/notification-settings", "org_staff").get_json()
    assert body == {"opted_out": [], "quiet_start": "22:00", "quiet_end": "07:00"}
