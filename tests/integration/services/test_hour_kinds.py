"""Credit hours (信用时长, from check-in/out) and honour hours (荣誉时长, 补录 by staff or self-reported)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from linkage.errors import InvalidInput
from linkage.services.activities import check_in, check_out
from linkage.services.hours import log_hours, review_hours, volunteer_hours
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    scene = build.parties(project="in_progress")
    activity = build.past_activity(scene["project"], ended_hours_ago=2, hours_long=2)
    volunteer = build.volunteer(scene["community"])
    signup = build.signup(activity, volunteer)
    return {
        **scene,
        "activity": activity,
        "volunteer": volunteer,
        "signup": signup,
        "me": build.volunteer_actor(volunteer),
    }


def _entry(scene, minutes, **over):
    start = scene["activity"].starts_at
    return {
        "activity_id": scene["activity"].id,
        "volunteer_id": scene["volunteer"].id,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=minutes),
        "content": "陪同复诊",
        **over,
    }


def test_staff_entering_hours_afterwards_must_say_why(scene, act, unchanged):
    with unchanged():
        for reason in ("", "   "):
            with pytest.raises(InvalidInput) as caught:
                act(log_hours, scene["org_staff"], _entry(scene, 60, reason=reason))
            assert caught.value.errors == {"reason": ["field.required_entering"]}
    entry = act(log_hours, scene["org_staff"], _entry(scene, 60, reason=" 志愿者手机没电，未能扫码 "))
    assert (entry.source, entry.reason) == ("org_entry", "志愿者手机没电，未能扫码")
    later = scene["activity"].starts_at + timedelta(hours=1)
    mine = act(log_hours, scene["me"], _entry(scene, 30, starts_at=later, ends_at=later + timedelta(minutes=30)))
    assert (mine.source, mine.reason) == ("self", "")  # self-reported: no reason asked


def test_staff_entries_last_at_most_the_activity(scene, act, unchanged):
    early = scene["activity"].starts_at - timedelta(minutes=30)  # within the hour's slack, but 150 min
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(
            log_hours,
            scene["org_staff"],
            _entry(scene, 150, starts_at=early, ends_at=early + timedelta(minutes=150), reason="补录"),
        )
    assert list(caught.value.errors) == ["ends_at"]
    assert caught.value.code == "hours.longer_than_activity"
    assert act(log_hours, scene["org_staff"], _entry(scene, 120, reason="补录")).minutes == 120


def test_the_totals_keep_credit_and_honour_apart_and_stars_count_both_verified(scene, build, act, read):
    act(check_in, scene["org_staff"], scene["signup"].id, scene["activity"].starts_at)
    _s, credit = act(
        check_out, scene["org_staff"], scene["signup"].id, scene["activity"].starts_at + timedelta(minutes=90)
    )
    later = build.past_activity(scene["project"], ended_hours_ago=6, hours_long=2)
    build.signup(later, scene["volunteer"])
    honour = act(
        log_hours,
        scene["org_staff"],
        {
            **_entry(scene, 100, reason="纸质签到表补录"),
            "activity_id": later.id,
            "starts_at": later.starts_at,
            "ends_at": later.starts_at + timedelta(minutes=100),
        },
    )
    with read() as s:
        pending = volunteer_hours(s, scene["volunteer"].id, [2, 4])
    assert (pending["credit"], pending["honour"]) == (
        {"minutes": 90, "verified_minutes": 0},
        {"minutes": 100, "verified_minutes": 0},
    )
    assert pending["star_level"] == 0
    for entry in (credit, honour):
        act(review_hours, ADMIN, entry.id, "verify")
    with read() as s:
        verified = volunteer_hours(s, scene["volunteer"].id, [2, 4])
    assert (verified["credit"]["verified_minutes"], verified["honour"]["verified_minutes"]) == (90, 100)
    assert verified["verified_minutes"] == 190
    assert verified["star_level"] == 1  # 190 min: 2 h only with both kinds counted (90, 100 alone)


def test_a_certificate_states_both_kinds(scene, build, act, platform):
    from linkage.reports.certificate_pdf import render_certificate
    from linkage.services.certificates import issue_certificate

    act(check_in, scene["org_staff"], scene["signup"].id, scene["activity"].starts_at)
    _s, credit = act(check_out, scene["org_staff"], scene["signup"].id, scene["activity"].ends_at)
    later = build.past_activity(scene["project"], ended_hours_ago=6, hours_long=2)
    build.signup(later, scene["volunteer"])
    honour = act(
        log_hours,
        scene["org_staff"],
        {
            **_entry(scene, 45, reason="补录"),
            "activity_id": later.id,
            "starts_at": later.starts_at,
            "ends_at": later.starts_at + timedelta(minutes=45),
        },
    )
    for entry in (credit, honour):
        act(review_hours, ADMIN, entry.id, "verify")
    certificate = act(issue_certificate, ADMIN, platform.cipher, scene["volunteer"].id, {}, "https://example.org")
    service = certificate.snapshot["service"]
    assert (service["minutes"], service["credit_minutes"], service["honour_minutes"]) == (165, 120, 45)
    assert render_certificate(certificate.snapshot).startswith(b"%PDF")
