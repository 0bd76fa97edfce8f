"""The `linkage` command: run, seed, db upgrade, users create, keys rotate, audit verify, invitations expire, report, and the workers."""
from __future__ import annotations

import sys

import click

from events.cli import register as register_event_commands
from linkage.config import settings_from_env


def _platform(source: str = "linkage-cli"):
    from linkage.platform import build_platform
    return build_platform(settings_from_env(), source=source)


@click.group()
def main() -> None:
    """Linkage 五社联动 platform."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations to DATABASE_URL (default: instance/linkage.db)."""
    from linkage.migrate import upgrade
    settings = settings_from_env()
    upgrade(settings.database_url, revision=revision, field_key=settings.field_key)
    click.echo("database is at " + revision)


@main.command()
@click.option("--scale", default=1.0, show_default=True, help="fraction of the demo volume")
def seed(scale: float) -> None:
    """Load deterministic demo data (does nothing if data exists)."""
    from linkage.demo import seed_demo
    result = seed_demo(_platform("linkage-seed"), scale=scale)
    if result.get("skipped"):
        click.echo(result.get("reason", "demo data already present; nothing done"))
        return
    click.echo(", ".join(f"{k}={v}" for k, v in result.items() if k != "logins"))
    print_logins(result.get("logins", []))


def print_logins(logins: list[dict]) -> None:
    if not logins:
        return
    click.echo("\nDemo logins (demo password, change in production):")
    for login in logins:
        click.echo(f"  {login['username']:<10} {login['role']:<16} {login['password']:<14} {login.get('bound_to', '')}")


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True)
@click.option("--password", required=True)
@click.option("--community-id", type=int)
@click.option("--organization-id", type=int)
@click.option("--volunteer-id", type=int)
@click.option("--social-worker-id", type=int)
def users_create(username, role, password, community_id, organization_id, volunteer_id, social_worker_id):
    """Create an account bound to what its role acts for."""
    from linkage.errors import DomainError
    from linkage.services.accounts import create_user
    platform = _platform()
    try:
        with platform.uow() as uow:
            user = create_user(uow, platform.passwords, username=username, password=password,
                               role=role, community_id=community_id,
                               organization_id=organization_id, volunteer_id=volunteer_id,
                               social_worker_id=social_worker_id)
    except DomainError as err:
        from linkage.i18n import render
        body = render(err)
        click.echo(f"error: {body['message']} ({body['reason']}) {body.get('errors', '')}", err=True)
        sys.exit(2)
    click.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@main.command()
@click.option("--no-broker", is_flag=True, help="purge the database only, not the dead-letter topic")
def purge(no_broker: bool) -> None:
    """Delete what is kept no longer than its retention: sent outbox rows, dead letters, failed logins,
    uncommitted import uploads.

    Days from LINKAGE_RETAIN_OUTBOX_DAYS (7), LINKAGE_RETAIN_DEAD_LETTERS_DAYS (30) and
    LINKAGE_RETAIN_LOGIN_FAILURES_DAYS (30); hours from LINKAGE_RETAIN_IMPORT_UPLOADS_HOURS (24).
    Bearer tokens are signed and expire by themselves: none is stored, so none is purged. The relay runs this once a day.
    """
    from events.retention import run_purge
    platform = _platform("linkage-purge")
    try:
        counts = run_purge(platform, None if no_broker else platform.settings.bootstrap_servers)
    finally:
        platform.dispose()
    click.echo("purged: " + ", ".join(f"{k}={'n/a' if v is None else v}" for k, v in counts.items()))


@main.group()
def invitations() -> None:
    """Invitations (邀请) sent from needs' matches."""


@invitations.command("expire")
def invitations_expire() -> None:
    """Mark pending invitations whose need can no longer be claimed, or whose activity is over, as expired
    (each announced as linkage.invitation.answered.v1). Run it from a timer, e.g. hourly."""
    from linkage.services.invitations import expire_invitations
    platform = _platform("linkage-invitations")
    try:
        with platform.uow() as uow:
            expired = expire_invitations(uow)
    finally:
        platform.dispose()
    click.echo(f"expired invitations: {expired}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn web workers")
