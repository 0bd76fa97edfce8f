"""The `linkage` command as an operator uses it: migrate, seed, create users, log in."""
from __future__ import annotations

from click.testing import CliRunner

from linkage.cli import main


def _run(env: dict, *args: str):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def test_an_operator_migrates_seeds_and_creates_a_user_from_the_command_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}", "LINKAGE_ENV": "development"}
    assert _run(env, "db", "upgrade").exit_code == 0
    seeded = _run(env, "seed", "--scale", "0.05")
    assert seeded.exit_code == 0 and "communities=20" in seeded.output and "shequ" in seeded.output
    again = _run(env, "seed")
    assert again.exit_code == 0 and "nothing done" in again.output
    made = _run(env, "users", "create", "wang", "--role", "community_staff", "--password", "long-enough-1",
                "--community-id", "2")
    assert made.exit_code == 0 and "created user wang" in made.output
    unbound = _run(env, "users", "create", "li", "--role", "org_staff", "--password", "long-enough-1")
    assert unbound.exit_code == 2 and "organization_id" in unbound.output
    taken = _run(env, "users", "create", "wang", "--role", "admin", "--password", "long-enough-1")
    assert taken.exit_code == 2 and "taken" in taken.output
    # a common password, one built on the username (it would pass for another account), too short
    for weak in ("password1", "zhaoyunlong88", "short7"):
        refused = _run(env, "users", "create", "zhaoyunlong", "--role", "admin", "--password", weak)
        assert refused.exit_code == 2 and "'password'" in refused.output, refused.output

    from app import create_app
    from linkage.config import settings_from_env
    app = create_app(settings_from_env(environ=env), testing=True)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "wang", "password": "long-enough-1"})
    assert token.status_code == 200 and token.json["community_id"] == 2
    assert client.get("/docs").status_code == 200
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/openapi.json").json["info"]["title"].startswith("Linkage")
    assert client.get("/healthz").json == {"status": "ok"}
    app.extensions["linkage"].dispose()


def test_readiness_reports_the_broker_and_the_database(tmp_path):
    from app import create_app
    from events.broker import EmbeddedBroker, free_port
    from linkage.config import settings_from_env
    from linkage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'ready.db'}"
    upgrade(url)
    port = free_port()
    app = create_app(settings_from_env(environ={"DATABASE_URL": url, "LINKAGE_BROKER_PORT": str(port)}),
                     testing=True)
    client = app.test_client()
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json["checks"] == {"database": True, "broker": False}
    with EmbeddedBroker(port):
        up = client.get("/readyz")
        assert up.status_code == 200 and up.json["checks"] == {"database": True, "broker": True}
    app.extensions["linkage"].dispose()


def test_an_operator_expires_the_invitations_of_closed_needs(tmp_path):
    from linkage.config import settings_from_env
    from linkage.migrate import upgrade
    from linkage.models import Invitation
    from linkage.platform import build_platform
    from linkage.services.invitations import invite
    from linkage.services.matches import record_matches
    from linkage.services.needs import cancel_need
    from tests.factories import ADMIN, Build

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}", "LINKAGE_ENV": "development"}
    upgrade(env["DATABASE_URL"])
    platform = build_platform(settings_from_env(environ=env))
    build = Build(platform)
    need, org = build.need(build.community()), build.organization()
    with platform.uow() as uow:
        record_matches(
            uow,
            consumer="t",
            event_id="r",
            need_id=need.id,
            ranked_at=need.created_at,
            matches={"organization": [{"provider_id": org.id, "name": org.name, "score": 0.9}]},
        )
        uow.commit()
    with platform.uow() as uow:
        sent = invite(uow, ADMIN, need.id, {"kind": "claim", "invitee_kind": "organization", "invitee_id": org.id})
    assert "expired invitations: 0" in _run(env, "invitations", "expire").output
    with platform.uow() as uow:
        cancel_need(uow, ADMIN, need.id)
    assert "expired invitations: 1" in _run(env, "invitations", "expire").output
    with platform.read_session() as session:
        assert session.get(Invitation, sent.id).status == "expired"
    platform.dispose()
