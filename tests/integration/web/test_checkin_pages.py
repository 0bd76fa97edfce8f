"""The venue's check-in pages: the organizer's rotating code, the volunteer's scan page (签到/签退)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest

from linkage.services.checkin_codes import CheckinCodes, step_of
from tests.integration.api.conftest import need_body

SCAN_URL = re.compile(r'id="checkin-code"[^>]*data-scan-url="([^"]+)"', re.S)


@pytest.fixture
def activity_id(world):
    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json
    claim = world.call(
        "POST", f"/api/v1/needs/{need['id']}/claims", "org_staff", json={"plan": "派志愿者上门陪护"}
    ).json
    project_id = world.call(
        "POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "approve"}
    ).json["project_id"]
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    activity = world.call(
        "POST",
        f"/api/v1/projects/{project_id}/activities",
        "org_staff",
        json={
            "title": "助老服务",
            "place": "社区服务站",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "slots": 5,
        },
    ).json
    signed = world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "volunteer", json={})
    assert signed.status_code == 201, signed.json
    return activity["id"]


def _status(world, activity_id):
    rows = world.call("GET", f"/api/v1/activities/{activity_id}/signups", "volunteer").json
    return (rows["items"] if isinstance(rows, dict) else rows)[0]["status"]


def test_the_organizer_shows_a_code_the_volunteer_scans_to_check_in(person, world, activity_id):
    organizer = person("org_staff")
    shown = organizer.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert 'id="show-checkin-code"' in shown
    # what an hour sheet names (the hours import): the activity's number, each volunteer's code
    assert f'id="activity-number">{activity_id}<' in shown and 'class="code">V' in shown
    assert 'id="activity-number"' not in person("volunteer").get(f"/activities/{activity_id}").get_data(as_text=True)
    page = organizer.get(f"/activities/{activity_id}/checkin-code")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and 'id="checkin-digits"' in html
    scan_url = unescape(SCAN_URL.search(html).group(1))
    polled = organizer.get(f"/activities/{activity_id}/checkin-code.json")
    assert polled.status_code == 200 and polled.headers["Cache-Control"] == "no-store"
    assert polled.json["digits"].isdigit() and polled.json["svg"].startswith("<svg")
    assert urlsplit(polled.json["scan_url"]).path == f"/activities/{activity_id}/scan"

    volunteer = person("volunteer")
    target = urlsplit(scan_url)
    scan = volunteer.get(f"{target.path}?{target.query}")
    body = scan.get_data(as_text=True)
    assert scan.status_code == 200 and 'id="scan-check-in"' in body and 'id="f-c"' in body
    token = re.search(r'id="f-c" value="([^"]+)"', body).group(1)
    done = volunteer.post(f"/activities/{activity_id}/scan", {"step": "check_in", "c": unescape(token)})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    assert _status(world, activity_id) == "checked_in"
    after = volunteer.get(done.headers["Location"]).get_data(as_text=True)
    assert 'data-status="checked_in"' in after and "已签到，活动结束时请扫码签退" in after
    assert 'id="scan-check-out"' in after and 'id="scan-check-in"' not in after  # the next step only


def test_a_refused_code_is_explained_in_chinese_and_records_nothing(person, world, activity_id):
    codes = CheckinCodes(world.platform.settings.secret_key)
    volunteer = person("volunteer")
    forged = CheckinCodes("not-the-key").token(activity_id, step_of(datetime.now(UTC)))
    back = volunteer.post_back(f"/activities/{activity_id}/scan", {"step": "check_in", "c": forged})
    assert "签到码无效" in back.get_data(as_text=True)
    back = volunteer.post_back(f"/activities/{activity_id}/scan", {"step": "check_in", "digits": "12345"})
    assert "数字签到码不正确" in back.get_data(as_text=True)
    digits = codes.digits(activity_id, step_of(datetime.now(UTC)))
    far = volunteer.post_back(
        f"/activities/{activity_id}/scan", {"step": "check_in", "digits": digits, "lat": "39.5", "lon": "117.7"}
    )  # some 50 km off
    assert "您不在活动地点附近" in far.get_data(as_text=True) and "须在500米以内" in far.get_data(as_text=True)
    assert _status(world, activity_id) == "signed_up"


def test_the_digits_page_and_who_may_open_what(person, activity_id):
    volunteer = person("volunteer")
    page = volunteer.get(f"/activities/{activity_id}/scan").get_data(as_text=True)
    assert 'id="f-digits"' in page and 'id="f-c"' not in page
    assert 'id="open-scan"' in volunteer.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert volunteer.get(f"/activities/{activity_id}/checkin-code").status_code == 403
    assert volunteer.get(f"/activities/{activity_id}/checkin-code.json").status_code == 403
    assert person("other_org_staff").get(f"/activities/{activity_id}/checkin-code").status_code == 403
    assert person("org_staff").get(f"/activities/{activity_id}/scan").status_code == 403
