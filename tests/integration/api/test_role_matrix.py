"""Every write endpoint × every role × own / other party's object (OWASP API Top 10):

- broken object-level / function-level authorization: each cell of MATRIX (matrix_cases.py) is
  asserted — refused callers get 403 with the error shape and the database does not change;
  allowed callers succeed on a valid body and state;
- mass assignment: adding `status`, `id`, `role`, `verified_by`, another party's ids, … to a valid
  body is either a 422 naming the field, a 403/404 for an id the caller does not own, or proven
  harmless by reading back what was stored;
- broken authentication: expired, foreign-key-signed, revoked tokens and tokens of deactivated
  users are 401 on every authenticated endpoint, changing nothing.

The matrix must name every POST/PATCH/DELETE of the OpenAPI document, so a new endpoint fails
the coverage test until someone decides who may call it.
"""
from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from itsdangerous import TimestampSigner

from linkage.models import User
from linkage.security import Tokens
from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.matrix_cases import (
    _IDS_KEY,
    API,
    CALLERS,
    CASES,
    GENERIC_PROBES,
    Probe,
    Scene,
    owner_of,
    parse_matrix,
)

TABLE = parse_matrix()
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")
PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/projects/{project_id}/evaluations"),
          ("GET", "/api/v1/categories"), ("GET", "/api/v1/openapi.json"),
          ("GET", "/api/v1/certificates/{code}"), ("GET", "/api/v1/projects/{project_id}/evaluations"),
          ("GET", "/api/v1/funding-rounds/{round_id}/public-summary"), ("GET", "/api/v1/privacy-notice"),
          ("GET", "/api/v1/meta/signing-key"), ("POST", "/api/v1/filings"),
          ("GET", "/api/v1/cultivation-rubric"),
          ("POST", "/api/v1/consultations/{consultation_id}/proposals"),
          ("POST", "/api/v1/consultations/{consultation_id}/votes"),
          ("GET", "/api/v1/consultations/{consultation_id}/result")}


def _operations(app, methods=WRITE_METHODS) -> set[tuple[str, str]]:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item
            if method.upper() in methods}


# --- coverage -----------------------------------------------------------------------------------

def test_the_matrix_covers_every_write_operation_of_the_api(app):
    in_spec = _operations(app)
    covered = {(case.method, API + case.path) for case in CASES.values()}
    assert len(in_spec) >= 46, sorted(in_spec)  # a guard against an empty or shrunken spec
    assert not in_spec - covered, f"write operations without a row in the role matrix: {sorted(in_spec - covered)}"
    assert not covered - in_spec, f"matrix rows for operations the API no longer has: {sorted(covered - in_spec)}"
    assert set(TABLE) == set(CASES), (set(TABLE) ^ set(CASES))
    for name, row in TABLE.items():
        assert all(cell == "ok" or cell == "-" or cell.isdigit() for cell in row.values()), (name, row)
        assert CASES[name].public == all(cell == "ok" for cell in row.values()) or name == "auth.revoke", name


# --- the matrix ---------------------------------------------------------------------------------

@pytest.fixture
def scene(world) -> Scene:
    s = Scene(world)
    s.add_other_social_worker_account()
    return s


def _params(scene: Scene, name: str) -> dict:
    params = CASES[name].setup(scene)
    params[_IDS_KEY] = scene.ids
    return params


def _send(scene: Scene, name: str, params: dict, who: str | None, body_extra: dict | None = None,
          query_extra: dict | None = None):
    case = CASES[name]
    path = case.path.format(**params)
    body = case.body(params, who)
    if body_extra:
        body = {**(body or {}), **body_extra}
    query = case.query(params, who) if case.query else None
    if query_extra:
        query = {**(query or {}), **query_extra}
    return scene.call(case.method, path, who, body, query)


def _refusal_problem(response, status: int, field: str | None = None) -> str | None:
    body = response.get_json(silent=True) or {}
    if response.status_code != status:
        return f"expected {status}, got {response.status_code} {body}"
    if body.get("code") != status or not body.get("message") or not body.get("status"):
        return f"{status} without the error shape: {body}"
    if field is not None and status in (409, 422) and field not in (body.get("errors") or {}):
        return f"{status} does not name {field!r}: {body}"
    return None


def _probes(name: str, has_body: bool) -> dict[str, Probe]:
    """The generic probes (a 422 naming the field) for a body, overridden or extended by the case's own."""
    probes = {f: Probe(422, value) for f, value in GENERIC_PROBES.items()} if has_body else {}
    for label, probe in CASES[name].probes.items():
        field = label.split(" (")[0]
        if probe.expect == "legit":
            probes.pop(field, None)
            continue
        value = probe.value or GENERIC_PROBES[field]
        probes[label] = Probe(probe.expect, value, probe.check, probe.who, probe.query)
    return probes


