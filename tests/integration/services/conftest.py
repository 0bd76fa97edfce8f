"""Service-level fixtures: the platform on a real database (SQLite and PostgreSQL), no HTTP, and the builders."""
from __future__ import annotations

import pytest

from linkage.platform import build_platform
from tests.conftest import settings_for_tests
from tests.factories import Build


@pytest.fixture
def platform(database_url):
    built = build_platform(settings_for_tests(database_url))
    yield built
    built.dispose()


@pytest.fixture
def build(platform) -> Build:
    return Build(platform)


@pytest.fixture
def act(platform):
    """Call a service verb in its own unit of work: `act(post_need, actor, data)`."""
    def run(service, *args, **kwargs):
        with platform.uow() as uow:
            return service(uow, *args, **kwargs)
    return run


@pytest.fixture
def read(platform):
    """A read session for a query service: `with read() as s: list_needs(s, ...)`."""
    return platform.read_session


@pytest.fixture
def unchanged(platform):
    """`with unchanged(): ...` asserts that no row of any table changed inside the block."""
    from contextlib import contextmanager

    from tests.integration.api.conftest import db_fingerprint

    @contextmanager
    def check():
        before = db_fingerprint(platform)
        yield
        assert db_fingerprint(platform) == before, "a refused action changed the database"
    return check


@pytest.fixture
def funding(build, act, read):
    """A funding scene: the district, a community and its staff, builders of rounds and grants."""
    from tests.integration.services.funding_scene import FundingScene

    return FundingScene(build, act, read)
