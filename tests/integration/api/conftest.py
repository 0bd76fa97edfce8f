"""API fixtures: the Flask app on a real database, users of every role, and helpers to post."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app import create_app
from linkage.notice import current_version
from linkage.permissions import Actor
from linkage.services.accounts import create_user
from linkage.services.communities import register_community
from linkage.services.providers import register_provider
from linkage.validators import id_number_check_char, uscc_check_char

ADMIN = Actor(user_id=None, role="admin", username="fixture")
PASSWORD = "correct-horse-9"


def valid_uscc(serial: int) -> str:
    body = f"52120116{serial:08d}"[:17].ljust(17, "0")
    return body + uscc_check_char(body)


def valid_id_number(serial: int) -> str:
    body = f"12011619850101{serial % 1000:03d}"
    return body + id_number_check_char(body)


class _CachedHash:
    """Reuses one real argon2id hash of the fixture password: nine hashes per test add up."""

    def __init__(self, passwords, stored):
        self._passwords, self._stored = passwords, stored

    def hash(self, password):
        return self._stored if password == PASSWORD else self._passwords.hash(password)


@dataclass
class World:
    """Two of everything, so every test can act on its own object and on someone else's."""

    client: Any
    platform: Any
    ids: dict
    tokens: dict

    def headers(self, who: str | None) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    writes: list = field(default_factory=list)

    def call(self, method: str, path: str, who: str | None = None, **kwargs):
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        if method in ("POST", "PATCH", "DELETE") and response.status_code < 300 \
                and not path.startswith("/api/v1/auth/"):
            self.writes.append((method, path, response.headers.get("X-Request-Id")))
        return response

    def assert_every_write_was_audited(self) -> None:
        from sqlalchemy import select

        from linkage.models import AuditEntry
        with self.platform.engine.connect() as conn:
            audited = set(conn.execute(select(AuditEntry.request_id)).scalars())
        missing = [w for w in self.writes if w[2] not in audited]
        assert not missing, f"writes without an audit entry: {missing}"


def community_body(code="120116001", **over) -> dict:
    body = {"code": code, "name": "新华里社区", "street": "新港街道", "district": "滨海新区",
            "lat": 39.02, "lon": 117.70, "households": 1200, "population": 3500}
    body.update(over)
    return body


def need_body(community_id: int, **over) -> dict:
    body = {"community_id": community_id, "title": "陪同独居老人到医院复诊",
            "description": "王奶奶86岁，独居，需要志愿者周六上午陪同到区医院复诊。",
            "category": "养老", "skills": ["陪诊", "助老"], "target_groups": ["elderly"],
            "starts_at": "2026-12-05T09:00:00+08:00", "ends_at": "2026-12-05T12:00:00+08:00",
            "volunteers_needed": 2, "hours_estimate": 3, "budget_fen": 0, "urgency": "normal"}
    body.update(over)
    return body


def org_body(serial=1, **over) -> dict:
    body = {"name": f"滨海新区乐龄养老服务中心{serial}", "uscc": valid_uscc(serial),
            "registration": "registered", "categories": ["养老"], "skills": ["陪诊", "助老"],
            "lat": 39.03, "lon": 117.71, "service_radius_km": 8, "capacity": 4}
    body.update(over)
    return body


def volunteer_body(serial=1, community_id=None, **over) -> dict:
    body = {"name": "李明", "phone": f"1380000{serial:04d}", "id_number": valid_id_number(serial),
            "skills": ["陪诊"], "lat": 39.02, "lon": 117.69, "travel_radius_km": 5,
            "availability": ["sat_am", "sun_pm"], "community_id": community_id,
            "consent": {"notice_version": current_version(), "method": "paper"}}
    body.update(over)
    return body


def social_worker_body(organization_id, **over) -> dict:
    body = {"name": "张华", "certificate_level": "intermediate", "specialties": ["养老", "elderly"],
            "organization_id": organization_id, "lat": 39.02, "lon": 117.70}
    body.update(over)
    return body


def resource_body(**over) -> dict:
    body = {"name": "助老爱心基金", "donor": "滨海爱心企业", "kind": "fund", "amount_fen": 5_000_000,
            "tags": ["助老"], "lat": 39.02, "lon": 117.70, "radius_km": 20,
            "restricted_categories": ["养老"]}
    body.update(over)
    return body


@pytest.fixture
def app(settings):
    application = create_app(settings, testing=True)
    yield application
    application.extensions["linkage"].dispose()


@pytest.fixture(scope="session")
def fixture_password_hash():
    from linkage.security import Passwords
    return Passwords(time_cost=1, memory_kib=8192).hash(PASSWORD)


@pytest.fixture
def world(app, fixture_password_hash) -> World:
    platform = app.extensions["linkage"]
    ids: dict = {}

    def uow():
        return platform.uow()

    with uow() as u:
        ids["community"] = register_community(u, ADMIN, community_body()).id
    with uow() as u:
        ids["other_community"] = register_community(u, ADMIN, community_body(code="120116002", name="福州里社区")).id
    with uow() as u:
        ids["organization"] = register_provider(u, ADMIN, "organization", org_body(1), platform.cipher).id
    with uow() as u:
        ids["other_organization"] = register_provider(u, ADMIN, "organization", org_body(2), platform.cipher).id
    with uow() as u:
        ids["volunteer"] = register_provider(u, ADMIN, "volunteer", volunteer_body(1, ids["community"]), platform.cipher).id
    with uow() as u:
        ids["other_volunteer"] = register_provider(u, ADMIN, "volunteer", volunteer_body(2, ids["community"], name="王芳"), platform.cipher).id
    with uow() as u:
        ids["social_worker"] = register_provider(u, ADMIN, "social_worker", social_worker_body(ids["organization"]), platform.cipher).id
    with uow() as u:
        ids["other_social_worker"] = register_provider(u, ADMIN, "social_worker", social_worker_body(ids["other_organization"], name="赵强"), platform.cipher).id
    with uow() as u:
        ids["resource"] = register_provider(u, ADMIN, "resource", resource_body(), platform.cipher).id

    accounts = {
        "admin": dict(role="admin"),
        "community_staff": dict(role="community_staff", community_id=ids["community"]),
        "other_community_staff": dict(role="community_staff", community_id=ids["other_community"]),
        "org_staff": dict(role="org_staff", organization_id=ids["organization"]),
        "other_org_staff": dict(role="org_staff", organization_id=ids["other_organization"]),
        "volunteer": dict(role="volunteer", volunteer_id=ids["volunteer"]),
        "other_volunteer": dict(role="volunteer", volunteer_id=ids["other_volunteer"]),
        "social_worker": dict(role="social_worker", social_worker_id=ids["social_worker"]),
        "auditor": dict(role="auditor"),
    }
    client = app.test_client()
    tokens = {}
    for username, binding in accounts.items():
        with uow() as u:
            user = create_user(u, _CachedHash(platform.passwords, fixture_password_hash),
                               username=username, password=PASSWORD, **binding)
        # Logging in over HTTP is tested on its own; here a token is minted directly for speed.
        tokens[username] = platform.tokens.issue(user.id, user.token_version)
    world = World(client=client, platform=platform, ids=ids, tokens=tokens)
    yield world
    # Every successful write a story made over HTTP left its audit entry (DESIGN: who, what, when).
    world.assert_every_write_was_audited()


def db_fingerprint(platform) -> str:
    """A digest of every row of every table: equal before and after means nothing changed."""
    import hashlib

    from sqlalchemy import select

    from linkage.models import Base

    digest = hashlib.sha256()
    with platform.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()
