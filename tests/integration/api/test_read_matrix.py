"""Every read of personal data × every role × own / another's (the read half of the one policy,
linkage/permissions.py: visible_*, whole_phones, whole_name_in_matches, the reveal rules).

The object is volunteer A's (李明): signed up to, and with a verified hour record and a certificate in,
a project of organization A in community A, led by social worker A; ranked for a need of community A;
their phone revealed once by the district (so the audit log and their disclosures hold an entry).
Organization A has applied for funding for a need of community A. Cells:

  in / -       a list shows the object or not (its total counts only what the caller may see)
  ok / 404     a single read returns it, or says it does not exist (another's object is not told)
  403          the read is not for this role at all (the audit log, one's own disclosures)
  in* / ok*    shown, volunteer A's phone masked;  in / ok on a volunteer read: the phone whole
  m / w        a match list shows volunteer A as surname + masked given name (m) or whole (w, their
               own entry); either way a distance band, no metres, no factors; organizations whole

On every volunteer read that shows A, the ID number is masked. Each cell is asserted.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from linkage.models import utcnow
from linkage.services.matches import Ranking, record_rankings
from tests.factories_filings import filing_body
from tests.integration.api.matrix_cases import CALLERS, Scene, _member

# read                       adm  cs   ocs  os   oos  vol  ovol sw   osw  aud
READS = """
volunteers.list              in*  in*  -    in*  -    in   -    in*  -    in*
volunteers.get               ok*  ok*  404  ok*  404  ok   404  ok*  404  ok*
hours.list                   in   in   -    in   -    in   -    in   -    in
hours.get                    ok   ok   404  ok   404  ok   404  ok   404  ok
volunteer.hours              ok   ok   404  ok   404  ok   404  ok   404  ok
volunteer.verify_chain       ok   ok   404  ok   404  ok   404  ok   404  ok
activity.signups             in   in   -    in   -    in   -    in   -    in
certificate.pdf              ok   404  404  ok   404  ok   404  404  404  404
certificate.check            ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
need.matches                 m    m    m    m    m    w    m    m    m    m
audit.list                   in   403  403  403  403  403  403  403  403  in
me.disclosures               403  403  403  403  403  in   -    403  403  403
applications.list            in   in   -    in   -    -    -    -    -    in
applications.get             ok   ok   404  ok   404  404  404  404  404  ok
consents.list                ok   ok   404  ok   404  ok   404  ok   404  ok
me.export                    -    -    -    -    -    in   -    -    -    -
hours.org_report             in   403  403  in   403  403  403  403  403  in
hours.community_report       in   in   403  403  403  403  403  403  403  in
filings.list                 in   in   -    -    -    -    -    -    -    in*
filings.get                  ok   ok   404  404  404  404  404  404  404  ok*
cohorts.list                 in   -    -    in   -    -    -    -    -    in
cohorts.get                  ok   404  404  ok   404  404  404  404  404  ok
cohort.member                ok   404  404  ok   404  404  404  404  404  ok
annual_reports.list          in   -    -    in   -    -    -    -    -    in
annual_reports.get           ok   404  404  ok   404  404  404  404  404  ok
annual_reports.overdue       ok   403  403  403  403  403  403  403  403  ok
placements.list              in   403  403  in   -    403  403  in   -    in
consultations.list           in   in   -    -    -    -    -    -    -    in
consultations.get            ok   ok   404  404  404  404  404  404  404  ok
consultation.result          ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
"""
# Notes: certificate.check is public (no login either) and names the volunteer masked only.
# applications.*: a funding application carries no personal data (organization, need, amounts); it is
# here because its readers are scoped; a stranger gets 404, like any object they may not see.
# filings.*: a filing (备案) of community A by a group of residents; its responsible person's mobile is
# whole for those who review or confirm it (in / ok), masked for auditors (in* / ok*); the ID number
# is always masked. Another community's staff and every other role see no filing.
# cohorts.*, annual_reports.*: organization A (filed) is in a cohort and has reported; its records and reports are
# scoped the same way (its staff, the district, auditors); the overdue list is the district's and auditors'.
# placements.list: social worker A placed into organization A (社工引入, names the worker): the district and
# auditors, organization A's staff and the worker; other organizations and workers see an empty list;
# community staff and volunteers read no placements (403).
# consultations.*: community A's consultation (议事协商) in the staff view: its staff, the district and auditors;
# consultation.result is public (no login either): items, counts and anonymous receipts, no code, no person.
REVEAL_REASON = "核实志愿者联系方式以便回访"


def table() -> dict[str, dict[str, str]]:
    rows = {}
    for line in READS.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(CALLERS), line
        rows[name] = dict(zip(CALLERS, cells))
    return rows


def _rank(s: Scene) -> int:
    """A need of community A ranked as the matcher would: volunteers A and B, organization A."""
    need = s.need()
    entry = {"score": 0.8, "factors": {"skill": 0.9, "distance": 0.8}}
    matches = {"volunteer": [
        {**entry, "provider_id": s.ids["volunteer"], "kind": "volunteer", "name": "李明", "distance_km": 0.43,
         "reasons": ["技能相符：陪诊", "距离 430 米"]},
        {**entry, "provider_id": s.ids["other_volunteer"], "kind": "volunteer", "name": "王芳",
         "distance_km": 3.21, "reasons": ["距离 3.2 公里"]}],
        "organization": [{**entry, "provider_id": s.ids["organization"], "kind": "organization",
                          "name": "乐龄养老服务中心", "distance_km": 1.4, "reasons": ["距离 1.4 公里"]}]}
    with s.world.platform.uow() as uow:
        record_rankings(uow, consumer="test", rankings=[Ranking(f"rank-{need}", need, utcnow(), matches)])
        uow.commit()
    return need


HOME = {"lat": 39.02345, "lon": 117.69123}


@pytest.fixture
def scene(world) -> dict:
    s = Scene(world)
    s.add_other_social_worker_account()
    s.must("PATCH", f"/volunteers/{s.ids['volunteer']}", "volunteer", HOME)  # a home to the metre
    project = s.running_project()
    s.must("POST", f"/projects/{project}/lead", "org_staff", {"social_worker_id": s.ids["social_worker"]})
    record = s.verified_record()
    activity = s.must("GET", f"/hours/{record}", "admin")["activity_id"]
    signup = s.must("GET", f"/activities/{activity}/signups", "admin")[0]["id"]
    certificate = s.must("POST", f"/volunteers/{s.ids['volunteer']}/certificates", "org_staff", {})["code"]
    s.must("POST", f"/volunteers/{s.ids['volunteer']}/reveal", "admin", {"field": "phone", "reason": REVEAL_REASON})
    round_id = s.round()
    filing = s.must("POST", "/filings", None, filing_body(s.ids["community"]))["id"]
    cohort = _member(s)  # organization A in incubation (matrix_cases: made filed first)
    s.must("POST", "/cohorts/{cohort_id}/members/{organization_id}/records".format(**cohort), "admin",
           {"kind": "mentoring", "held_on": "2026-01-05", "title": "章程辅导", "hours": 2})
    report = s.must("POST", "/annual-reports", "org_staff", {"year": utcnow().year - 1, "activities_count": 12, "members": 30,
                                                              "income_fen": 100000, "spending_fen": 80000})["id"]
    placement = s.must("POST", "/growth/placements", "admin",
                       {"social_worker_id": s.ids["social_worker"], "organization_id": s.ids["organization"],
                        "placed_on": utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()})["id"]
    return {"s": s, "volunteer": s.ids["volunteer"], "record": record, "activity": activity, "signup": signup,
            "certificate": certificate, "need": _rank(s), "round": round_id, "application": s.application(round_id),
            "cohort": cohort["cohort_id"], "report": report, "filing": filing,
            "placement": placement, "consultation": _consultation_with_a_vote(s)}


def _consultation_with_a_vote(s: Scene) -> int:
    """Community A's consultation, one item proposed and voted for with the codes its staff issued."""
    from tests.integration.api.matrix_cases import _consultation_codes
    found = _consultation_codes(s, with_item=True)
    s.must("POST", f"/consultations/{found['consultation_id']}/votes", "community_staff",
           {"code": found["codes"][0], "item_id": found["item_id"]})
    return found["consultation_id"]


