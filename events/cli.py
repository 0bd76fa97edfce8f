"""Click commands for the workers; `register(group)` adds them to the `linkage` command."""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Callable

import click

if TYPE_CHECKING:
    from linkage.config import Settings


def _settings() -> Settings:
    from linkage.config import settings_from_env
    return settings_from_env()


def _worker(run: Callable[[Settings, threading.Event], None]) -> None:
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


@click.command("notifier")
def notifier() -> None:
    """Turn domain events and due dates into inbox notifications and send them (group `linkage-notifier`)."""
    from events.notifier import run_notifier
    _worker(run_notifier)


@click.command("broker")
@click.option("--port", type=int, help="default: LINKAGE_BROKER_PORT or 19092")
@click.option("--kind", type=click.Choice(["tansu", "kafka"]), default=None,
              help="kafka: Apache Kafka 4 (KRaft, one node) from Maven Central; tansu: the light "
                   "embedded broker (default: LINKAGE_BROKER or kafka). Both start empty: the "
                   "database is the source of truth and the relay re-sends what a broker lacks.")
def broker(port: int | None, kind: str | None) -> None:
    """Run a broker for development in the foreground, with the platform's topics created."""
    # KafkaBroker.close() removes a temporary data dir; a kept one (LINKAGE_KAFKA_DATA) stays.
    from events.broker import make_broker
    from events.kafka_broker import KafkaUnavailable
    from events.runtime import configure_logging, prepare_topics, stop_on_signals

    configure_logging()
    stop = threading.Event()
    stop_on_signals(stop)
    settings = _settings()
    port = port or settings.embedded_broker_port
    kind = kind or settings.broker_kind
    if kind == "kafka":
        # The controller listens on the next port. The log lives in a temporary dir removed at
        # exit, unless LINKAGE_KAFKA_DATA names one to keep: a log kept for a database that was
        # since reset would feed the matcher providers that no longer exist.
        data_dir = os.environ.get("LINKAGE_KAFKA_DATA") or None
        options = dict(controller_port=port + 1, data_dir=data_dir, log_level="INFO")
        note = f"Apache Kafka 4, data in {data_dir or 'a temporary dir'}"
    else:
        options, note = dict(quiet=False), "Tansu, memory only"
    try:
        started = make_broker(kind, port, **options).start()
    except KafkaUnavailable as exc:
        raise SystemExit(str(exc)) from exc
    try:
        prepare_topics(started.bootstrap, stop)
        click.echo(f"broker on {started.bootstrap} ({note}; Ctrl-C stops it)")
        while not stop.wait(0.5):
            if not started.running:
                raise SystemExit("the broker exited")
    finally:
        started.close()


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


COMMANDS = (relay, matcher, projector, notifier, broker, providers, topics)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)


if __name__ == "__main__":  # `python -m events.cli relay`
    @click.group()
    def _main() -> None:
        """Linkage event workers."""

    register(_main)
    _main()
