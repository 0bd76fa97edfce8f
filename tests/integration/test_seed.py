"""Seeding the demo into a fresh SQLite database: the volume, the logins, the events, run twice."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from linkage.config import settings_from_env
from linkage.demo import DEMO_PASSWORD, seed_demo
from linkage.messages import Topics, Types
from linkage.models import (
    Base,
    CharityResource,
    Community,
    Need,
    Organization,
    OutboxEvent,
    SocialWorker,
    User,
    Volunteer,
)
from linkage.platform import build_platform
from linkage.services.accounts import BINDINGS, LoginPolicy, log_in
from linkage.validators import is_mainland_mobile, is_resident_id, is_uscc

PROVIDER_MODELS = {"organization": Organization, "social_worker": SocialWorker,
                   "volunteer": Volunteer, "resource": CharityResource}


def _platform(path):
    platform = build_platform(settings_from_env(
        environ={}, database_url=f"sqlite:///{path}", password_time_cost=1, password_memory_kib=8192))
    Base.metadata.create_all(platform.engine)
    return platform


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    platform = _platform(tmp_path_factory.mktemp("seed") / "x.db")
    result = seed_demo(platform)
    yield platform, result
    platform.dispose()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _provider_events(session) -> list[dict]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.topic == Topics.PROVIDERS))
    return [json.loads(row.envelope) for row in rows]


def test_seed_creates_the_demo_volume(seeded):
    platform, result = seeded
    expected = {"communities": 20, "organizations": 100, "social_workers": 40, "volunteers": 2000,
                "resources": 60, "needs": 50, "users": 6}
    assert {k: result[k] for k in expected} == expected
    with platform.read_session() as session:
        assert _count(session, Community) == 20
        assert _count(session, Organization) == 100
        assert _count(session, SocialWorker) == 40
        assert _count(session, Volunteer) == 2000
        assert _count(session, CharityResource) == 60
        assert _count(session, Need) == 50
        assert _count(session, User) == 6


def test_every_demo_login_can_log_in(seeded):
    platform, result = seeded
    assert {login["role"] for login in result["logins"]} == {
        "admin", "community_staff", "org_staff", "social_worker", "volunteer", "auditor"}
    with platform.uow() as uow:
        for login in result["logins"]:
            assert login["password"] == DEMO_PASSWORD
            token, user = log_in(uow, platform.passwords, platform.tokens, LoginPolicy.from_settings(platform.settings),
                                 login["username"], login["password"], "127.0.0.1", platform.clock())
            assert token and user.role == login["role"]
            if login["role"] in BINDINGS:  # bound roles point at a real object
                field, model = BINDINGS[login["role"]]
                assert uow.session.get(model, getattr(user, field)) is not None


def test_every_provider_is_announced_in_the_outbox(seeded):
    platform, _ = seeded
    with platform.read_session() as session:
        announced = {(e["data"]["kind"], e["data"]["provider"]["id"]) for e in _provider_events(session)
                     if e["type"] == Types.PROVIDER_UPSERTED}
        stored = {(kind, pid) for kind, model in PROVIDER_MODELS.items()
                  for pid in session.scalars(select(model.id))}
        assert stored and announced == stored
        need_events = session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.type == Types.NEED_POSTED))
        assert need_events == 50


def test_provider_events_carry_no_personal_data(seeded):
    platform, _ = seeded
    with platform.read_session() as session:
        volunteer = session.scalars(select(Volunteer).order_by(Volunteer.id)).first()
        id_number, phone = platform.cipher.read(volunteer, "id_number"), platform.cipher.read(volunteer, "phone")
        assert id_number and phone
        envelopes = [row.envelope for row in session.scalars(
            select(OutboxEvent).where(OutboxEvent.topic == Topics.PROVIDERS))]
        assert not any(phone in text or id_number in text for text in envelopes)


def test_every_demo_volunteer_consented_to_the_current_notice(seeded):
    from linkage.models import Consent
    from linkage.notice import current_version

    platform, _ = seeded
    with platform.read_session() as session:
        consented = dict(session.execute(select(Consent.volunteer_id, Consent.notice_version)).all())
        volunteers = set(session.scalars(select(Volunteer.id)))
    assert set(consented) == volunteers and set(consented.values()) == {current_version()}


def test_seeded_people_and_organizations_pass_the_validators(seeded):
    platform, _ = seeded
    with platform.read_session() as session:
        volunteers = session.scalars(select(Volunteer)).all()
        assert all(is_mainland_mobile(platform.cipher.read(v, "phone")) for v in volunteers[:200])
        assert all(is_resident_id(platform.cipher.read(v, "id_number")) for v in volunteers[:200])
        assert all(v.code == f"V{v.id:08d}" for v in volunteers)
        assert all(is_uscc(o.uscc) for o in session.scalars(select(Organization)))


def test_running_the_seeder_twice_does_not_duplicate(seeded):
    platform, _ = seeded
    with platform.read_session() as session:
        before = (_count(session, Community), _count(session, Volunteer), _count(session, OutboxEvent),
                  _count(session, User))
    assert seed_demo(platform) == {"skipped": True}
    with platform.read_session() as session:
        after = (_count(session, Community), _count(session, Volunteer), _count(session, OutboxEvent),
                 _count(session, User))
    assert after == before


def test_a_small_scale_seed_still_has_every_login(tmp_path):
    platform = _platform(tmp_path / "small.db")
    try:
        result = seed_demo(platform, scale=0.02)
        assert result["communities"] == 20 and result["volunteers"] == 40 and result["needs"] == 1
        assert result["organizations"] == 2 and result["social_workers"] == 1
        with platform.uow() as uow:
            for login in result["logins"]:
                log_in(uow, platform.passwords, platform.tokens, LoginPolicy.from_settings(platform.settings),
                       login["username"], login["password"], "127.0.0.1", platform.clock())
    finally:
        platform.dispose()


def test_production_refuses_demo_passwords(tmp_path):
    platform = build_platform(settings_from_env(
        environ={"LINKAGE_ENV": "production", "SECRET_KEY": "s" * 32, "LINKAGE_FIELD_KEY": "f" * 32},
        database_url=f"sqlite:///{tmp_path / 'prod.db'}", password_time_cost=1, password_memory_kib=8192))
    Base.metadata.create_all(platform.engine)
    try:
        assert seed_demo(platform)["skipped"] is True
        with platform.read_session() as session:
            assert _count(session, User) == 0 and _count(session, Community) == 0
    finally:
        platform.dispose()


def test_a_seed_that_fails_half_way_leaves_nothing_behind(tmp_path, monkeypatch):
    import linkage.demo.seed as seed_module

    def broken_post_need(*args, **kwargs):
        raise RuntimeError("disk full")

    platform = _platform(tmp_path / "broken.db")
    try:
        monkeypatch.setattr(seed_module, "post_need", broken_post_need)
        with pytest.raises(RuntimeError):
            seed_demo(platform, scale=0.02)
        with platform.read_session() as session:
            assert _count(session, Community) == 0 and _count(session, OutboxEvent) == 0
        monkeypatch.undo()
        assert seed_demo(platform, scale=0.02)["communities"] == 20  # so the next start seeds it
    finally:
        platform.dispose()