def _shows_a(scene: dict):
    v = scene["volunteer"]
    return {
        "volunteers.list": lambda b: next((x for x in b["items"] if x["id"] == v), None),
        "volunteers.get": lambda b: b,
        "hours.list": lambda b: scene["record"] in [x["id"] for x in b],
        "activity.signups": lambda b: scene["signup"] in [x["id"] for x in b],
        "audit.list": lambda b: next((x for x in b["items"] if x["change"] == "reveal"
                                      and x["object_id"] == str(v)), None),
        "me.disclosures": lambda b: next((x for x in b if x["reason"] == REVEAL_REASON), None),
        "applications.list": lambda b: scene["application"] in [x["id"] for x in b],
        "me.export": lambda b: b["volunteer"] if (b.get("volunteer") or {}).get("id") == v else None,
        "hours.org_report": lambda b: scene["record"] in [x["id"] for x in b["items"]],
        "hours.community_report": lambda b: scene["record"] in [x["id"] for x in b["items"]],
        "filings.list": lambda b: next((x for x in b["items"] if x["id"] == scene["filing"]), None),
        "cohorts.list": lambda b: scene["cohort"] in [x["id"] for x in b],
        "annual_reports.list": lambda b: scene["report"] in [x["id"] for x in b],
        "placements.list": lambda b: scene["placement"] in [x["id"] for x in b],
        "consultations.list": lambda b: scene["consultation"] in [x["id"] for x in b],
    }


