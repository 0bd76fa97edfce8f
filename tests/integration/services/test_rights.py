"""A person's rights at the service: a copy of everything held about them, and erasure that keeps service countable."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.messages import Topics
from linkage.models import Certificate, Consent, MatchSet, OutboxEvent, Signup, User, Volunteer, utcnow
from linkage.services.certificates import get_certificate, issue_certificate, public_view
from linkage.services.hours import verify_chain, volunteer_hours
from linkage.services.matches import record_matches
from linkage.services.rights import ERASED_NAME, erase_volunteer, export_person
from tests.factories import ADMIN


@pytest.fixture
def scene(build, act, platform):
    """A volunteer with verified hours, a certificate, an upcoming sign-up and a place in a ranking."""
    community = build.community()
    organization = build.organization()
    volunteer = build.volunteer(community, name="李明")
    user = build.user("volunteer", volunteer_id=volunteer)
    build.verified_hours(volunteer, organization, minutes=120)
    certificate = act(issue_certificate, ADMIN, platform.cipher, volunteer.id, {}, "https://x.cn")
    upcoming = build.activity(build.project(organization=organization, status="in_progress"))
    signup = build.signup(upcoming, volunteer)
    need = build.need(community)

    def rank(uow):
        record_matches(uow, consumer="projector", event_id="e-1", need_id=need.id, ranked_at=utcnow(), matches={
            "volunteer": [{"provider_id": volunteer.id, "name": "李明", "score": 0.9},
                          {"provider_id": 999, "name": "王芳", "score": 0.5}]})
        uow.commit()
    act(rank)
    from linkage.services.accounts import actor_for
    return {"community": community, "volunteer": volunteer, "user": user, "me": actor_for(user),
            "certificate": certificate, "signup": signup, "need": need}


def test_a_volunteer_exports_everything_held_about_them_unmasked(scene, platform, read):
    with read() as s:
        out = export_person(s, scene["me"], platform.cipher)
    assert out["account"]["username"] == scene["user"].username
    assert out["volunteer"]["name"] == "李明"
    assert out["volunteer"]["phone"] == platform.cipher.read(scene["volunteer"], "phone")
    assert out["volunteer"]["id_number"] == platform.cipher.read(scene["volunteer"], "id_number")
    assert [c["method"] for c in out["consents"]] == ["paper"]
    assert out["hours"]["chain"]["valid"] and len(out["hours"]["entries"]) == 2
    # The past activity's sign-up (the verified hours) and the upcoming one.
    assert len(out["signups"]) == 2 and out["signups"][-1]["id"] == scene["signup"].id
    assert [c["code"] for c in out["certificates"]] == [scene["certificate"].code]


def test_a_social_worker_s_export_holds_their_profile(build, platform, read):
    worker = build.social_worker(build.organization(), name="张华")
    actor = build.social_worker_actor(worker)
    with read() as s:
        out = export_person(s, actor, platform.cipher)
    assert out["social_worker"]["name"] == "张华" and out["volunteer"] is None


def test_an_actor_without_an_account_has_nothing_to_export(platform, read):
    with read() as s, pytest.raises(NotFound):
        export_person(s, ADMIN, platform.cipher)


def test_erasure_removes_the_person_and_keeps_their_service_countable(scene, act, platform, read):
    with read() as s:
        before = volunteer_hours(s, scene["volunteer"].id, [10])
    result = act(erase_volunteer, scene["me"], scene["volunteer"].id)
    assert (result["signups_cancelled"], result["certificates_masked"], result["match_entries_removed"]) == (1, 1, 1)
    assert result["outbox_rows_removed"] >= 1
    with read() as s:
        volunteer = s.get(Volunteer, scene["volunteer"].id)
        assert (volunteer.name, volunteer.phone_cipher, volunteer.id_number_cipher, volunteer.active) == \
            (ERASED_NAME, "", "", False)
        assert (volunteer.lat, volunteer.lon) == (scene["community"].lat, scene["community"].lon)
        user = s.get(User, scene["user"].id)
        assert (user.active, user.username.startswith("erased-")) == (False, True)
        assert s.get(Signup, scene["signup"].id).status == "cancelled"
        assert [e["provider_id"] for e in s.get(MatchSet, scene["need"].id).matches["volunteer"]] == [999]
        snapshot = s.get(Certificate, scene["certificate"].id).snapshot
        assert snapshot["volunteer"]["name"] == ERASED_NAME and snapshot["volunteer"]["document_number_masked"] == ""
        assert public_view(s, get_certificate(s, scene["certificate"].code))["valid"]
        # The ledger hashes no personal data: it still verifies, and the totals are as they were.
        assert verify_chain(s, scene["volunteer"].id)["valid"]
        after = volunteer_hours(s, scene["volunteer"].id, [10])
        assert (after["verified_minutes"], after["total_minutes"]) == \
            (before["verified_minutes"], before["total_minutes"])
        key = f"volunteer:{scene['volunteer'].id}"
        assert list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.topic == Topics.PROVIDERS,
                                                             OutboxEvent.key == key))) == ["tombstone"]


def test_a_guardian_s_name_and_phone_go_with_the_erasure(build, act, platform, read):
    from linkage.notice import current_version
    from linkage.services.consents import record_consent
    volunteer = build.volunteer(build.community())
    act(record_consent, ADMIN, volunteer.id, {"notice_version": current_version(), "method": "paper",
                                              "guardian": {"name": "李强", "relation": "parent",
                                                           "phone": "13900001111"}}, platform.cipher)
    act(erase_volunteer, ADMIN, volunteer.id, "监护人书面申请")
    with read() as s:
        consents = list(s.scalars(select(Consent).where(Consent.volunteer_id == volunteer.id)))
    assert len(consents) == 2 and all(c.guardian_name == "" and c.guardian_phone_cipher == "" for c in consents)


def test_the_district_erases_only_with_a_ground_and_nobody_else_erases_another(scene, build, act, unchanged):
    staff = build.community_staff(scene["community"])
    with unchanged():
        with pytest.raises(InvalidInput):
            act(erase_volunteer, ADMIN, scene["volunteer"].id, " ")
        with pytest.raises(Forbidden):
            act(erase_volunteer, staff, scene["volunteer"].id, "社区申请")
    act(erase_volunteer, ADMIN, scene["volunteer"].id, "本人书面申请")
    with unchanged(), pytest.raises(Conflict):
        act(erase_volunteer, ADMIN, scene["volunteer"].id, "再次注销")
    with pytest.raises(NotFound):
        act(erase_volunteer, ADMIN, 8181, "本人书面申请")
