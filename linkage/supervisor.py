"""`linkage run`: one command that brings the whole platform up and takes it down on Ctrl-C."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

import click

from linkage.config import PROJECT_ROOT, settings_from_env


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def _wait_for_web(host: str, port: int, timeout: float) -> bool:
    """Gunicorn binds its port before its worker has imported the app; "running" is announced
    only once /healthz answers, so the first page a user opens does not wait on the import."""
    local = "127.0.0.1" if host in ("0.0.0.0", "") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{local}:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return True
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    return False


def _wait_for_broker(child: Child, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.alive():
        if _port_open("127.0.0.1", port):
            return True
        time.sleep(0.2)
    return False


def _linkage(*args: str) -> list[str]:
    return [sys.executable, "-m", "linkage.cli", *args]


def _prepare(settings, seed: bool) -> list[dict]:
    from linkage.migrate import upgrade
    from linkage.platform import build_platform

    click.echo("==> migrating " + settings.database_url.split("@")[-1])
    upgrade(settings.database_url, field_key=settings.field_key)
    if not seed:
        return []
    from linkage.demo import demo_logins, seed_demo
    click.echo("==> seeding demo data (first run only)")
    platform = build_platform(settings, source="linkage-seed")
    try:
        result = seed_demo(platform)
    finally:
        platform.dispose()
    return result.get("logins") or demo_logins()


def _stop_all(children: list[Child]) -> None:
    for child in reversed(children):
        if child.alive():
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in reversed(children):
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()


def _metrics_env(env: dict, offset: int) -> dict:
    """LINKAGE_METRICS_PORT=N gives the relay N, the matcher N+1, the projector N+2, the notifier N+3."""
    base = env.get("LINKAGE_METRICS_PORT", "").strip()
    if not base.isdigit():
        return env
    return {**env, "LINKAGE_METRICS_PORT": str(int(base) + offset)}


def run_platform(*, host: str, port: int, web_workers: int, seed: bool,
                 broker_kind: str | None = None) -> int:
    settings = settings_from_env()
    kind = broker_kind or settings.broker_kind
    logins = _prepare(settings, seed)
    env = dict(os.environ)
    children: list[Child] = []
    if not settings.kafka_bootstrap_servers:
        broker_port = settings.embedded_broker_port
        if _port_open("127.0.0.1", broker_port):
            click.echo(f"port {broker_port} is taken; set LINKAGE_BROKER_PORT", err=True)
            return 1
        children.append(Child("broker", _linkage("broker", "--port", str(broker_port), "--kind", kind), env))
        env = {**env, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}", "LINKAGE_BROKER": kind}
    children += [
        Child("web", [sys.executable, "-m", "gunicorn", "--config", "python:linkage.gunicorn_conf",
                      "--workers", str(web_workers), "--bind", f"{host}:{port}",
                      # app.py sits at the project root: `linkage run` works from any directory.
                      "--chdir", str(PROJECT_ROOT), "app:create_app()"], env),
        Child("relay", _linkage("relay"), _metrics_env(env, 0)),
        Child("matcher", _linkage("matcher"), _metrics_env(env, 1)),
        Child("projector", _linkage("projector"), _metrics_env(env, 2)),
        Child("notifier", _linkage("notifier"), _metrics_env(env, 3)),
    ]
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        for child in children:
            child.start()
            # Apache Kafka's first start also fetches its jars with Maven (about half a minute).
            if child.name == "broker" and not _wait_for_broker(child, settings.embedded_broker_port,
                                                               180 if kind == "kafka" else 30):
                click.echo(f"the broker ({kind}) did not start", err=True)
                return 1
        if not _wait_for_web(host, port, 180):
            click.echo("the web server did not start", err=True)
            return 1
        _announce(host, port, settings, logins, kind)
        while not stopping:
            time.sleep(0.5)
            for child in children:
                if not child.alive() and not stopping:
                    _restart(child)
        return 0
    finally:
        click.echo("\n==> stopping " + ", ".join(c.name for c in reversed(children)))
        _stop_all(children)


def _restart(child: Child) -> None:
    """A worker that dies is restarted (consumers resume from their committed offsets)."""
    now = time.monotonic()
    child.restarts = [t for t in child.restarts if now - t < 60] + [now]
    code = child.process.returncode if child.process else None
    click.echo(f"!! {child.name} exited ({code}); restarting", err=True)
    if len(child.restarts) > 5:
        time.sleep(5)  # crash loop: do not spin
    child.start()


def _announce(host: str, port: int, settings, logins: list[dict], kind: str) -> None:
    url = f"http://{host}:{port}"
    click.echo("")
    click.echo(f"Linkage is running: {url}")
    click.echo(f"  pages        {url}/login   dashboard {url}/dashboard")
    click.echo(f"  API docs     {url}/docs")
    click.echo(f"  health       {url}/healthz   readiness {url}/readyz")
    click.echo(f"  database     {settings.database_url}")
    click.echo(f"  broker       {settings.kafka_bootstrap_servers or f'{kind}, 127.0.0.1:{settings.embedded_broker_port}'}")
    if logins:
        click.echo("  demo logins (demo passwords: never use them in production)")
        for login in logins:
            click.echo(f"    {login['username']:<10} {login['role']:<16} {login['password']}  {login.get('bound_to', '')}")
    click.echo("Ctrl-C stops everything.")
