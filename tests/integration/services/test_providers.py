"""Providers at the service: the four kinds, who registers and changes each, district-only fields, what others see."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.messages import Types
from linkage.models import CharityResource, OutboxEvent, Volunteer
from linkage.services.providers import (
    deactivate_provider,
    get_provider,
    list_providers,
    provider_record,
    provider_records,
    read_provider,
    register_provider,
    republish_providers,
    shown,
    update_provider,
)
from linkage.services.rights import erase_volunteer
from tests.factories import ADMIN, org_body, resource_body, social_worker_body, valid_id_number, volunteer_body


def _provider_events(read, key):
    with read() as s:
        return list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.key == key).order_by(OutboxEvent.id)))


def test_the_district_registers_an_organization_and_the_matcher_hears_of_it(act, read, platform):
    org = act(register_provider, ADMIN, "organization", org_body(7), platform.cipher)
    assert _provider_events(read, f"organization:{org.id}") == [Types.PROVIDER_UPSERTED]
    record = provider_record("organization", org)
    assert (record["name"], record["registration"], record["open_projects"]) == (org.name, "registered", 0)


def test_only_the_district_registers_organizations_and_resources(build, act, platform, unchanged):
    community = build.community()
    staff = build.community_staff(community)
    with unchanged():
        with pytest.raises(Forbidden):
            act(register_provider, staff, "organization", org_body(8), platform.cipher)
        with pytest.raises(Forbidden):
            act(register_provider, staff, "resource", resource_body(), platform.cipher)


def test_an_organization_s_credit_code_is_registered_once(build, act, platform, unchanged):
    build.organization()  # serial 1
    with unchanged(), pytest.raises(Conflict) as caught:
        act(register_provider, ADMIN, "organization", org_body(1, name="同码机构"), platform.cipher)
    assert "uscc" in caught.value.errors


def test_org_staff_register_their_own_social_workers_only(build, act, platform, unchanged):
    org, other = build.organization(), build.organization()
    staff = build.org_staff(org)
    worker = act(register_provider, staff, "social_worker", social_worker_body(org.id), platform.cipher)
    assert worker.organization_id == org.id
    with unchanged():
        with pytest.raises(Forbidden):
            act(register_provider, staff, "social_worker", social_worker_body(other.id), platform.cipher)
        with pytest.raises(InvalidInput):
            act(register_provider, ADMIN, "social_worker", social_worker_body(4321), platform.cipher)


def test_community_staff_register_volunteers_of_their_community_with_consent(build, act, platform, read, unchanged):
    community, other = build.community(), build.community()
    staff = build.community_staff(community)
    volunteer = act(register_provider, staff, "volunteer", volunteer_body(11, community.id), platform.cipher)
    assert volunteer.code == f"V{volunteer.id:08d}"
    with read() as s:
        stored = s.get(Volunteer, volunteer.id)
        assert platform.cipher.read(stored, "phone") == "13800000011"
        assert stored.phone_cipher != "13800000011"  # encrypted at rest
    with unchanged():
        with pytest.raises(Forbidden):
            act(register_provider, staff, "volunteer", volunteer_body(12, other.id), platform.cipher)
        with pytest.raises(InvalidInput):
            act(register_provider, ADMIN, "volunteer", volunteer_body(13, 9999), platform.cipher)
        with pytest.raises(InvalidInput):
            act(register_provider, ADMIN, "volunteer", volunteer_body(14, community.id, id_number=""),
                platform.cipher)


def test_a_person_is_registered_as_a_volunteer_once(build, act, platform, unchanged):
    community = build.community()
    act(register_provider, ADMIN, "volunteer", volunteer_body(21, community.id), platform.cipher)
    with unchanged(), pytest.raises(Conflict):
        act(register_provider, ADMIN, "volunteer",
            volunteer_body(22, community.id, id_number=valid_id_number(21).lower()), platform.cipher)


def test_a_volunteer_edits_their_profile_but_not_their_community(build, act, platform, unchanged):
    community, other = build.community(), build.community()
    volunteer = build.volunteer(community)
    me = build.volunteer_actor(volunteer)
    changed = act(update_provider, me, "volunteer", volunteer.id, {"skills": ["陪诊", "理发"], "phone": "13911112222"},
                  platform.cipher)
    assert changed.skills == ["陪诊", "理发"] and platform.cipher.read(changed, "phone") == "13911112222"
    stranger = build.volunteer_actor(build.volunteer(community))
    with unchanged():
        with pytest.raises(Forbidden):
            act(update_provider, me, "volunteer", volunteer.id, {"community_id": other.id}, platform.cipher)
        with pytest.raises(Forbidden):
            act(update_provider, stranger, "volunteer", volunteer.id, {"skills": []}, platform.cipher)
        with pytest.raises(InvalidInput):  # consent is added, not edited
            act(update_provider, me, "volunteer", volunteer.id, {"consent": {}}, platform.cipher)
    moved = act(update_provider, ADMIN, "volunteer", volunteer.id, {"community_id": other.id}, platform.cipher)
    assert moved.community_id == other.id


def test_a_corrected_id_number_that_makes_a_child_needs_a_guardian(build, act, platform, unchanged):
    volunteer = build.volunteer(build.community())
    from linkage.validators import id_number_check_char
    body = "12011620200101001"
    child = body + id_number_check_char(body)
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(update_provider, ADMIN, "volunteer", volunteer.id, {"id_number": child}, platform.cipher)
    assert "id_number" in caught.value.errors


def test_an_erased_volunteer_s_profile_cannot_change(build, act, platform, unchanged):
    volunteer = build.volunteer(build.community())
    act(erase_volunteer, ADMIN, volunteer.id, "本人书面申请")
    with unchanged(), pytest.raises(Conflict):
        act(update_provider, ADMIN, "volunteer", volunteer.id, {"skills": ["陪诊"]}, platform.cipher)


def test_an_organization_s_legal_identity_is_the_district_s_to_change(build, act, platform, unchanged):
    org = build.organization()
    staff, outsider = build.org_staff(org), build.org_staff(build.organization())
    assert act(update_provider, staff, "organization", org.id, {"capacity": 9}, platform.cipher).capacity == 9
    with unchanged():
        with pytest.raises(Forbidden):
            act(update_provider, staff, "organization", org.id, {"registration": "pending"}, platform.cipher)
        with pytest.raises(Forbidden):
            act(update_provider, outsider, "organization", org.id, {"capacity": 1}, platform.cipher)
    # Sending the unchanged value is not a change.
    act(update_provider, staff, "organization", org.id, {"uscc": org.uscc, "capacity": 5}, platform.cipher)


def test_a_social_worker_or_their_employer_edits_the_profile_but_only_the_district_moves_them(build, act, platform,
                                                                                              unchanged):
    org, other = build.organization(), build.organization()
    worker = build.social_worker(org)
    me, employer = build.social_worker_actor(worker), build.org_staff(org)
    assert act(update_provider, me, "social_worker", worker.id, {"service_radius_km": 3}, platform.cipher) \
        .service_radius_km == 3
    act(update_provider, employer, "social_worker", worker.id, {"certificate_level": "senior"}, platform.cipher)
    with unchanged(), pytest.raises(Forbidden):
        act(update_provider, employer, "social_worker", worker.id, {"organization_id": other.id}, platform.cipher)


def test_a_resource_keeps_what_was_drawn_when_its_total_changes(build, act, platform, unchanged):
    resource = build.resource(amount_fen=10_000)
    assert resource.remaining_fen == 10_000
    with platform.uow() as uow:  # 6,000 drawn (funding does this)
        uow.session.get(CharityResource, resource.id).remaining_fen = 4_000
        uow.commit()
    grown = act(update_provider, ADMIN, "resource", resource.id, {"amount_fen": 12_000}, platform.cipher)
    assert grown.remaining_fen == 6_000
    with unchanged(), pytest.raises(Conflict):
        act(update_provider, ADMIN, "resource", resource.id, {"amount_fen": 5_000}, platform.cipher)


def test_deactivating_removes_the_provider_from_matching_once(build, act, platform, read):
    org = build.organization()
    staff = build.org_staff(org)
    assert act(deactivate_provider, staff, "organization", org.id).active is False
    act(deactivate_provider, staff, "organization", org.id)  # again: nothing more happens
    assert _provider_events(read, f"organization:{org.id}") == [Types.PROVIDER_UPSERTED, Types.PROVIDER_REMOVED]
    with read() as s:
        assert list_providers(s, ADMIN, "organization")[1] == 0
        assert list_providers(s, ADMIN, "organization", include_inactive=True)[1] == 1


def test_unknown_providers_are_not_found(act, platform, read):
    with pytest.raises(NotFound):
        act(update_provider, ADMIN, "resource", 777, {"name": "x"}, platform.cipher)
    with pytest.raises(NotFound):
        act(deactivate_provider, ADMIN, "social_worker", 777)
    with read() as s, pytest.raises(NotFound):
        get_provider(s, "organization", 777)


def test_who_sees_a_volunteer_and_how_much_of_them(build, platform, read):
    community = build.community()
    volunteer = build.volunteer(community, lat=39.123456, lon=117.654321)
    me = build.volunteer_actor(volunteer)
    staff = build.community_staff(community)
    outsider = build.org_staff(build.organization())
    phone = platform.cipher.read(volunteer, "phone")
    with read() as s:
        assert read_provider(s, staff, "volunteer", volunteer.id).id == volunteer.id
        with pytest.raises(NotFound):  # another's volunteer: its existence is not told
            read_provider(s, outsider, "volunteer", volunteer.id)
        assert list_providers(s, outsider, "volunteer") == ([], 0)
        rows, total = list_providers(s, staff, "volunteer", filters={"phone": phone}, cipher=platform.cipher)
        assert total == 1
        [mine] = shown(s, me, "volunteer", rows, platform.cipher)
        [theirs] = shown(s, staff, "volunteer", rows, platform.cipher)
    assert mine["phone"] == phone and (mine["lat"], mine["lon"]) == (39.123456, 117.654321)
    assert "*" in theirs["phone"] and theirs["lat"] != 39.123456
    assert "*" in mine["id_number_masked"] and "id_number_cipher" not in mine


def test_every_active_provider_can_be_republished(build, act, read):
    org = build.organization()
    build.social_worker(org)
    build.volunteer(build.community())
    build.resource()
    with read() as s:
        kinds = sorted(kind for kind, _ in provider_records(s))
    assert kinds == ["organization", "resource", "social_worker", "volunteer"]
    assert act(republish_providers) == 4


def test_an_id_number_registered_under_an_older_key_is_still_taken(build, act, platform, unchanged):
    from linkage.security import FieldCipher
    community = build.community()
    act(register_provider, ADMIN, "volunteer", volunteer_body(31, community.id), platform.cipher)
    rotated = FieldCipher(f"a-newer-field-key,{platform.settings.field_key}")
    with unchanged(), pytest.raises(Conflict) as caught:
        act(register_provider, ADMIN, "volunteer", volunteer_body(32, community.id, id_number=valid_id_number(31)),
            rotated)
    assert "id_number" in caught.value.errors
    fresh = act(register_provider, ADMIN, "volunteer", volunteer_body(33, community.id), rotated)
    # Correcting one's own ID number to the same value is not a clash with oneself.
    act(update_provider, ADMIN, "volunteer", fresh.id, {"id_number": valid_id_number(33)}, rotated)


def test_providers_are_filtered_by_their_fields(build, read):
    build.organization(district="滨海新区")
    other = build.organization(district="和平区")
    with read() as s:
        rows, total = list_providers(s, ADMIN, "organization", filters={"district": "和平区", "nothing": None})
    assert ([o.id for o in rows], total) == ([other.id], 1)


def test_organization_staff_see_a_volunteer_s_whole_phone_only_around_their_activity(build, act, platform, read):
    from datetime import timedelta

    from linkage.models import utcnow
    community = build.community()
    organization = build.organization()
    volunteer = build.volunteer(community)
    project = build.project(community=community, organization=organization, status="in_progress")
    activity = build.activity(project, starts_at=utcnow() + timedelta(hours=1))
    build.signup(activity, volunteer)
    staff = build.org_staff(organization)
    phone = platform.cipher.read(volunteer, "phone")
    with read() as s:
        row = s.get(Volunteer, volunteer.id)
        assert shown(s, staff, "volunteer", [row], platform.cipher)[0]["phone"] == phone
        later = utcnow() + timedelta(days=2)
        assert shown(s, staff, "volunteer", [row], platform.cipher, now=later)[0]["phone"] != phone
        org = s.get(type(organization), organization.id)
        assert shown(s, staff, "organization", [org], platform.cipher) == [org]
