"""Click commands for the workers; `register(group)` adds them to the `linkage` command."""
from __future__ import annotations

import threading

import click


def _settings():
    from linkage.config import settings_from_env
    return settings_from_env()


def _worker(run) -> None:
    from events.runtime import configure_logging, serve_metrics, stop_on_signals

    configure_logging()
    serve_metrics()
    stop = threading.Event()
    stop_on_signals(stop)
    run(_settings(), stop)


@click.command("relay")
def relay() -> None:
    """Publish the outbox to Kafka (runs until SIGTERM/Ctrl-C)."""
    from events.relay import run_relay
    _worker(run_relay)


@click.command("matcher")
@click.option("--top-k", default=20, show_default=True, envvar="LINKAGE_MATCHER_TOP_K",
              help="providers ranked per kind for each need")
def matcher(top_k: int) -> None:
    """Rank needs from linkage.needs and publish linkage.need.matched.v1 (group `matcher`)."""
    from events.matcher import run_matcher
    _worker(lambda settings, stop: run_matcher(settings, stop, k=top_k))


@click.command("projector")
def projector() -> None:
    """Store the matcher's rankings in the database (group `projector`)."""
    from events.projector import run_projector
    _worker(run_projector)


@click.command("broker")
@click.option("--port", type=int, help="default: LINKAGE_BROKER_PORT or 19092")
def broker(port: int | None) -> None:
    """Run the embedded Kafka-compatible broker (Tansu, in memory) in the foreground."""
    from events.broker import EmbeddedBroker
    from events.runtime import configure_logging, prepare_topics, stop_on_signals

    configure_logging()
    stop = threading.Event()
    stop_on_signals(stop)
    port = port or _settings().embedded_broker_port
    with EmbeddedBroker(port, quiet=False) as embedded:
        prepare_topics(embedded.bootstrap, stop)
        click.echo(f"embedded broker on {embedded.bootstrap} (Ctrl-C stops it; memory only)")
        while not stop.wait(0.5):
            if not embedded.running:
                raise SystemExit("the embedded broker exited")


@click.group("providers")
def providers() -> None:
    """The providers topic."""


@providers.command("republish")
def providers_republish() -> None:
    """Queue an upsert event for every active provider (the relay publishes them)."""
    from linkage.platform import build_platform
    from linkage.services.providers import republish_providers

    platform = build_platform(_settings(), source="linkage-cli")
    with platform.uow() as uow:
        count = republish_providers(uow)
    click.echo(f"queued {count} provider events")


@click.group("topics")
def topics() -> None:
    """Kafka topics."""


@topics.command("create")
def topics_create() -> None:
    """Create any missing topic (idempotent)."""
    from events.runtime import bootstrap_for
    from events.topics import admin_client, ensure_topics

    admin = admin_client(bootstrap_for(_settings()))
    try:
        created = ensure_topics(admin)
    finally:
        admin.close()
    click.echo("created: " + (", ".join(created) if created else "nothing (all exist)"))


COMMANDS = (relay, matcher, projector, broker, providers, topics)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)


if __name__ == "__main__":  # `python -m events.cli relay`
    @click.group()
    def _main() -> None:
        """Linkage event workers."""

    register(_main)
    _main()
