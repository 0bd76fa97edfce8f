"""Safety at sign-up: an activity's accident-insurance requirement and a minor's guardian consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import Signup
from linkage.services import safety
from linkage.services.activities import sign_up
from linkage.services.eligibility import problems
from linkage.validators import id_number_check_char
from tests.factories import ADMIN


def _id_number(born: date, serial: int = 7) -> str:
    body = f"120116{born:%Y%m%d}{serial:03d}"
    return body + id_number_check_char(body)


def _signups(read) -> int:
    with read() as s:
        return s.scalar(select(func.count()).select_from(Signup))


@pytest.fixture
def scene(build):
    project = build.project(status="in_progress")
    insured = build.activity(project, requires_insurance=True, title="河道巡护")
    plain = build.activity(project, starts_at=insured.ends_at + timedelta(hours=1), title="社区义诊")
    adult = build.volunteer(build.community())
    # Sixteen on the activity's day: registered without a guardian (that is for under-14s), but a minor.
    today = insured.starts_at.astimezone(LOCAL_TZ).date()
    minor = build.volunteer(build.community(), id_number=_id_number(today.replace(year=today.year - 16)))
    return {
        "insured": insured,
        "plain": plain,
        "adult": adult,
        "minor": minor,
        "day": today,
        "me": build.volunteer_actor(adult),
        "minor_me": build.volunteer_actor(minor),
    }


def _policy(starts_on: date, ends_on: date) -> dict:
    return {"insurer": "中国人寿", "policy_number": "PICC-2026-0001", "starts_on": starts_on, "ends_on": ends_on}


def test_an_activity_that_requires_insurance_refuses_a_volunteer_without_one(scene, act, read):
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["me"], scene["insured"].id)
    assert caught.value.code == "eligibility.no_insurance" and "volunteer_id" in caught.value.errors
    assert _signups(read) == 0
    act(sign_up, scene["me"], scene["plain"].id)  # an activity without the requirement takes them
    assert _signups(read) == 1


def test_an_expired_or_not_yet_valid_policy_is_refused_and_a_covering_one_accepted(scene, act, read):
    day = scene["day"]
    act(
        safety.set_insurance,
        scene["me"],
        scene["adult"].id,
        _policy(day - timedelta(days=365), day - timedelta(days=1)),
    )
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["me"], scene["insured"].id)
    assert caught.value.code == "eligibility.insurance_expired"
    act(
        safety.set_insurance, scene["me"], scene["adult"].id, _policy(day + timedelta(days=1), day + timedelta(days=30))
    )
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["me"], scene["insured"].id)
    assert caught.value.code == "eligibility.insurance_not_started"
    assert _signups(read) == 0
    act(safety.set_insurance, scene["me"], scene["adult"].id, _policy(day, day + timedelta(days=365)))
    act(sign_up, scene["me"], scene["insured"].id)
    assert _signups(read) == 1


def test_a_minor_needs_a_guardian_s_consent_for_any_activity(scene, act, read, platform):
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["minor_me"], scene["plain"].id)
    assert caught.value.code == "eligibility.guardian_consent_missing"
    with pytest.raises(Conflict):  # the organization adding them as a walk-in is held to the same rule
        act(sign_up, ADMIN, scene["plain"].id, scene["minor"].id)
    assert _signups(read) == 0
    act(
        safety.set_guardian_consent,
        scene["minor_me"],
        platform.cipher,
        scene["minor"].id,
        {"guardian_name": "李强", "relation": "父亲", "phone": "13900001111", "given_on": scene["day"]},
    )
    act(sign_up, scene["minor_me"], scene["plain"].id)
    with read() as s:
        row = safety.guardian_consent_of(s, scene["minor_me"], scene["minor"].id)
        assert row is not None and row.phone_cipher and "13900001111" not in row.phone_cipher  # encrypted
        assert safety.guardian_record(row, platform.cipher)["phone"] == "13900001111"


def test_both_reasons_are_named_for_an_uninsured_minor(scene, read):
    with read() as s:
        from linkage.models import Volunteer

        minor = s.get(Volunteer, scene["minor"].id)
        assert problems(s, minor, scene["insured"]) == [
            "eligibility.no_insurance",
            "eligibility.guardian_consent_missing",
        ]
        adult = s.get(Volunteer, scene["adult"].id)
        assert problems(s, adult, scene["plain"]) == []


def test_only_the_volunteer_edits_their_safety_records(scene, act, build, platform, unchanged):
    day = scene["day"]
    with unchanged():
        with pytest.raises(Forbidden):
            act(safety.set_insurance, ADMIN, scene["adult"].id, _policy(day, day))
        with pytest.raises(NotFound):
            act(safety.set_insurance, scene["minor_me"], scene["adult"].id, _policy(day, day))
        with pytest.raises(InvalidInput):
            act(safety.set_insurance, scene["me"], scene["adult"].id, _policy(day, day - timedelta(days=1)))
        with pytest.raises(InvalidInput):
            act(
                safety.set_guardian_consent,
                scene["minor_me"],
                platform.cipher,
                scene["minor"].id,
                {"guardian_name": "李强", "relation": "父亲", "phone": "12345", "given_on": day},
            )


def test_a_shift_that_requires_a_qualification_refuses_who_lacks_a_valid_one(scene, build, act, read, platform):
    """sign_up asks the one eligibility rule, which asks the qualification rule: 急救证 or no place."""
    from linkage.services import qualifications

    shift = build.activity(
        scene["plain"].project,
        starts_at=scene["plain"].ends_at + timedelta(hours=2),
        title="急救站",
        qualification_required="first_aid",
    )
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["me"], shift.id)
    assert caught.value.code == "signup.qualification_missing" and "activity_id" in caught.value.errors
    assert _signups(read) == 0
    act(
        qualifications.add_qualification,
        scene["me"],
        platform.cipher,
        scene["adult"].id,
        {
            "kind": "first_aid",
            "number": "JJ2024-000123",
            "issued_on": scene["day"] - timedelta(days=400),
            "expires_on": scene["day"] + timedelta(days=300),
        },
    )
    act(sign_up, scene["me"], shift.id)
    assert _signups(read) == 1


def test_the_safety_records_are_in_the_person_s_export_and_go_at_erasure(scene, act, read, platform):
    from linkage.models import GuardianConsent, Insurance
    from linkage.services.rights import erase_volunteer

    act(safety.set_insurance, scene["me"], scene["adult"].id, _policy(scene["day"], scene["day"]))
    act(
        safety.set_guardian_consent,
        scene["minor_me"],
        platform.cipher,
        scene["minor"].id,
        {"guardian_name": "李强", "relation": "父亲", "phone": "13900001111", "given_on": scene["day"]},
    )
    with read() as s:
        held = safety.safety_export(s, platform.cipher, scene["minor"].id)
    assert held["guardian_consent"]["phone"] == "13900001111" and held["insurance"] is None
    act(erase_volunteer, ADMIN, scene["minor"].id, "本人书面申请")
    act(erase_volunteer, ADMIN, scene["adult"].id, "本人书面申请")
    with read() as s:
        assert s.scalar(select(func.count()).select_from(Insurance)) == 0
        assert s.scalar(select(func.count()).select_from(GuardianConsent)) == 0
