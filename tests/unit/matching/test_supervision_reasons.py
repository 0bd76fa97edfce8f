"""A social worker's professional-fit reasons name their level (unless the certificate has expired) and 督导中."""

from matchkit import need, social_worker

from matching.explain import EXPIRED_CERTIFICATE, SUPERVISED


def _reasons(index, **kw):
    index.upsert("social_worker", social_worker(id=1, **kw))
    [entry] = index.rank(need())["social_worker"]
    return entry["reasons"]


def test_a_senior_social_worker_under_supervision_says_both(index):
    reasons = _reasons(index, certificate_level="senior", supervised_until="2027-01-15")
    assert "高级社会工作师" in reasons and SUPERVISED in reasons
    assert reasons.index("高级社会工作师") + 1 == reasons.index(SUPERVISED)


def test_an_intermediate_social_worker_without_a_supervisor_says_only_the_level(index):
    reasons = _reasons(index, certificate_level="intermediate", supervised_until=None)
    assert "社会工作师" in reasons and SUPERVISED not in reasons


def test_supervision_lapsed_before_the_ranking_is_not_said(index):
    # the clock reads 2026-11-23: a status through 2026-11-22 has lapsed, through the 23rd still holds
    assert SUPERVISED not in _reasons(index, supervised_until="2026-11-22")
    assert SUPERVISED in _reasons(index, supervised_until="2026-11-23")


def test_a_record_from_before_supervision_says_the_level_as_before(index):
    reasons = _reasons(index, certificate_level="assistant")
    assert "助理社会工作师" in reasons and SUPERVISED not in reasons and EXPIRED_CERTIFICATE not in reasons


def test_a_certificate_expired_before_the_need_is_not_named_as_a_level(index):
    # the need starts 2026-11-28 09:00
    expired = _reasons(index, certificate_level="senior", certificate_expires_on="2026-11-27")
    assert EXPIRED_CERTIFICATE in expired and "高级社会工作师" not in expired
    valid = _reasons(index, certificate_level="senior", certificate_expires_on="2026-11-28")
    assert "高级社会工作师" in valid and EXPIRED_CERTIFICATE not in valid


def test_an_expired_certificate_is_cut_when_the_need_requires_social_work(index):
    cert = {"kind": "social_work", "level": "senior"}
    index.upsert(
        "social_worker",
        social_worker(id=1, certificate_expires_on="2026-11-27", qualifications=[{**cert, "expires_on": "2026-11-27"}]),
    )
    index.upsert("social_worker", social_worker(id=2, qualifications=[{**cert, "expires_on": None}]))
    ranked = index.rank(need(qualification_required="social_work"))["social_worker"]
    assert [e["provider_id"] for e in ranked] == [2]