@pytest.mark.parametrize("name", list(CASES))
def test_role_matrix(scene, name):
    case, row, platform = CASES[name], TABLE[name], scene.world.platform
    failures: list[str] = []
    params = _params(scene, name)
    before = db_fingerprint(platform)

    def refused(label: str, response, status: int, field: str | None = None, fingerprint: bool = True) -> None:
        nonlocal before
        problem = _refusal_problem(response, status, field)
        if fingerprint:
            after = db_fingerprint(platform)
            if after != before:
                problem = (problem + "; " if problem else "") + "the database changed"
                before = after
        if problem:
            failures.append(f"{name} {label}: {problem}")

    # 1. Refused callers first: a 403 (or the state's refusal) changes nothing, so one object serves all.
    for who in CALLERS:
        if row[who] != "ok":
            refused(f"as {who}", _send(scene, name, params, who), 403 if row[who] == "-" else int(row[who]))

    # 2. Mass assignment that must be refused, by the rightful party.
    owner = owner_of(name, TABLE)
    has_body = case.body(params, owner) is not None
    accepted = []
    for label, probe in _probes(name, has_body).items():
        field = label.split(" (")[0]
        who = owner if probe.who == "owner" else probe.who
        if probe.expect == "accepted":
            accepted.append((label, field, who, probe))
            continue
        extra = {field: probe.value(scene, params)}
        response = _send(scene, name, params, who, query_extra=extra) if probe.query \
            else _send(scene, name, params, who, body_extra=extra)
        refused(f"mass assignment {label}={extra[field]!r} as {who}", response, probe.expect, field,
                fingerprint=False)
    # The refused probes are checked as a group (one fingerprint for all of them, for speed).
    if db_fingerprint(platform) != before:
        failures.append(f"{name}: the database changed during the refused mass-assignment probes")

    # 3. Allowed callers: scoped parties before the district; each after the first on a fresh object.
    allowed = [w for w in CALLERS if row[w] == "ok" and w != "admin"] + (["admin"] if row["admin"] == "ok" else [])
    if case.first:
        allowed.remove(case.first)
        allowed.insert(0, case.first)
    if case.public:
        allowed.append(None)  # and without any token at all
    for i, who in enumerate(allowed):
        p = params if i == 0 or not case.fresh else _params(scene, name)
        response = _send(scene, name, p, who)
        if response.status_code != case.success:
            failures.append(f"{name} as {who}: allowed, expected {case.success}, "
                            f"got {response.status_code} {response.get_json(silent=True)}")

    # 4. Mass assignment the rules accept: prove what was stored.
    for label, field, who, probe in accepted:
        p = _params(scene, name)
        value = probe.value(scene, p)
        response = _send(scene, name, p, who, body_extra={field: value})
        if response.status_code != case.success:
            failures.append(f"{name} mass assignment {label} as {who}: expected {case.success}, "
                            f"got {response.status_code} {response.get_json(silent=True)}")
            continue
        try:
            probe.check(scene, p, response.get_json(silent=True))
        except AssertionError as exc:
            failures.append(f"{name} mass assignment {label} as {who}: stored wrongly: {exc}")

    assert not failures, "\n".join(failures)


# --- bodiless writes ignore a body ---------------------------------------------------------------

def test_writes_without_a_body_ignore_one_that_names_another_party(scene):
    """Mass assignment on bodiless writes: the body is not read, so it cannot redirect the write."""
    world = scene.world
    # Revoking tokens acts on the caller only, whoever the body names.
    r = scene.call("POST", "/auth/revoke", "volunteer", {"user_id": scene.uid("admin")})
    assert r.status_code == 204
    assert scene.call("GET", "/needs", "admin").status_code == 200
    assert scene.call("GET", "/needs", "volunteer").status_code == 401
    # A disbursement pays the accepted milestone's tranche, not what the body asks for.
    grant = scene.grant(accepted=1)
    paid = scene.call("POST", f"/grants/{grant['grant_id']}/disbursements", "admin",
                      {"amount_fen": 1, "tranche": 2, "grant_id": 999})
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["amount_fen"] == 200_000 and paid.get_json()["tranche"] == 1
    assert paid.get_json()["grant_id"] == grant["grant_id"]
    # Deactivating a provider is not steered by a body either.
    gone = scene.call("DELETE", f"/volunteers/{scene.ids['volunteer']}", "admin", {"active": True})
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert world.call("GET", f"{API}/volunteers/{scene.ids['other_volunteer']}", "admin").get_json()["active"]


# --- broken authentication -----------------------------------------------------------------------

def _concrete(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1).removesuffix("_id"), 1)), path)


def _expired_token(platform, user_id: int, version: int) -> str:
    past = int(time.time()) - platform.tokens.ttl_seconds - 60
    with mock.patch.object(TimestampSigner, "get_timestamp", return_value=past):
        token = platform.tokens.issue(user_id, version)
    assert Tokens(platform.settings.secret_key, ttl_seconds=-1).read(token) is None
    assert platform.tokens.read(token) is None  # the platform's own check finds it expired
    return token


def test_broken_tokens_are_401_on_every_authenticated_endpoint(scene, app):
    world, platform = scene.world, scene.world.platform
    operations = sorted(op for op in _operations(app, WRITE_METHODS + ("GET",)) if op not in PUBLIC)
    assert len(operations) > 60, operations
    admin = scene.uid("admin")

    def sweep(label: str, token: str) -> None:
        before = db_fingerprint(platform)
        problems = []
        for method, path in operations:
            response = world.client.open(_concrete(path, world.ids), method=method, json={},
                                         headers={"Authorization": f"Bearer {token}"})
            body = response.get_json(silent=True) or {}
            if response.status_code != 401 or body.get("code") != 401 or not body.get("message"):
                problems.append((method, path, response.status_code, body))
        assert not problems, (label, problems)
        assert db_fingerprint(platform) == before, label

    def works(token: str) -> bool:
        return world.client.get(f"{API}/needs", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    sweep("expired", _expired_token(platform, admin, 0))
    sweep("signed with another key", Tokens("not-the-platform-secret", 3600).issue(admin, 0))

    revoked = platform.tokens.issue(admin, 0)
    assert works(revoked)
    assert world.client.post(f"{API}/auth/revoke", headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
    sweep("revoked", revoked)

    current = platform.tokens.issue(admin, 1)
    assert works(current)
    with platform.uow() as u:
        u.session.get(User, admin).active = False
        u.commit()
    sweep("deactivated user", current)
