"""Fuzzing the API from its own OpenAPI document: no input a client can send earns a 500, and
every answer (success or error) fits the schema the spec promises for it.

Schemathesis generates valid and invalid requests for every operation of /api/v1/openapi.json
and sends them in-process to the app on a seeded SQLite database: once as the district admin
(every authenticated path is exercised) and once as a volunteer (the refusals).
Deeper runs: LINKAGE_FUZZ_EXAMPLES=200 [LINKAGE_FUZZ_RANDOM=1] scripts/test tests/integration/test_fuzz.py
"""
from __future__ import annotations

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.conftest import settings_for_tests

# ~85 operations × valid and invalid inputs × 2 roles: enough examples to get past validation
# into the services while the module stays around a minute on two cores. Derandomized, so a
# failure in CI is the same failure on a laptop.
EXAMPLES = int(os.environ.get("LINKAGE_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
RANDOM = bool(os.environ.get("LINKAGE_FUZZ_RANDOM"))  # explore new inputs instead of the fixed ones
# Valid erasures would anonymise the fuzzer's own logins (the volunteer's, or any volunteer the
# admin run picks) and turn every later request into a 401: these two get invalid inputs only;
# their valid use is tested in tests/integration/api/test_rights.py and the role matrix.
NEGATIVE_ONLY = {"POST /api/v1/me/erasure", "POST /api/v1/volunteers/{volunteer_id}/erasure"}
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                         suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_app(sqlite_template, tmp_path_factory):
    from app import create_app
    from linkage.demo import seed_demo

    path = tmp_path_factory.mktemp("fuzz") / "linkage.db"
    shutil.copyfile(sqlite_template, path)
    # testing=True: an unexpected exception is raised, not turned into a 500, so the failure
    # report below carries the exception itself.
    app = create_app(settings_for_tests(f"sqlite:///{path}"), testing=True)
    platform = app.extensions["linkage"]
    seed_demo(platform, scale=0.1)  # communities, providers, needs, projects, users of every role
    yield app
    platform.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


def _token(app, username: str) -> str:
    from sqlalchemy import select

    from linkage.models import User

    platform = app.extensions["linkage"]
    with platform.read_session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return platform.tokens.issue(user.id, user.token_version)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return " | ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {str(exc)[:1200]}"


def _fuzz(app, schema, username: str) -> list[str]:
    """Every operation, valid and invalid inputs; returns one entry per operation that failed.

    (A loop rather than `schema.parametrize()`: schemathesis' lazy pytest loader reads a node
    attribute pytest 9 no longer has.)
    """
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # A fresh token each time: fuzzing POST /auth/revoke rightly revokes the one in hand.
        headers = {"Authorization": f"Bearer {_token(app, username)}"}
        modes = (GenerationMode.NEGATIVE,) if operation.label in NEGATIVE_ONLY \
            else (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for mode in modes:
            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(mode, headers=headers))
            def exercise(case):
                case.call_and_validate(checks=CHECKS)

            try:
                exercise()
            except Unsatisfiable:
                pass  # nothing invalid can be sent to this operation (no parameters, no body)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gathered: one run reports every failure
                failures.append(f"{operation.label} [{mode.value}]: {_describe(exc)}")
    return failures


def test_the_admin_cannot_make_the_api_fail_or_break_its_schema(fuzz_app, api_schema):
    failures = _fuzz(fuzz_app, api_schema, "admin")
    assert not failures, "\n\n".join(failures)


def test_a_volunteer_cannot_make_the_api_fail_or_break_its_schema(fuzz_app, api_schema):
    failures = _fuzz(fuzz_app, api_schema, "zhiyuan")
    assert not failures, "\n\n".join(failures)
