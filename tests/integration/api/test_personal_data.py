"""Minimum necessary, as people meet it: a phone whole only in the activity window, a reveal with a
reason that the person concerned can read, a match list that never tells where a volunteer lives."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from linkage.models import AuditEntry, utcnow
from linkage.services.matches import Ranking, record_rankings
from tests.integration.api.conftest import db_fingerprint, valid_id_number
from tests.integration.api.matrix_cases import Scene, now

REASON = "回访核实服务情况"


def _activity(s: Scene, start, minutes: int = 60) -> int:
    return s.must("POST", f"/projects/{s.running_project()}/activities", "org_staff", {
        "title": "助老陪诊", "place": "社区服务站", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(), "slots": 5})["id"]


def _phone(s: Scene, who: str) -> str:
    return s.must("GET", f"/volunteers/{s.ids['volunteer']}", who)["phone"]


def test_org_staff_see_a_volunteers_whole_phone_only_around_an_activity_they_signed_up_to(world):
    s = Scene(world)
    whole = _phone(s, "volunteer")
    later = _activity(s, now() + timedelta(hours=3))   # starts beyond the 2-hour window
    s.signup(later)
    assert "*" in _phone(s, "org_staff")                # they may see the volunteer, not the whole phone
    soon = _activity(s, now() + timedelta(hours=1, minutes=50))  # within 2 hours of its start
    signup = s.signup(soon)
    assert _phone(s, "org_staff") == whole
    listed = s.must("GET", "/volunteers", "org_staff", query={"page_size": 100})["items"]
    assert [v["phone"] for v in listed if v["id"] == s.ids["volunteer"]] == [whole]
    for who in ("admin", "auditor", "community_staff"):  # the window is the organizer's alone
        assert "*" in _phone(s, who), who
    assert s.call("GET", f"/volunteers/{s.ids['volunteer']}", "other_org_staff").status_code == 404
    s.must("DELETE", f"/activities/{soon}/signups", "org_staff", query={"volunteer_id": s.ids["volunteer"]})
    assert "*" in _phone(s, "org_staff"), signup          # a cancelled sign-up opens no window


def test_the_window_closes_two_hours_after_the_activity_ends(world):
    s = Scene(world)
    whole = _phone(s, "volunteer")
    ended = _activity(s, now() - timedelta(hours=3), minutes=70)  # ended 1 h 50 min ago: inside
    s.signup(ended)
    assert _phone(s, "org_staff") == whole
    s.must("DELETE", f"/activities/{ended}/signups", "org_staff", query={"volunteer_id": s.ids["volunteer"]})
    older = _activity(s, now() - timedelta(hours=6), minutes=180)  # ended 3 hours ago
    s.signup(older)
    assert "*" in _phone(s, "org_staff")


def test_a_reveal_gives_the_whole_value_once_with_a_reason_and_the_person_sees_it(world):
    s = Scene(world)
    v = s.ids["volunteer"]
    phone = s.must("POST", f"/volunteers/{v}/reveal", "admin", {"field": "phone", "reason": REASON})
    assert phone["value"] == _phone(s, "volunteer") and "*" not in phone["value"]
    number = s.must("POST", f"/volunteers/{v}/reveal", "auditor", {"field": "id_number", "reason": "审计抽查身份信息"})
    assert number["value"] == valid_id_number(1)
    with world.platform.read_session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.change == "reveal").order_by(AuditEntry.id)).all()
    assert [(r.username, r.object_type, r.object_id, r.fields, r.reason) for r in rows] == [
        ("admin", "volunteers", str(v), ["phone"], REASON),
        ("auditor", "volunteers", str(v), ["id_number"], "审计抽查身份信息")]
    assert all(r.request_id and r.action == f"POST /api/v1/volunteers/{v}/reveal" for r in rows)
    assert phone["value"] not in str([r.__dict__ for r in rows])  # the log says what was seen, not the value
    mine = s.must("GET", "/me/disclosures", "volunteer")
    assert [(d["by"], d["role"], d["field"], d["reason"]) for d in mine] == [
        ("auditor", "auditor", "id_number", "审计抽查身份信息"), ("admin", "admin", "phone", REASON)]
    assert s.must("GET", "/me/disclosures", "other_volunteer") == []
    assert s.call("GET", "/me/disclosures", "admin").status_code == 403
    # Revealing does not unmask the ordinary reads.
    assert "*" in _phone(s, "admin")


def test_a_reveal_without_a_reason_or_by_anyone_else_changes_nothing(world):
    s = Scene(world)
    v = s.ids["volunteer"]
    before = db_fingerprint(world.platform)
    for body, status in (({"field": "phone"}, 422), ({"field": "phone", "reason": "看看"}, 422),
                         ({"field": "phone", "reason": "      "}, 422),
                         ({"field": "address", "reason": REASON}, 422), ({"field": "phone", "reason": REASON, "x": 1}, 422)):
        response = s.call("POST", f"/volunteers/{v}/reveal", "admin", body)
        assert response.status_code == status and response.get_json()["errors"], (body, response.get_json())
    assert s.call("POST", "/volunteers/999999/reveal", "admin", {"field": "phone", "reason": REASON}).status_code == 404
    for who, status in (("community_staff", 403), ("volunteer", 403), ("other_community_staff", 404),
                        ("org_staff", 404), ("other_volunteer", 404), ("social_worker", 404)):
        response = s.call("POST", f"/volunteers/{v}/reveal", who, {"field": "phone", "reason": REASON})
        assert response.status_code == status and response.get_json()["code"] == status, (who, response.get_json())
        assert "138" not in str(response.get_json()), who
    assert db_fingerprint(world.platform) == before


def test_a_match_list_never_tells_where_a_volunteer_lives(world):
    s = Scene(world)
    need = s.need()
    ranked = [{"provider_id": s.ids["other_volunteer"], "kind": "volunteer", "name": name, "score": 0.7,
               "distance_km": km, "factors": {"skill": 0.5, "distance": 0.9}, "reasons": [reason]}
              for name, km, reason in (("欧阳娜娜", 0.999, "距离 1000 米"), ("张三", 1.0, "距离 1.0 公里"),
                                       ("李四", 4.99, "距离 5.0 公里"), ("王五", 5.0, "距离 5.0 公里"))]
    with world.platform.uow() as uow:
        record_rankings(uow, consumer="test", rankings=[Ranking("r1", need, utcnow(), {"volunteer": ranked})])
        uow.commit()
    body = s.must("GET", f"/needs/{need}/matches", "community_staff", query={"kind": "volunteer"})
    shown = [(e["name"], e["distance_band"], e["distance_km"], e["factors"], e["reasons"])
             for e in body["matches"]["volunteer"]]
    assert shown == [("欧阳**", "<1 km", None, {}, ["距离 1 公里内"]), ("张*", "1–3 km", None, {}, ["距离 1–3 公里"]),
                     ("李*", "3–5 km", None, {}, ["距离 3–5 公里"]), ("王*", ">5 km", None, {}, ["距离 5 公里以上"])]
    assert "lat" not in str(body) and "lon" not in str(body)
