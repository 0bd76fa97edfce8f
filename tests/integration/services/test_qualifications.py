"""Volunteers' qualifications: kept by the holder, masked, expiring, required by shifts and by needs (hard in the matcher)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, InvalidInput, NotFound
from linkage.models import OutboxEvent, Qualification, Volunteer
from linkage.services import qualifications as quals
from linkage.services.needs import need_record
from linkage.services.providers import provider_records, update_provider
from matching import ProviderIndex, load_weights
from tests.factories import ADMIN

TODAY = quals.china_day()


@pytest.fixture
def me(build):
    volunteer = build.volunteer()
    return SimpleNamespace(volunteer=volunteer, actor=build.volunteer_actor(volunteer))


def _add(act, platform, who, volunteer_id, **over):
    body = {
        "kind": "first_aid",
        "number": "JJ2024-000123",
        "issued_on": TODAY - timedelta(days=400),
        "expires_on": TODAY + timedelta(days=300),
        **over,
    }
    return act(quals.add_qualification, who, platform.cipher, volunteer_id, body)


def _last_volunteer_record(read, volunteer_id):
    with read() as s:
        rows = s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.topic == Topics.PROVIDERS, OutboxEvent.key == f"volunteer:{volunteer_id}")
            .order_by(OutboxEvent.id)
        ).all()
    envelope = json.loads(rows[-1].envelope)
    assert envelope["type"] == Types.PROVIDER_UPSERTED
    return envelope["data"]["provider"]


def test_the_holder_adds_edits_and_removes_a_qualification_and_the_matcher_is_told(me, act, read, platform):
    row = _add(act, platform, me.actor, me.volunteer.id)
    with read() as s:
        [shown] = [
            quals.qualification_view(q, platform.cipher) for q in quals.qualifications_of(s, me.actor, me.volunteer.id)
        ]
        stored = s.get(Qualification, row.id)
    assert shown["kind_name"] == "急救证" and shown["valid"] is True
    assert shown["number_masked"] == "JJ20*****0123" and "JJ2024-000123" not in stored.number_cipher
    assert _last_volunteer_record(read, me.volunteer.id)["qualifications"] == [
        {
            "kind": "first_aid",
            "level": "",
            "issued_on": (TODAY - timedelta(days=400)).isoformat(),
            "expires_on": (TODAY + timedelta(days=300)).isoformat(),
        }
    ]

    act(quals.update_qualification, me.actor, platform.cipher, row.id, {"expires_on": None, "number": "NEW-1234567"})
    with read() as s:
        stored = s.get(Qualification, row.id)
        assert stored.expires_on is None and platform.cipher.read(stored, "number") == "NEW-1234567"
    assert _last_volunteer_record(read, me.volunteer.id)["qualifications"][0]["expires_on"] is None

    act(quals.remove_qualification, me.actor, row.id)
    with read() as s:
        assert s.get(Qualification, row.id) is None
    assert _last_volunteer_record(read, me.volunteer.id)["qualifications"] == []


def test_social_work_needs_a_level_and_other_kinds_take_none(me, act, platform, unchanged):
    with unchanged():
        with pytest.raises(InvalidInput) as err:
            _add(act, platform, me.actor, me.volunteer.id, kind="social_work")
        assert "level" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            _add(act, platform, me.actor, me.volunteer.id, level="senior")
        assert "level" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            _add(act, platform, me.actor, me.volunteer.id, expires_on=TODAY - timedelta(days=500))
        assert "expires_on" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            # tomorrow in China now, not at import: a run that crosses midnight (UTC+8) moved TODAY's meaning
            _add(act, platform, me.actor, me.volunteer.id, issued_on=quals.china_day() + timedelta(days=1))
        assert "issued_on" in err.value.errors
    row = _add(act, platform, me.actor, me.volunteer.id, kind="social_work", level="intermediate")
    assert row.level == "intermediate"


def test_another_volunteers_qualifications_are_a_404(me, build, act, read, platform, unchanged):
    row = _add(act, platform, me.actor, me.volunteer.id)
    other = build.volunteer_actor(build.volunteer())
    with unchanged():
        with read() as s, pytest.raises(NotFound):
            quals.qualifications_of(s, other, me.volunteer.id)
        with pytest.raises(NotFound):
            _add(act, platform, other, me.volunteer.id)
        with pytest.raises(NotFound):
            act(quals.update_qualification, other, platform.cipher, row.id, {"number": "X"})
        with pytest.raises(NotFound):
            act(quals.remove_qualification, other, row.id)
    with read() as s:  # an admin may
        assert len(quals.qualifications_of(s, ADMIN, me.volunteer.id)) == 1


def test_an_expired_qualification_stops_counting(me, act, read, platform):
    _add(act, platform, me.actor, me.volunteer.id, issued_on=date(2020, 1, 1), expires_on=date(2025, 6, 30))
    with read() as s:
        assert quals.holds_qualification(s, me.volunteer.id, "first_aid", date(2025, 6, 30))  # its last day
        assert not quals.holds_qualification(s, me.volunteer.id, "first_aid", date(2025, 7, 1))
        assert not quals.holds_qualification(s, me.volunteer.id, "first_aid", date(2019, 12, 31))  # before issue
        assert not quals.holds_qualification(s, me.volunteer.id, "driving_licence", date(2025, 1, 1))
        [view] = [
            quals.qualification_view(q, platform.cipher) for q in quals.qualifications_of(s, me.actor, me.volunteer.id)
        ]
        assert view["valid"] is False
    assert _last_volunteer_record(read, me.volunteer.id)["qualifications"] == []  # the matcher never sees it


def test_a_shift_requiring_a_qualification_refuses_who_lacks_it(me, act, read, platform):
    day = TODAY + timedelta(days=10)
    from datetime import datetime

    from linkage.clock import LOCAL_TZ

    shift = SimpleNamespace(
        qualification_required="driving_licence", starts_at=datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)
    )
    with read() as s:
        volunteer = s.get(Volunteer, me.volunteer.id)
        quals.require_qualification(s, volunteer, SimpleNamespace(starts_at=shift.starts_at))  # none required
        with pytest.raises(Conflict) as err:
            quals.require_qualification(s, volunteer, shift)
        assert err.value.code == "signup.qualification_missing" and "activity_id" in err.value.errors
    _add(act, platform, me.actor, me.volunteer.id, kind="driving_licence", expires_on=day - timedelta(days=1))
    with read() as s, pytest.raises(Conflict):  # expires the day before the shift
        quals.require_qualification(s, s.get(Volunteer, me.volunteer.id), shift)
    _add(act, platform, me.actor, me.volunteer.id, kind="driving_licence", expires_on=day)
    with read() as s:
        quals.require_qualification(s, s.get(Volunteer, me.volunteer.id), shift)


def test_expiring_qualifications_lists_those_due_within_the_window(build, act, read, platform):
    people = [build.volunteer() for _ in range(4)]
    ends = [
        TODAY + timedelta(days=5),
        TODAY + timedelta(days=30),
        TODAY + timedelta(days=31),
        TODAY - timedelta(days=1),
    ]
    rows = [_add(act, platform, ADMIN, v.id, expires_on=end) for v, end in zip(people, ends)]
    _add(act, platform, ADMIN, people[0].id, kind="driving_licence", expires_on=None)
    with read() as s:
        due = quals.expiring_qualifications(s, within_days=30, today=TODAY)
    assert [(vid, q.id) for vid, q in due] == [(people[0].id, rows[0].id), (people[1].id, rows[1].id)]


def test_a_need_requiring_a_qualification_ranks_only_valid_holders(build, act, read, platform):
    community = build.community()
    holder, lacking, expired = (build.volunteer(community, lat=39.02, lon=117.70) for _ in range(3))
    _add(act, platform, ADMIN, holder.id)
    _add(act, platform, ADMIN, expired.id, issued_on=date(2020, 1, 1), expires_on=date(2021, 1, 1))
    organization = build.organization()
    build.social_worker(organization)
    need = build.need(community, qualification_required="first_aid")
    index = ProviderIndex(load_weights())
    with read() as s:
        for kind, record in provider_records(s):
            index.upsert(kind, record)
        from linkage.models import Need

        record = need_record(s.get(Need, need.id))
    assert record["qualification_required"] == "first_aid"
    ranked = index.rank(record)
    assert [e["provider_id"] for e in ranked["volunteer"]] == [holder.id]
    assert "持有效急救证" in ranked["volunteer"][0]["reasons"]
    assert ranked["social_worker"] == []  # a social worker holds 社工证 only
    assert [e["provider_id"] for e in ranked["organization"]] == [organization.id]  # organizations are not cut
    assert len(index.rank({**record, "qualification_required": ""})["volunteer"]) == 3
    assert lacking.id not in [e["provider_id"] for e in ranked["volunteer"]]


def test_leave_and_availability_reach_the_matcher_and_erasure_clears_them(me, act, read, platform):
    leave = [{"from": "2026-12-05", "to": "2026-12-06"}]
    act(
        update_provider,
        me.actor,
        "volunteer",
        me.volunteer.id,
        {"leave": leave, "availability": ["sat_am"]},
        platform.cipher,
    )
    record = _last_volunteer_record(read, me.volunteer.id)
    assert record["leave"] == leave and record["availability"] == ["sat_am"]
    _add(act, platform, me.actor, me.volunteer.id)
    from linkage.services.rights import erase_volunteer

    act(erase_volunteer, ADMIN, me.volunteer.id, reason="本人申请")
    with read() as s:
        assert s.get(Volunteer, me.volunteer.id).leave == []
        assert s.scalars(select(Qualification).where(Qualification.volunteer_id == me.volunteer.id)).all() == []
