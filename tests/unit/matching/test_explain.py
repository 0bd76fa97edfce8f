"""Every ranked entry says why, in words a community worker reads at a glance."""
from matchkit import need, offset, organization, resource, social_worker, volunteer


def test_volunteer_entry_explains_skills_distance_and_free_slot(index):
    index.upsert("volunteer", volunteer(id=1, km_north=1.2, skills=["助老", "陪诊", "理发"]))
    entry = index.rank(need())["volunteer"][0]
    assert entry["reasons"][:3] == ["技能相符：陪诊、助老", "距离 1.2 公里", "本周六上午有空"]
    assert set(entry["factors"]) == {"skill", "distance", "availability", "professional", "reputation", "spread"}


def test_entry_has_the_promised_shape_and_rounding(index):
    index.upsert("volunteer", volunteer(id=1, km_north=1.234567))
    entry = index.rank(need())["volunteer"][0]
    assert set(entry) == {"provider_id", "kind", "name", "score", "distance_km", "factors", "reasons"}
    assert entry["kind"] == "volunteer" and entry["name"] == "志愿者1"
    assert entry["distance_km"] == 1.23 and entry["score"] == round(entry["score"], 4)
    assert all(isinstance(r, str) for r in entry["reasons"])


def test_next_weeks_slot_says_next_week(index):
    index.upsert("volunteer", volunteer(id=1, availability=["sat_am"]))
    entry = index.rank(need(starts_at="2026-12-05T09:00:00+08:00", ends_at="2026-12-05T11:00:00+08:00"))["volunteer"][0]
    assert "下周六上午有空" in entry["reasons"]


def test_reputation_and_capacity_are_explained_for_organizations(index):
    index.upsert("organization", organization(id=1, capacity=5, open_projects=3,
                                              reputation={"rating_sum": 46, "rating_count": 10, "completed": 19, "cancelled": 1}))
    reasons = index.rank(need())["organization"][0]["reasons"]
    assert "在办项目 3/5，尚有余力" in reasons
    assert "满意度 4.6（10 次评价）" in reasons and "完成率 95%" in reasons


def test_social_worker_entry_names_level_and_groups(index):
    index.upsert("social_worker", social_worker(id=1, certificate_level="senior"))
    reasons = index.rank(need())["social_worker"][0]["reasons"]
    assert "高级社会工作师" in reasons and "擅长服务老年人" in reasons


def test_fund_entry_names_what_is_left_and_the_deadline(index):
    index.upsert("resource", resource(id=1, remaining_fen=120000, restricted_categories=["养老"],
                                      available_until="2026-12-31T23:59:00+08:00"))
    reasons = index.rank(need(budget_fen=50000))["resource"][0]["reasons"]
    assert "剩余资金 ¥1,200.00，覆盖预算" in reasons
    assert "定向用于养老" in reasons and "有效期至 2026年12月31日" in reasons  # an expiry date has its year


def test_material_entry_names_what_is_left_with_its_unit(index):
    index.upsert("resource", resource(id=1, kind="material", remaining_fen=None, quantity=80, remaining_quantity=50,
                                      unit="箱", available_until="2027-01-15T23:59:00+08:00"))
    reasons = index.rank(need())["resource"][0]["reasons"]
    assert "物资剩余 50 箱" in reasons and "有效期至 2027年1月15日" in reasons


def test_short_distances_read_in_metres(index):
    lat, lon = offset(km_north=0.4)
    index.upsert("volunteer", volunteer(id=1, lat=lat, lon=lon))
    assert "距离 400 米" in index.rank(need())["volunteer"][0]["reasons"]


def test_the_distance_reason_reads_the_entrys_own_distance(index):
    """One distance per entry: the reason says distance_km as linkage.formats writes it, never a
    second rounding of the raw distance (1.3496 km read 1.3 公里 beside distance_km 1.35 → 1.4)."""
    from linkage.formats import distance

    spots = [0.4449, 0.4451, 0.9949, 0.9951, 1.3449, 1.3451, 1.3496, 1.3504, 2.0449, 2.0451]
    for i, km in enumerate(spots, start=1):
        index.upsert("organization", organization(id=i, km_north=km))
    entries = index.rank(need())["organization"]
    assert len(entries) == len(spots)
    for entry in entries:
        said = [r for r in entry["reasons"] if r.startswith("距离 ")]
        assert said == [f"距离 {distance(entry['distance_km'])}"], entry


def test_the_fairness_reason_is_given_only_to_entries_it_moved_down(index):
    """近期已获较多推荐 says the fairness term cost the entry a place: not for a busy provider still
    first, nor for one last either way; only for one that would rank higher without the term."""
    index.upsert("volunteer", volunteer(id=1, km_north=0.5))   # near: first even when busy
    index.upsert("volunteer", volunteer(id=2, km_north=1.0))
    index.upsert("volunteer", volunteer(id=3, km_north=1.02))  # busy and passed by 4 because of it
    index.upsert("volunteer", volunteer(id=4, km_north=1.04))
    index.upsert("volunteer", volunteer(id=5, km_north=4.5))   # far: last either way
    index.note_recommended("volunteer", [1, 3, 5], weight=10)
    ranked = index.rank(need())["volunteer"]
    assert [e["provider_id"] for e in ranked] == [1, 2, 4, 3, 5]
    assert all(e["factors"]["spread"] < 0.7 for e in ranked if e["provider_id"] in (1, 3, 5))
    busy = [e["provider_id"] for e in ranked if "近期已获较多推荐" in e["reasons"]]
    assert busy == [3]


def test_a_filed_organization_says_so_and_a_registered_one_does_not(index):
    index.upsert("organization", organization(id=1, registration="filed"))
    index.upsert("organization", organization(id=2, registration="registered", km_north=2.0))
    entries = {e["provider_id"]: e["reasons"] for e in index.rank(need())["organization"]}
    assert "已备案社区社会组织" in entries[1]
    assert "已备案社区社会组织" not in entries[2]
