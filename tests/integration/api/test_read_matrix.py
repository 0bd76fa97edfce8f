"""Every read of a volunteer's personal data × every role × own / another's (the read half of the
one policy, linkage/permissions.py: visible_volunteers, visible_hours, visible_signups).

The object is volunteer A's: signed up to, and with a verified hour record in, a project of
organization A in community A, led by social worker A. `in` / `-` : a list shows it or not (and its
total counts only what the caller may see); `ok` / `404` : a single read returns it or says it does
not exist (never 403: another's object is not told to exist). Each cell is asserted.
"""
from __future__ import annotations

import pytest

from tests.integration.api.matrix_cases import API, CALLERS, Scene

# read                       adm  cs   ocs  os   oos  vol  ovol sw   osw  aud
READS = """
volunteers.list              in   in   -    in   -    in   -    in   -    in
volunteers.get               ok   ok   404  ok   404  ok   404  ok   404  ok
hours.list                   in   in   -    in   -    in   -    in   -    in
hours.get                    ok   ok   404  ok   404  ok   404  ok   404  ok
volunteer.hours              ok   ok   404  ok   404  ok   404  ok   404  ok
volunteer.verify_chain       ok   ok   404  ok   404  ok   404  ok   404  ok
activity.signups             in   in   -    in   -    in   -    in   -    in
"""


def table() -> dict[str, dict[str, str]]:
    rows = {}
    for line in READS.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(CALLERS), line
        rows[name] = dict(zip(CALLERS, cells))
    return rows


@pytest.fixture
def scene(world) -> dict:
    s = Scene(world)
    s.add_other_social_worker_account()
    project = s.running_project()
    s.must("POST", f"/projects/{project}/lead", "org_staff", {"social_worker_id": s.ids["social_worker"]})
    record = s.verified_record()
    activity = s.must("GET", f"/hours/{record}", "admin")["activity_id"]
    signup = s.must("GET", f"/activities/{activity}/signups", "admin")[0]["id"]
    return {"s": s, "volunteer": s.ids["volunteer"], "record": record, "activity": activity, "signup": signup}


def _read(scene: dict, name: str, who: str):
    s, v = scene["s"], scene["volunteer"]
    path, query, found = {
        "volunteers.list": ("/volunteers", {"page_size": 100},
                            lambda b: v in [x["id"] for x in b["items"]]),
        "volunteers.get": (f"/volunteers/{v}", None, None),
        "hours.list": ("/hours", None, lambda b: scene["record"] in [x["id"] for x in b]),
        "hours.get": (f"/hours/{scene['record']}", None, None),
        "volunteer.hours": (f"/volunteers/{v}/hours", None, None),
        "volunteer.verify_chain": (f"/volunteers/{v}/hours/verify-chain", None, None),
        "activity.signups": (f"/activities/{scene['activity']}/signups", None,
                             lambda b: scene["signup"] in [x["id"] for x in b]),
    }[name]
    return s.call("GET", path, who, query=query), found


@pytest.mark.parametrize("name", list(table()))
def test_each_read_of_a_volunteers_data_follows_the_policy_for_every_role(scene, name):
    expected = table()[name]
    for who in CALLERS:
        response, found = _read(scene, name, who)
        cell = expected[who]
        if cell in ("in", "-"):
            assert response.status_code == 200, (name, who, response.status_code, response.get_json())
            assert found(response.get_json()) == (cell == "in"), (name, who, response.get_json())
        elif cell == "ok":
            assert response.status_code == 200, (name, who, response.status_code, response.get_json())
        else:
            assert response.status_code == 404, (name, who, response.status_code, response.get_json())
            assert response.get_json()["code"] == 404, response.get_json()


def test_a_list_total_counts_only_what_the_caller_may_see(scene):
    s = scene["s"]
    mine = s.must("GET", "/volunteers", "volunteer")
    assert mine["total"] == 1 and [x["id"] for x in mine["items"]] == [scene["volunteer"]]
    assert s.must("GET", "/volunteers", "other_community_staff")["total"] == 0
    assert s.must("GET", "/volunteers", "admin")["total"] >= 2


def test_the_whole_phone_is_for_the_person_and_the_district_only(scene):
    s, v = scene["s"], scene["volunteer"]
    whole = s.must("GET", f"/volunteers/{v}", "volunteer")["phone"]
    assert "*" not in whole and s.must("GET", f"/volunteers/{v}", "admin")["phone"] == whole
    for who in ("community_staff", "org_staff", "social_worker", "auditor"):
        shown = s.must("GET", f"/volunteers/{v}", who)["phone"]
        assert shown != whole and "*" in shown, (who, shown)
