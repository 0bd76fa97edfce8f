"""Reveals at the service: a whole phone or ID number on purpose, with a reason, shown to the person afterwards."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Forbidden, InvalidInput, NotFound
from linkage.models import AuditEntry
from linkage.services.disclosures import disclosures_of, reveal

REASON = "回访核实服务情况"


@pytest.fixture
def scene(build):
    community = build.community()
    volunteer = build.volunteer(community)
    return {"volunteer": volunteer, "me": build.volunteer_actor(volunteer), "admin": build.admin(),
            "auditor": build.auditor(), "community_staff": build.community_staff(community)}


def test_an_auditor_reveals_a_phone_with_a_reason_and_the_person_sees_it(scene, act, platform, read):
    shown = act(reveal, scene["auditor"], platform.cipher, scene["volunteer"].id, "phone", REASON)
    assert shown["value"] == platform.cipher.read(scene["volunteer"], "phone")
    with read() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.change == "reveal")).all()
        assert (entry.user_id, entry.object_id, entry.fields, entry.reason) == \
            (scene["auditor"].user_id, str(scene["volunteer"].id), ["phone"], REASON)
        [seen] = disclosures_of(s, scene["me"])
    assert (seen["by"], seen["field"], seen["reason"]) == (scene["auditor"].username, "phone", REASON)


def test_the_district_reveals_an_id_number(scene, act, platform):
    shown = act(reveal, scene["admin"], platform.cipher, scene["volunteer"].id, "id_number", REASON)
    assert shown["value"] == platform.cipher.read(scene["volunteer"], "id_number")


def test_community_staff_and_the_person_do_not_reveal(scene, act, platform, unchanged):
    with unchanged():
        for actor in (scene["community_staff"], scene["me"]):
            with pytest.raises(Forbidden):
                act(reveal, actor, platform.cipher, scene["volunteer"].id, "phone", REASON)


@pytest.mark.parametrize("field, reason", [("name", REASON), ("phone", "看看"), ("phone", "长" * 301)])
def test_a_reveal_names_a_revealable_field_and_says_why(scene, act, platform, unchanged, field, reason):
    with unchanged(), pytest.raises(InvalidInput):
        act(reveal, scene["auditor"], platform.cipher, scene["volunteer"].id, field, reason)


def test_an_unknown_volunteer_is_not_found(scene, act, platform):
    with pytest.raises(NotFound):
        act(reveal, scene["auditor"], platform.cipher, 7070, "phone", REASON)


def test_only_the_volunteer_reads_their_disclosures(scene, read):
    with read() as s:
        assert disclosures_of(s, scene["me"]) == []
        for actor in (scene["admin"], scene["auditor"], scene["community_staff"]):
            with pytest.raises(Forbidden):
                disclosures_of(s, actor)
