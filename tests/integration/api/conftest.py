"""API fixtures: the Flask app on a real database, users of every role, and helpers to post."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app import create_app
from linkage.services.accounts import create_user
from linkage.services.communities import register_community
from linkage.services.providers import register_provider

# The bodies live in tests/factories.py; they are named here too for the tests that import them from here.
from tests.factories import (  # noqa: F401
    ADMIN,
    PASSWORD,
    community_body,
    need_body,
    org_body,
    resource_body,
    social_worker_body,
    valid_id_number,
    valid_uscc,
    volunteer_body,
)


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


@pytest.fixture
def app(settings):
    application = create_app(settings, testing=True)
    application.config["LINKAGE_INLINE_BACKGROUND"] = True  # an import's preview runs before the answer
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
