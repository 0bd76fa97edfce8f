def test_a_community_worker_posts_a_need_and_reads_it_back(world):
    from tests.integration.api.conftest import need_body
    r = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
    assert r.status_code == 201, r.json
    got = world.call("GET", f"/api/v1/needs/{r.json['id']}", "volunteer")
    assert got.json["title"] == "陪同独居老人到医院复诊"
    assert got.json["starts_at"] == "2026-12-05T09:00:00+08:00"