def _read(scene: dict, name: str, who: str):
    s, v = scene["s"], scene["volunteer"]
    if name.endswith("_report"):  # the month of volunteer A's record, in China
        started = s.must("GET", f"/hours/{scene['record']}", "admin")["starts_at"]
        month = {"month": datetime.fromisoformat(started).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")}
    path, query = {
        "volunteers.list": ("/volunteers", {"page_size": 100}),
        "volunteers.get": (f"/volunteers/{v}", None),
        "hours.list": ("/hours", None),
        "hours.get": (f"/hours/{scene['record']}", None),
        "volunteer.hours": (f"/volunteers/{v}/hours", None),
        "volunteer.verify_chain": (f"/volunteers/{v}/hours/verify-chain", None),
        "activity.signups": (f"/activities/{scene['activity']}/signups", None),
        "certificate.pdf": (f"/volunteers/{v}/certificates/{scene['certificate']}.pdf", None),
        "certificate.check": (f"/certificates/{scene['certificate']}", None),
        "need.matches": (f"/needs/{scene['need']}/matches", None),
        "audit.list": ("/audit", {"object_type": "volunteers", "page_size": 100}),
        "me.disclosures": ("/me/disclosures", None),
        "applications.list": (f"/funding-rounds/{scene['round']}/applications", None),
        "applications.get": (f"/applications/{scene['application']}", None),
        "consents.list": (f"/volunteers/{v}/consents", None),
        "me.export": ("/me/export", None),
        "hours.org_report": (f"/organizations/{s.ids['organization']}/hours-report", month if name.endswith("_report") else None),
        "hours.community_report": (f"/communities/{s.ids['community']}/hours-report", month if name.endswith("_report") else None),
        "filings.list": ("/filings", None),
        "filings.get": (f"/filings/{scene['filing']}", None),
        "cohorts.list": ("/cohorts", None),
        "cohorts.get": (f"/cohorts/{scene['cohort']}", None),
        "cohort.member": (f"/cohorts/{scene['cohort']}/members/{s.ids['organization']}", None),
        "annual_reports.list": ("/annual-reports", None),
        "annual_reports.get": (f"/annual-reports/{scene['report']}", None),
        "annual_reports.overdue": ("/annual-reports/overdue", None),
        "placements.list": ("/growth/placements", None),
        "consultations.list": ("/consultations", None),
        "consultations.get": (f"/consultations/{scene['consultation']}", None),
        "consultation.result": (f"/consultations/{scene['consultation']}/result", None),
    }[name]
    return s.call("GET", path, who, query=query)


def _volunteer_fields(shown: dict, cell: str, whole_phone: str, who: str) -> None:
    assert shown["id_number_masked"].count("*") == 10, shown
    # The home to the metre for the volunteer alone; to everyone else the neighbourhood (0.01°).
    home = HOME if who == "volunteer" else {k: round(v, 2) for k, v in HOME.items()}
    assert (shown["lat"], shown["lon"]) == (home["lat"], home["lon"]), (who, shown)
    if cell.endswith("*"):
        assert shown["phone"] != whole_phone and shown["phone"] == whole_phone[:3] + "****" + whole_phone[-4:]
    else:
        assert shown["phone"] == whole_phone, shown


def _filing_fields(shown: dict, cell: str) -> None:
    whole = filing_body(0)["responsible_phone"]
    assert "responsible_id_number" not in shown and shown["responsible_id_number_masked"].count("*") == 10, shown
    assert shown["responsible_phone"] == (whole[:3] + "****" + whole[-4:] if cell.endswith("*") else whole), shown
    assert all("****" in m["phone"] for m in shown["members"]), shown


def _match_list(body: dict, cell: str, scene: dict, who: str) -> None:
    a, b = body["matches"]["volunteer"]
    assert a["provider_id"] == scene["volunteer"] and a["name"] == ("李明" if cell == "w" else "李*"), a
    assert b["name"] == ("王芳" if who == "other_volunteer" else "王*"), b  # B's own entry: whole for B alone
    assert (a["distance_band"], b["distance_band"]) == ("<1 km", "3–5 km"), (a, b)
    for entry in (a, b):
        assert entry["distance_km"] is None and entry["factors"] == {}, entry
        assert not any("米" in r or "." in r for r in entry["reasons"]), entry
    assert "距离 1 公里内" in a["reasons"] and "技能相符：陪诊" in a["reasons"], a
    org = body["matches"]["organization"][0]
    assert org["name"] == "乐龄养老服务中心" and org["distance_km"] == 1.4 and org["distance_band"] == "1–3 km"


@pytest.mark.parametrize("name", list(table()))
def test_each_read_of_personal_data_follows_the_policy_for_every_role(scene, name):
    expected = table()[name]
    whole_phone = scene["s"].must("GET", f"/volunteers/{scene['volunteer']}", "volunteer")["phone"]
    assert "*" not in whole_phone
    for who in CALLERS + ((None,) if name in ("certificate.check", "consultation.result") else ()):
        response = _read(scene, name, who)
        cell = expected.get(who, "ok")
        status = int(cell) if cell.isdigit() else 200
        assert response.status_code == status, (name, who, cell, response.status_code, response.get_json())
        if status != 200:
            assert response.get_json()["code"] == status, response.get_json()
            continue
        if name == "certificate.pdf":
            assert response.data.startswith(b"%PDF"), (name, who)
            continue
        body = response.get_json()
        if cell in ("m", "w"):
            _match_list(body, cell, scene, who)
        elif name == "certificate.check":
            assert body["volunteer_name"] == "李*", body
        elif name in ("consultations.get", "consultation.result"):
            [item] = body["items"]
            assert body["votes"] == len(item["receipts"]) == 1 and "codes" not in body, body
        elif cell.startswith(("in", "-")):
            shown = _shows_a(scene)[name](body)
            assert bool(shown) == cell.startswith("in"), (name, who, body)
            if shown and name.startswith("volunteers."):
                _volunteer_fields(shown, cell, whole_phone, who)
            if shown and name == "filings.list":
                _filing_fields(shown, cell)
            if shown and name in ("audit.list", "me.disclosures"):
                assert shown["reason"] == REVEAL_REASON and "value" not in shown, shown
            if name == "me.export":  # one's own data whole; nobody else's export names volunteer A
                if shown:
                    assert shown["phone"] == whole_phone and "*" not in shown["id_number"], shown
                else:
                    assert whole_phone not in str(body) and "李明" not in str(body), (who, body)
        elif name == "consents.list":
            assert body and all(c["volunteer_id"] == scene["volunteer"] for c in body), body
            assert not any("phone" in (c.get("guardian") or {}) for c in body), body
        elif name == "volunteers.get":
            _volunteer_fields(body, cell, whole_phone, who)
        elif name == "filings.get":
            _filing_fields(body, cell)


def test_the_read_matrix_has_the_cells_docs_security_md_counts():
    cells = sum(len(row) for row in table().values())
    assert cells == 30 * len(CALLERS) == 300


def test_a_list_total_counts_only_what_the_caller_may_see(scene):
    s = scene["s"]
    mine = s.must("GET", "/volunteers", "volunteer")
    assert mine["total"] == 1 and [x["id"] for x in mine["items"]] == [scene["volunteer"]]
    assert s.must("GET", "/volunteers", "other_community_staff")["total"] == 0
    assert s.must("GET", "/volunteers", "admin")["total"] >= 2


# --- social workers' supervision (督导) and continuing education (继续教育) ---------------------------
# The object is social worker A's (organization A): supervised by other_social_worker (社会工作师), with a
# session recorded and a training. Cells as above (in / - on lists, ok / 404 on single reads).
SUPERVISION_READS = """
supervision.summary          ok   404  404  ok   404  404  404  ok   ok   ok
supervision.sessions         ok   404  404  ok   404  404  404  ok   ok   ok
trainings.list               ok   404  404  ok   404  404  404  ok   ok   ok
supervision.assignments      in   -    -    -    -    -    -    in   in   in
"""
# Notes: the supervisor reads the supervisee's page (current or past supervisors); organization A's
# staff read their social worker's; the district and auditors every one; anyone else a 404.


@pytest.fixture
def supervised(world) -> dict:
    s = Scene(world)
    s.add_other_social_worker_account()
    a = s.ids["social_worker"]
    assignment = s.must("POST", "/supervision/assignments", "admin",
                        {"social_worker_id": a, "supervisor_id": s.ids["other_social_worker"], "starts_on": "2026-01-01"})
    session = s.must("POST", "/supervision/sessions", "other_social_worker",
                     {"social_worker_id": a, "held_on": "2026-01-05", "form": "group", "topics": "小组工作",
                      "hours": 2, "confirmed": True})
    training = s.must("POST", f"/social-workers/{a}/trainings", "social_worker",
                      {"title": "社会工作伦理", "provider": "区社工协会", "held_on": "2026-01-05", "hours": 6})
    return {"s": s, "a": a, "assignment": assignment["id"], "session": session["id"], "training": training["id"]}


@pytest.mark.parametrize("name", [line.split()[0] for line in SUPERVISION_READS.strip().splitlines()])
def test_each_supervision_read_follows_the_policy_for_every_role(supervised, name):
    row = next(line.split()[1:] for line in SUPERVISION_READS.strip().splitlines() if line.split()[0] == name)
    s, a = supervised["s"], supervised["a"]
    path, query, shows = {
        "supervision.summary": (f"/supervision/social-workers/{a}", None, lambda b: b["social_worker_id"] == a),
        "supervision.sessions": ("/supervision/sessions", {"social_worker_id": a},
                                 lambda b: [x["id"] for x in b] == [supervised["session"]]),
        "trainings.list": (f"/social-workers/{a}/trainings", None,
                           lambda b: [x["id"] for x in b] == [supervised["training"]]),
        "supervision.assignments": ("/supervision/assignments", None,
                                    lambda b: supervised["assignment"] in [x["id"] for x in b]),
    }[name]
    for who, cell in zip(CALLERS, row):
        response = s.call("GET", path, who, query=query)
        status = int(cell) if cell.isdigit() else 200
        assert response.status_code == status, (name, who, cell, response.get_json())
        if status == 200:
            assert shows(response.get_json()) == (cell != "-"), (name, who, response.get_json())