@click.option("--no-seed", is_flag=True, help="skip demo data")
@click.option("--broker", "broker_kind", type=click.Choice(["tansu", "kafka"]), default=None,
              help="the broker to start when KAFKA_BOOTSTRAP_SERVERS is unset: Apache Kafka 4, "
                   "or the light embedded Tansu (default: LINKAGE_BROKER or kafka)")
def run(host: str, port: int, workers: int, no_seed: bool, broker_kind: str | None) -> None:
    """Migrate, seed, and run everything: broker, web, relay, matcher, projector, notifier."""
    from linkage.supervisor import run_platform
    sys.exit(run_platform(host=host, port=port, web_workers=workers, seed=not no_seed,
                          broker_kind=broker_kind))


@main.group()
def keys() -> None:
    """Field encryption keys (LINKAGE_FIELD_KEY) and the signing key (LINKAGE_SIGNING_KEY)."""


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def keys_rotate(batch_size: int) -> None:
    """Re-encrypt every encrypted field with the newest key (the first of LINKAGE_FIELD_KEY)."""
    from linkage.services.keys import rotate_keys
    platform = _platform("linkage-keys")
    try:
        counts = rotate_keys(platform.uow, platform.cipher, batch_size=batch_size)
    finally:
        platform.dispose()
    for field_name, tally in counts.items():
        click.echo(f"{field_name}: {tally['fields'] + tally['unreadable']} fields, "
                   f"{tally['re-encrypted']} re-encrypted, {tally['re-digested']} re-digested, "
                   f"{tally['unreadable']} unreadable")
    if any(tally["unreadable"] for tally in counts.values()):
        click.echo("error: some fields open with none of the configured keys (left unchanged)", err=True)
        sys.exit(1)


@keys.command("signing-key")
def keys_signing_key() -> None:
    """Print a new Ed25519 signing key for LINKAGE_SIGNING_KEY (record-transfer exports), once.

    Changing it later makes the platforms that trusted the old public key refuse new exports until
    they register the new one."""
    from linkage.signing import new_signing_key
    click.echo(new_signing_key())


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain; exit 1 naming the first bad entry if it fails."""
    from linkage.audit import verify_trail
    platform = _platform()
    try:
        with platform.read_session() as session:
            result = verify_trail(session)
    finally:
        platform.dispose()
    if result["valid"]:
        click.echo(f"audit chain valid: {result['entries']} entries, head {result['head_seq']} {result['head_hash']}")
        return
    click.echo(f"audit chain INVALID ({result['problem']}): first bad entry id {result['first_bad_entry_id']}, "
               f"seq {result['first_bad_seq']}; {result['entries']} entries read, head {result['head_seq']}",
               err=True)
    sys.exit(1)


@main.command("report")
@click.option("--period", required=True, help="a month YYYY-MM (月报) or a year YYYY (年报), China's time")
@click.option("--district", default=None, help="the district's name (none: every district)")
@click.option("--street", default=None, help="the street's (街道) name")
@click.option("--community-id", type=int, default=None, help="a community's id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the file to write: .xlsx or .pdf")
def report(period: str, district: str | None, street: str | None, community_id: int | None, out: str) -> None:
    """Write the monthly or yearly report (报表) of a scope, as the district's auditors read it."""
    from linkage.errors import DomainError
    from linkage.models import Role
    from linkage.permissions import Actor
    from linkage.reports.monthly_pdf import render_report_pdf
    from linkage.reports.report_xlsx import render_workbook
    from linkage.services.reports import compile_report
    if not out.endswith((".xlsx", ".pdf")):
        raise click.BadParameter("the file ends in .xlsx or .pdf", param_hint="--out")
    operator = Actor(user_id=None, role=Role.AUDITOR.value, username="cli")  # reads every scope, changes nothing
    platform = _platform()
    try:
        with platform.read_session() as session:
            found = compile_report(session, operator, period=period, district=district, street=street,
                                   community_id=community_id)
    except DomainError as err:
        raise click.ClickException(f"{err.code} {err.errors or ''}".strip()) from None
    finally:
        platform.dispose()
    body = render_report_pdf(found) if out.endswith(".pdf") else render_workbook(found)
    with open(out, "wb") as file:
        file.write(body)
    click.echo(f"{out}: {found['scope']['name']} {found['period']['label']}, {len(body)} bytes")


# The event workers (relay, matcher, projector, broker, ...) live with the event spine.
register_event_commands(main)

if __name__ == "__main__":
    main()
