"""Certificates (志愿服务记录证明) at the service: issued from verified hours, checked publicly, revoked."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from linkage.errors import Conflict, Forbidden, NotFound
from linkage.models import Certificate, HourEntry
from linkage.policy.service import may_download_certificate
from linkage.services.certificates import get_certificate, issue_certificate, public_view, revoke_certificate
from tests.factories import ADMIN

BASE = "https://linkage.example.cn"


@pytest.fixture
def scene(build):
    """A volunteer with two hours verified for an organization."""
    community = build.community()
    organization = build.organization(contact_name="王主任", contact_phone="022-66001234")
    volunteer = build.volunteer(community, name="李明")
    record = build.verified_hours(volunteer, organization, minutes=120)
    return {"organization": organization, "volunteer": volunteer, "record": record,
            "me": build.volunteer_actor(volunteer), "org_staff": build.org_staff(organization)}


def _count(read):
    with read() as s:
        return s.scalar(select(func.count()).select_from(Certificate))


def test_the_organization_issues_a_certificate_of_verified_hours(scene, act, platform, read):
    cert = act(issue_certificate, scene["org_staff"], platform.cipher, scene["volunteer"].id, {}, BASE)
    snap = cert.snapshot
    assert (cert.verified_minutes, cert.organization_id) == (120, scene["organization"].id)
    assert snap["verify_url"] == f"{BASE}/verify/{cert.code}"
    assert (snap["issuer"]["name"], snap["issuer"]["person_in_charge"]) == (scene["organization"].name, "王主任")
    assert snap["volunteer"]["name"] == "李明" and "*" in snap["volunteer"]["document_number_masked"]
    with read() as s:
        view = public_view(s, get_certificate(s, cert.code.lower()))
    assert (view["valid"], view["status"], view["verified_hours"]) == (True, "valid", 2.0)
    assert "李明" not in view["volunteer_name"]


def test_the_volunteer_asks_for_their_own_but_cannot_write_the_issuer_s_part(scene, act, platform):
    cert = act(issue_certificate, scene["me"], platform.cipher, scene["volunteer"].id,
               {"person_in_charge": "我自己", "handler": "我"}, BASE)
    assert cert.snapshot["issuer"]["person_in_charge"] == "王主任"
    assert cert.snapshot["issuer"]["handler"] == "线上自助申请"


def test_others_cannot_issue_and_no_hours_means_no_certificate(scene, build, act, platform, read, unchanged):
    stranger = build.volunteer_actor(build.volunteer())
    other_org = build.org_staff(build.organization())
    nobody = build.volunteer()
    with unchanged():
        with pytest.raises(Forbidden):
            act(issue_certificate, stranger, platform.cipher, scene["volunteer"].id, {}, BASE)
        with pytest.raises(Conflict):  # the other organization has no verified hours of theirs
            act(issue_certificate, other_org, platform.cipher, scene["volunteer"].id, {}, BASE)
        with pytest.raises(NotFound):
            act(issue_certificate, ADMIN, platform.cipher, 5050, {}, BASE)
        with pytest.raises(Conflict):  # nobody else has verified hours
            act(issue_certificate, ADMIN, platform.cipher, nobody.id, {}, BASE)
    assert _count(read) == 0


def test_the_district_issues_for_one_organization_or_across_them(scene, build, act, platform):
    other = build.organization()
    build.verified_hours(scene["volunteer"], other, minutes=60)
    across = act(issue_certificate, ADMIN, platform.cipher, scene["volunteer"].id, {}, BASE)
    assert (across.verified_minutes, across.organization_id) == (180, None)
    assert across.snapshot["issuer"]["name"].startswith("区志愿服务记录平台")
    one = act(issue_certificate, ADMIN, platform.cipher, scene["volunteer"].id, {"organization_id": other.id}, BASE)
    assert (one.verified_minutes, one.organization_id) == (60, other.id)


def test_a_tampered_ledger_gets_no_certificate_and_voids_the_issued_ones(scene, act, platform, read, unchanged):
    cert = act(issue_certificate, scene["org_staff"], platform.cipher, scene["volunteer"].id, {}, BASE)
    with platform.write_sessions() as s:
        s.execute(update(HourEntry).where(HourEntry.id == scene["record"].id).values(minutes=900))
        s.commit()
    with unchanged(), pytest.raises(Conflict) as caught:
        act(issue_certificate, scene["org_staff"], platform.cipher, scene["volunteer"].id, {}, BASE)
    assert "ledger" in caught.value.errors
    with read() as s:
        view = public_view(s, get_certificate(s, cert.code))
    assert (view["valid"], view["status"]) == (False, "ledger_mismatch")


def test_the_issuer_or_the_district_revokes_once(scene, build, act, platform, read, unchanged):
    cert = act(issue_certificate, scene["org_staff"], platform.cipher, scene["volunteer"].id, {}, BASE)
    other_org = build.org_staff(build.organization())
    with unchanged():
        for actor in (scene["me"], other_org):
            with pytest.raises(Forbidden):
                act(revoke_certificate, actor, cert.code, "错误")
    revoked = act(revoke_certificate, scene["org_staff"], cert.code, "录入有误")
    assert revoked.revoked_reason == "录入有误"
    with unchanged(), pytest.raises(Conflict):
        act(revoke_certificate, ADMIN, cert.code, "再次撤销")
    with read() as s:
        view = public_view(s, get_certificate(s, cert.code))
        assert (view["valid"], view["status"]) == (False, "revoked")
        with pytest.raises(NotFound):
            get_certificate(s, "ZYNOSUCHCODE")


def test_an_unknown_issuing_organization_has_no_hours_to_certify(scene, act, platform, unchanged):
    with unchanged(), pytest.raises(Conflict):
        act(issue_certificate, ADMIN, platform.cipher, scene["volunteer"].id, {"organization_id": 6060}, BASE)


def test_who_may_download_a_certificate(scene, build, act, platform):
    cert = act(issue_certificate, scene["org_staff"], platform.cipher, scene["volunteer"].id, {}, BASE)
    assert may_download_certificate(scene["me"], cert) and may_download_certificate(scene["org_staff"], cert) and may_download_certificate(ADMIN, cert)
    assert not may_download_certificate(build.org_staff(build.organization()), cert)
    assert not may_download_certificate(build.volunteer_actor(build.volunteer()), cert)
