"""Consent to the privacy notice at the service: required to register, paper confirmed by staff, the under-14 guardian."""
from __future__ import annotations

from datetime import date

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.notice import current_version
from linkage.services.consents import age_on, needs_guardian, read_consents, record_consent
from linkage.services.providers import register_provider
from linkage.services.rights import erase_volunteer
from linkage.validators import id_number_check_char
from tests.factories import ADMIN, volunteer_body


def _id_number(born: str, serial: int = 1) -> str:
    body = f"120116{born}{serial:03d}"
    return body + id_number_check_char(body)


CHILD = _id_number("20200101")  # six years old in 2026
GUARDIAN = {"name": "李强", "relation": "parent", "phone": "13900001111"}


def _consent(method="paper", **over):
    return {"notice_version": current_version(), "method": method, **over}


def test_age_and_the_guardian_rule_come_from_the_id_number():
    assert age_on(_id_number("19850101"), date(2026, 1, 1)) == 41
    assert age_on(_id_number("20120615"), date(2026, 6, 14)) == 13
    assert age_on("not-a-number") is None
    assert needs_guardian(_id_number("20120615"), date(2026, 6, 14))
    assert not needs_guardian(_id_number("20120615"), date(2026, 6, 15))


@pytest.mark.parametrize("consent, field", [
    (None, "consent"),
    (_consent(notice_version="1999-01"), "consent.notice_version"),
    (_consent(method="telepathy"), "consent.method"),
])
def test_a_volunteer_is_not_registered_without_consent_to_the_current_notice(build, act, platform, unchanged,
                                                                           consent, field):
    community = build.community()
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(register_provider, ADMIN, "volunteer", volunteer_body(5, community.id, consent=consent), platform.cipher)
    assert field in caught.value.errors


def test_a_child_is_registered_only_with_a_guardian_s_consent(build, act, platform, read, unchanged):
    community = build.community()
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(register_provider, ADMIN, "volunteer", volunteer_body(6, community.id, id_number=CHILD), platform.cipher)
    assert "consent.guardian" in caught.value.errors
    child = act(register_provider, ADMIN, "volunteer",
                volunteer_body(6, community.id, id_number=CHILD, consent=_consent(guardian=GUARDIAN)), platform.cipher)
    with read() as s:
        [record] = read_consents(s, ADMIN, child.id, platform.cipher)
    assert record["guardian"] == GUARDIAN and record["method"] == "paper"


def test_the_volunteer_consents_again_on_screen_and_staff_confirm_paper(build, act, platform, read, unchanged):
    community = build.community()
    volunteer = build.volunteer(community)
    me = build.volunteer_actor(volunteer)
    staff = build.community_staff(community)
    act(record_consent, me, volunteer.id, _consent("self"), platform.cipher)
    with unchanged(), pytest.raises(InvalidInput):  # a paper form is confirmed by staff, not by the person
        act(record_consent, me, volunteer.id, _consent("paper"), platform.cipher)
    act(record_consent, staff, volunteer.id, _consent("paper"), platform.cipher)
    with read() as s:
        records = read_consents(s, me, volunteer.id, platform.cipher)
    assert [r["method"] for r in records] == ["paper", "self", "paper"]
    assert [r["recorded_by"] for r in records][1:] == [me.user_id, staff.user_id]
    assert all("guardian" not in r for r in records)


def test_others_cannot_consent_for_a_volunteer_or_read_their_consents(build, act, platform, read, unchanged):
    community = build.community()
    volunteer = build.volunteer(community)
    organization = build.organization()
    stranger = build.volunteer_actor(build.volunteer(community))
    org_staff = build.org_staff(organization)
    with unchanged():
        with pytest.raises(NotFound):  # the volunteer is not theirs to see
            act(record_consent, stranger, volunteer.id, _consent("self"), platform.cipher)
        with pytest.raises(NotFound):
            act(record_consent, org_staff, volunteer.id, _consent("paper"), platform.cipher)
    with read() as s, pytest.raises(NotFound):
        read_consents(s, stranger, volunteer.id, platform.cipher)


def test_an_auditor_sees_consents_but_does_not_record_them(build, act, platform, read, unchanged):
    volunteer = build.volunteer(build.community())
    auditor = build.auditor()
    with unchanged(), pytest.raises(Forbidden):
        act(record_consent, auditor, volunteer.id, _consent("paper"), platform.cipher)
    with read() as s:
        assert len(read_consents(s, auditor, volunteer.id, platform.cipher)) == 1


def test_an_erased_volunteer_gives_no_further_consent(build, act, platform, unchanged):
    volunteer = build.volunteer(build.community())
    act(erase_volunteer, ADMIN, volunteer.id, "本人书面申请")
    with unchanged(), pytest.raises(Conflict):
        act(record_consent, ADMIN, volunteer.id, _consent("paper"), platform.cipher)
