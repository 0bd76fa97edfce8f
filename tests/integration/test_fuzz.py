"""Fuzzing the API from its own OpenAPI document with every schemathesis check, as each of the six
roles: no input earns a 500, every answer fits the schema, every invalid request is refused, and a
valid one is refused only by a rule the schema cannot state (RULES_THE_SCHEMA_CANNOT_STATE, the
same list as docs/security.md).

The app is served over HTTP on loopback (a werkzeug thread, the seeded demo database on SQLite) and
schemathesis' own engine runs against it as `schemathesis run` would: the examples, coverage,
fuzzing and stateful phases, positive and negative data, all checks (negative_data_rejection,
positive_data_acceptance, ignored_auth, use_after_free, ensure_resource_availability,
missing_required_header, unsupported_method, ...), links inferred from Location headers and ids.
The coverage phase (every boundary the document states, missing headers, unsupported methods) does
not depend on the caller and is run once, as the admin; the other roles run the fuzzing and stateful
phases. Fixed seed: a failure in CI is the same failure on a laptop.

Deeper runs: LINKAGE_FUZZ_EXAMPLES=50 LINKAGE_FUZZ_SEED=random scripts/test tests/integration/test_fuzz.py
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from werkzeug.serving import make_server

from events.broker import free_port
from tests.conftest import settings_for_tests

EXAMPLES = int(os.environ.get("LINKAGE_FUZZ_EXAMPLES", "3"))
SEED = os.environ.get("LINKAGE_FUZZ_SEED", "15")
# Valid erasures would anonymise the fuzzer's own logins (the volunteer's, or any volunteer the
# admin run picks) and turn every later request into a 401: these two get invalid inputs only;
# their valid use is tested in tests/integration/api/test_rights.py and the role matrix.
NEGATIVE_ONLY = ("POST /api/v1/me/erasure", "POST /api/v1/volunteers/{volunteer_id}/erasure")
ROLES = {
    "admin": "admin",
    "community_staff": "shequ",
    "org_staff": "zuzhi",
    "social_worker": "shegong",
    "volunteer": "zhiyuan",
    "auditor": "shenji",
}

# Valid by the schema, refused (422) by a rule no OpenAPI 3.0 schema can state. Per operation, the
# field the server names and a piece of its message: anything else refused is a finding.
WINDOW = "must be later than"
REFERENCE = ("no such", "not active")  # names an object that does not exist (or is inactive)
HOUR_RULES = {
    "ends_at": (WINDOW, "more than 24 h", "in the future"),
    "minutes": ("over 24 h",),
    "starts_at": ("outside the activity", "overlaps record"),
}
RULES_THE_SCHEMA_CANNOT_STATE: dict[str, dict[str, tuple[str, ...]]] = {
    "POST /api/v1/needs": {
        "ends_at": (WINDOW,),
        "lat": ("give both",),
        "lon": ("give both",),
        "community_id": REFERENCE,
    },
    "PATCH /api/v1/needs/{need_id}": {"ends_at": (WINDOW,), "lat": ("give both",), "lon": ("give both",)},
    "POST /api/v1/organizations": {"uscc": ("check character",), "contact_phone": ("",), "community_id": REFERENCE},
    "PATCH /api/v1/organizations/{provider_id}": {
        "uscc": ("check character",),
        "contact_phone": ("",),
        "community_id": REFERENCE,
    },
    # A phone of the documented shape may be one no carrier allocated (174…), and a consent needs a
    # guardian only when the ID number says the volunteer is under 14: both facts live outside the schema.
    "POST /api/v1/volunteers": {
        "id_number": ("",),
        "phone": ("",),
        "community_id": REFERENCE,
        "consent": ("",),
        "consent.method": ("confirmed by staff",),
        "leave": ("cannot be before",),
    },
    "PATCH /api/v1/volunteers/{provider_id}": {
        "id_number": ("",),
        "phone": ("",),
        "community_id": REFERENCE,
        "consent": ("",),  # as in POST: a guardian's phone follows the number plan
        "leave": ("cannot be before",),
    },
    # a guardian's phone follows the mobile number plan (14x data-only numbers are not mobiles); a paper
    # form is confirmed by staff, which depends on who asks, not on the body (policy.people)
    "POST /api/v1/volunteers/{volunteer_id}/consents": {
        "guardian": ("mobile number",),
        "consent.method": ("confirmed by staff",),
    },
    # a community's contact phone follows the number plan (area codes, extensions), as an organization's
    "POST /api/v1/communities": {"contact_phone": ("",)},
    "PATCH /api/v1/communities/{community_id}": {"contact_phone": ("",)},
    "POST /api/v1/social-workers": {"organization_id": REFERENCE},
    "PATCH /api/v1/social-workers/{provider_id}": {"organization_id": REFERENCE},
    "POST /api/v1/resources": {
        "available_until": (WINDOW,),
        "amount_fen": ("a fund needs",),
        "quantity": ("quantity is required",),
    },
    "PATCH /api/v1/resources/{provider_id}": {"available_until": (WINDOW,)},
    "POST /api/v1/projects/{project_id}/activities": {"ends_at": (WINDOW,)},
    "POST /api/v1/activities/{activity_id}/signups": {"volunteer_id": ("required", *REFERENCE)},
    # An RRULE is a language of its own: whether it can be read, and occurs within the horizon, is the
    # server's to say; a shift of 0 places is read (so the field can be named) and refused.
    "POST /api/v1/projects/{project_id}/series": {
        "rrule": ("cannot be read", "no occurrence"),
        "shifts": ("at least one shift", "at least 1 place"),
    },
    "PATCH /api/v1/series/{series_id}/occurrences": {"starts_at": ("new time or place", "in the past")},
    "POST /api/v1/signups/{signup_id}/check-in": {"at": ("in the future", "outside the activity")},
    "POST /api/v1/signups/{signup_id}/check-out": {
        "at": ("in the future", "before check-in", "after the activity", "outside the activity's time")
    },
    "POST /api/v1/hours": {
        **HOUR_RULES,
        "activity_id": REFERENCE,
        "volunteer_id": ("required for org staff",),
        "ends_at": (*HOUR_RULES["ends_at"], "at most the activity"),
        "reason": ("required when entering hours afterwards",),
    },
    "POST /api/v1/hours/{entry_id}/corrections": {**HOUR_RULES, "reverse": ("give new times",)},
    "POST /api/v1/hours/{entry_id}/verification": {"note": ("required when rejecting", "reason is required")},
    "POST /api/v1/volunteers/{volunteer_id}/certificates": {"organization_id": REFERENCE},
    "POST /api/v1/needs/{need_id}/claims": {"organization_id": REFERENCE},
    # Which provider kinds go with which invitation kind, and that the invitee and the activity are the
    # need's (ranked for it; of its project), are facts of the data, not of the body's shape.
    "POST /api/v1/needs/{need_id}/invitations": {
        "invitee_kind": ("Claim invitations go to",),
        "activity_id": ("not an open activity",),
        "invitee_id": ("only providers in the matches", "not active"),
    },
    "POST /api/v1/invitations/{invitation_id}/answer": {"plan": ("plan of at least",)},
    "POST /api/v1/claims/{claim_id}/decision": {"reason": ("required when declining", "reason is required")},
    "POST /api/v1/projects/{project_id}/transitions": {"reason": ("required when cancelling",)},
    "POST /api/v1/projects/{project_id}/lead": {"social_worker_id": REFERENCE},
    "POST /api/v1/projects/{project_id}/evaluations": {"code": ("not valid for this project",)},
    # An uploaded spreadsheet: its bytes decode, are a spreadsheet (not a zip bomb) with the template's headers.
    "POST /api/v1/imports": {"content": ("",)},
    "POST /api/v1/funding-rounds": {"rubric_weights": ("exactly:", "add"), "cap_fen": ("greater than budget_fen",)},
    "POST /api/v1/funding-rounds/{round_id}/applications": {
        "need_id": ("give need_id or project_id", *REFERENCE),
        "project_id": REFERENCE,
        "requested_fen": ("per-project cap",),
        "budget_lines": ("add up",),
        "milestones": ("add up",),
        "cofunding_fen": ("co-funding must be", "left"),
        "cofunding_resource_id": ("required with cofunding_fen", "kind fund", "restricted", "not both"),
    },
    "POST /api/v1/applications/{application_id}/reviewers": {"user_id": ("no such active user", "reviewers are")},
    "POST /api/v1/applications/{application_id}/reviews": {"scores": ("exactly:",)},
    "POST /api/v1/funding-rounds/{round_id}/awards": {
        "overrides": ("appears twice", "¥", "reason is required", "is not in this round")
    },
    "POST /api/v1/grants/{grant_id}/expenditures": {"budget_line": ("not a line of grant",)},
    "POST /api/v1/grants/{grant_id}/corrections": {"reason": ("required",)},
    # A transfer export is a signed document of a stated format: its inner shape, its issuer (a platform
    # trusted here) and its signature are checked by the service; a public key must be a real Ed25519 key.
    "POST /api/v1/volunteers/{volunteer_id}/imported-hours": {
        "document": ("",),
        "document.issuer": ("",),
        "signature": ("",),
    },
    "POST /api/v1/trusted-platforms": {"public_key": ("",)},
    "PUT /api/v1/volunteers/{volunteer_id}/insurance": {"ends_on": (WINDOW,)},
    # A qualification's level goes with its kind (社工证 alone has one); a change is checked merged with the row.
    **{
        op: {
            "level": ("has a level", "social work level"),
            "issued_on": ("in the future", "required"),
            "expires_on": ("before it was issued",),
            "kind": ("",),
        }
        for op in (
            "POST /api/v1/volunteers/{volunteer_id}/qualifications",
            "PATCH /api/v1/qualifications/{qualification_id}",
        )
    },
    "PUT /api/v1/volunteers/{volunteer_id}/guardian-consent": {"phone": ("",)},
    # A filing (备案) lists at least LINKAGE_FILING_MIN_MEMBERS members (a setting, not the schema's); its
    # phones and ID number follow the number plan and the check digit; its community must exist.
    "POST /api/v1/filings": {
        "community_id": REFERENCE,
        "members": ("",),
        "responsible_phone": ("",),
        "responsible_id_number": ("",),
    },
    # Returning a filing (the community's or the street's) gives a reason.
    "POST /api/v1/filings/{filing_id}/review": {"reason": ("reason to return",)},
    "POST /api/v1/filings/{filing_id}/confirmation": {"reason": ("reason to return",)},
    # The incubation track (孵化) and annual reports (年报): a name of spaces only, a date in the future, the
    # published rubric's criteria (a fact of linkage/cultivation_rubric.toml), a USCC's check character,
    # a year that has not ended yet, an organization that exists.
    "POST /api/v1/cohorts": {"name": ("required",), "street": ("required",), "ends_on": ("cannot be before",)},
    "POST /api/v1/cohorts/{cohort_id}/members": {"organization_id": REFERENCE},
    "POST /api/v1/cohorts/{cohort_id}/members/{organization_id}/records": {
        "held_on": ("in the future",),
        "title": ("required",),
    },
    "POST /api/v1/cohorts/{cohort_id}/members/{organization_id}/assessments": {
        "scores": ("has no score", "must be scored", "has no criterion"),
        "assessed_on": ("in the future",),
    },
    "POST /api/v1/cohorts/{cohort_id}/members/{organization_id}/upgrade": {"uscc": ("check character",)},
    "POST /api/v1/annual-reports": {"year": ("has ended",), "organization_id": REFERENCE},
    # Growth records: a designation's year not after this year (China's), a reason not blank, a placement's
    # day not in the future; the organization and the social worker must exist and be active.
    "POST /api/v1/growth/brands": {"organization_id": REFERENCE, "year": ("this year",), "reason": ("required",)},
    "POST /api/v1/growth/brands/{designation_id}/revocation": {"reason": ("required",)},
    "POST /api/v1/growth/placements": {
        "organization_id": REFERENCE,
        "social_worker_id": REFERENCE,
        "placed_on": ("in the future", "before 2000"),
    },
    # Supervision (督导): the supervisor is another social worker of level 社工师 or above with a valid
    # certificate; a session is dated between its assignment's start and today, its topics not blank;
    # a training is not in the future, its title and provider not blank.
    "POST /api/v1/supervision/assignments": {
        "social_worker_id": ("No such",),
        "supervisor_id": ("No such", "themself", "must be", "has expired"),
    },
    "POST /api/v1/supervision/assignments/{assignment_id}/end": {"ends_on": ("before the start",)},
    "POST /api/v1/supervision/sessions/{session_id}/answer": {"reason": ("reason for the dispute",)},
    "POST /api/v1/supervision/sessions": {
        "held_on": ("in the future", "before the assignment"),
        "topics": ("required",),
    },
    "POST /api/v1/social-workers/{social_worker_id}/trainings": {
        "held_on": ("in the future",),
        "title": ("required",),
        "provider": ("required",),
    },
    # Residents' voice (议事协商): a consultation closes after it opens and not in the past; a code is a
    # credential valid for one consultation, and a vote names one of its items.
    "POST /api/v1/consultations": {"closes_at": (WINDOW, "has passed"), "community_id": REFERENCE},
    "POST /api/v1/consultations/{consultation_id}/proposals": {"code": ("not for this consultation",)},
    "POST /api/v1/consultations/{consultation_id}/votes": {
        "code": ("not for this consultation",),
        "item_id": ("this consultation's items",),
    },
    "POST /api/v1/consultation-items/{item_id}/need": {"ends_at": (WINDOW,)},
}


@dataclass
class Outcome:
    cases: Counter = field(default_factory=Counter)  # by phase
    statuses: Counter = field(default_factory=Counter)
    excused: Counter = field(default_factory=Counter)  # by operation: refused by a rule listed above
    failures: list = field(default_factory=list)
    links: int = 0
    operations: int = 0


def _error_fields(response) -> dict:
    try:
        return (response.json() or {}).get("errors") or {}
    except Exception:  # noqa: BLE001 - not JSON: not an excusable refusal
        return {}


def _excused(check: str, label: str, response) -> bool:
    """A valid request refused only by rules listed in RULES_THE_SCHEMA_CANNOT_STATE for its operation (or
    invalid data refused as a URL too long, 414, rather than 422)."""
    if check == "negative_data_rejection" and response is not None and response.status_code == 414:
        return True  # invalid data in a query string past LINKAGE_MAX_URL_BYTES: refused as too long, rightly
    rules = RULES_THE_SCHEMA_CANNOT_STATE.get(label)
    if check != "positive_data_acceptance" or rules is None or response is None or response.status_code != 422:
        return False
    errors = _error_fields(response)
    return bool(errors) and all(
        name in rules
        and all(
            any(part in str(msg) for part in rules[name])
            for msg in (messages if isinstance(messages, list) else [messages])
        )
        for name, messages in errors.items()
    )


@pytest.fixture(scope="module")
def served(sqlite_template, tmp_path_factory):
    """The app on a seeded copy of the database, served over HTTP on loopback."""
    from app import create_app
    from linkage.demo import seed_demo

    path = tmp_path_factory.mktemp("fuzz") / "linkage.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app(settings_for_tests(f"sqlite:///{path}"))
    platform = app.extensions["linkage"]
    seed_demo(platform, scale=0.1)  # communities, providers, needs, projects, rounds, users of every role
    crashes: list[str] = []

    class _Crashes(logging.Handler):
        def emit(self, record):
            crashes.append(self.format(record))

    handler = _Crashes(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(message)s"))
    app.logger.addHandler(handler)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fuzz-web", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{port}", crashes
    finally:
        server.shutdown()
        thread.join(10)
        app.logger.removeHandler(handler)
        platform.dispose()


def _token(app, username: str) -> str:
    from sqlalchemy import select

    from linkage.models import User

    platform = app.extensions["linkage"]
    with platform.read_session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return platform.tokens.issue(user.id, user.token_version)


def _run(app, base_url: str, username: str, *, coverage: bool) -> Outcome:
    settings = {
        "generation": {"mode": "all", "max-examples": EXAMPLES},  # positive and negative
        "phases": {"coverage": {"enabled": coverage}},
        "operations": [{"include-name": name, "generation": {"mode": "negative"}} for name in NEGATIVE_ONLY],
    }
    if SEED.isdigit():
        settings["seed"] = int(SEED)
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)

    @schema.auth(refresh_interval=None)
    class FreshToken:
        """A token issued for each request: fuzzing POST /auth/revoke rightly revokes the one in hand."""

        def get(self, case, ctx):
            return _token(app, username)

        def set(self, case, data, ctx):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    outcome = Outcome(operations=schema.statistic.operations.total)
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and isinstance(event.payload, events.StatefulPhasePayload):
            outcome.links = event.payload.transitions_total
        elif isinstance(event, events.NonFatalError):
            outcome.failures.append(f"{event.label}: error {event.info.message}")
        elif isinstance(event, events.FatalError):
            outcome.failures.append(f"fatal: {event.exception!r}")
        elif isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            recorder = event.recorder
            outcome.cases[str(getattr(event, "phase", "fuzz"))] += len(recorder.cases)
            for interaction in recorder.interactions.values():
                outcome.statuses[interaction.response.status_code if interaction.response else None] += 1
            for case_id, nodes in recorder.checks.items():
                for node in nodes:
                    if node.status != Status.FAILURE:
                        continue
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction else None
                    label = recorder.cases[case_id].value.operation.label if case_id in recorder.cases else "?"
                    if _excused(node.name, label, response):
                        outcome.excused[label] += 1
                        continue
                    request = interaction.request if interaction else None
                    outcome.failures.append(
                        f"{node.name} on {label}: {request.method if request else ''} "
                        f"{request.uri if request else ''} body={(request.body or b'')[:300] if request else b''!r} "
                        f"-> {response.status_code if response else None} "
                        f"{(response.content or b'')[:300] if response else b''!r}"
                    )
    return outcome


# The admin's run (coverage phase included) takes ~2 minutes of CPU; on a shared machine the wall
# clock can be several times that, beyond the suite's default 300 s per test.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_can_make_the_api_fail_break_its_schema_or_pass_invalid_input(served, role):
    app, base_url, crashes = served
    before = len(crashes)
    outcome = _run(app, base_url, ROLES[role], coverage=role == "admin")
    print(
        f"\n{role}: {outcome.operations} operations, {sum(outcome.cases.values())} cases "
        f"{dict(outcome.cases)}, {outcome.links} links, statuses {dict(sorted(outcome.statuses.items(), key=str))}, "
        f"refused by unstatable rules {sum(outcome.excused.values())} {dict(outcome.excused)}"
    )
    assert outcome.operations > 80 and sum(outcome.cases.values()) > outcome.operations
    assert not crashes[before:], "\n\n".join(crashes[before:])
    assert not outcome.failures, f"{len(outcome.failures)} failures:\n" + "\n\n".join(outcome.failures[:40])
