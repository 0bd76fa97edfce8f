"""Every write leaves who, what, which object, when and from where; auditors can read it."""
from tests.integration.api.conftest import need_body


def test_posting_a_need_is_audited_with_who_what_and_where(world):
    r = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]),
                   headers={"X-Request-Id": "req-needs-0001"})
    assert r.status_code == 201 and r.headers["X-Request-Id"] == "req-needs-0001"
    trail = world.call("GET", "/api/v1/audit?request_id=req-needs-0001", "auditor").json["items"]
    need_rows = [e for e in trail if e["object_type"] == "needs"]
    assert len(need_rows) == 1
    entry = need_rows[0]
    assert entry["username"] == "community_staff" and entry["role"] == "community_staff"
    assert entry["action"] == "POST /api/v1/needs" and entry["change"] == "insert"
    assert entry["object_id"] == str(r.json["id"]) and entry["remote_addr"] == "127.0.0.1"
    assert "title" in entry["fields"] and entry["at"]


def test_only_auditors_and_admins_read_the_trail(world):
    assert world.call("GET", "/api/v1/audit", "admin").status_code == 200
    for who in ("community_staff", "org_staff", "volunteer"):
        assert world.call("GET", "/api/v1/audit", who).status_code == 403


def test_a_refused_write_leaves_no_audit_entry(world):
    before = world.call("GET", "/api/v1/audit", "auditor").json["total"]
    assert world.call("POST", "/api/v1/needs", "other_community_staff",
                      json=need_body(world.ids["community"])).status_code == 403
    assert world.call("GET", "/api/v1/audit", "auditor").json["total"] == before
