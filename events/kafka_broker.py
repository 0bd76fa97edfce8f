"""Apache Kafka's own broker (KRaft: one JVM per node, controller + broker), fetched from Maven Central.

`deploy/kafka/pom.xml` pins the version; `fetch_kafka()` copies its jars into deploy/kafka/lib
once (Maven's own cache keeps them between clones). `KafkaBroker` formats a storage dir and
runs one node; `KafkaCluster` runs several nodes that vote together (the three-broker run).
Same surface as `events.broker.EmbeddedBroker`: bootstrap, start, stop, kill, restart.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from events.broker import BrokerProcess, free_port, port_open

log = logging.getLogger(__name__)

KAFKA_DIR = Path(__file__).resolve().parent.parent / "deploy" / "kafka"
MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
# A small node: the platform's topics are few and its records are small. Serial GC keeps the
# footprint and thread count down on 2 cores; the heap cap keeps `linkage run` light.
DEFAULT_HEAP = os.environ.get("LINKAGE_KAFKA_HEAP", "256m")
JVM_OPTIONS = ["-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]
# The C1 compiler only: about a second sooner ready, for slower steady-state work; what tests
# and the storage tool want, not a benchmark.
QUICK_START = ["-XX:TieredStopAtLevel=1"]

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.file.ref = file
"""


class KafkaUnavailable(RuntimeError):
    """Java or Maven is missing, or the jars could not be fetched: says what to install."""


def _need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise KafkaUnavailable(f"Apache Kafka needs `{program}`, which is not on PATH: "
                               f"install Debian's {package} (apt-get install {package})")
    return path


def java_binary() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").exists():
        return str(Path(java_home, "bin", "java"))
    return _need("java", "openjdk-17-jre-headless")


def fetch_kafka(kafka_dir: Path = KAFKA_DIR) -> Path:
    """The folder of jars, fetched by Maven the first time (and again when the pom changes)."""
    lib = kafka_dir / "lib"
    pom = kafka_dir / "pom.xml"
    want = hashlib.sha256(pom.read_bytes()).hexdigest()
    stamp = lib / ".fetched"
    if stamp.exists() and stamp.read_text().strip() == want:
        return lib
    mvn = _need("mvn", "maven")
    java_binary()
    kafka_dir.mkdir(parents=True, exist_ok=True)
    # Two test workers or a benchmark starting together must not copy into lib/ at once.
    with open(kafka_dir / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text().strip() == want:
            return lib
        log.info("fetching Apache Kafka with Maven into %s", lib)
        if lib.exists():
            shutil.rmtree(lib)
        result = subprocess.run([mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies"],
                                capture_output=True, text=True)
        if result.returncode != 0 or not any(lib.glob("kafka_2.13-*.jar")):
            raise KafkaUnavailable("fetching Apache Kafka with Maven failed:\n"
                                   + (result.stdout + result.stderr)[-4000:])
        stamp.write_text(want + "\n")
    return lib


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid).
    Like Kafka's own Uuid.randomUuid(), never one starting with "-", which reads as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaBroker(BrokerProcess):
    """One KRaft node on 127.0.0.1: broker on `port`, controller on `controller_port`."""

    kind = "kafka"
    keeps_data_on_restart = True  # unlike the in-memory embedded broker

    def __init__(self, port: int | None = None, *, data_dir: str | Path | None = None,
                 node_id: int = 1, controller_port: int | None = None, voters: str | None = None,
                 cluster_id: str | None = None, replication: int = 1, min_insync: int = 1,
                 heap: str = DEFAULT_HEAP, log_level: str = "WARN", quiet: bool = True,
                 quick_start: bool = False):
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.node_id = node_id
        self.voters = voters or f"{node_id}@127.0.0.1:{self.controller_port}"
        self.cluster_id = cluster_id
        self.replication, self.min_insync = replication, min_insync
        self.heap, self.log_level, self._quiet = heap, log_level, quiet
        self.jvm_options = JVM_OPTIONS + (QUICK_START if quick_start else [])
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="linkage-kafka-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0, wait: bool = True) -> "KafkaBroker":
        if self.running:
            return self
        lib = fetch_kafka()
        self._write_config()
        self._format(lib)
        out = subprocess.DEVNULL if self._quiet else None
        self._process = subprocess.Popen(
            [java_binary(), f"-Xmx{self.heap}", "-Xms64m", *self.jvm_options,
             f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
             "-cp", f"{lib}/*", MAIN_CLASS, str(self.data_dir / "server.properties")],
            stdout=out, stderr=out, start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> "KafkaBroker":
        from events.health import broker_ready

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Apache Kafka node {self.node_id} exited with "
                                   f"{self._process.returncode}:\n{self.log_tail()}")
            if port_open("127.0.0.1", self.port) and broker_ready(self.bootstrap, timeout=2.0):
                log.info("Apache Kafka node %s ready on %s", self.node_id, self.bootstrap)
                return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"Apache Kafka did not answer on {self.bootstrap}:\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        """Controlled shutdown (SIGTERM): leadership moves, logs are flushed."""
        self._terminate(timeout, 10, timeout)

    def kill(self) -> None:
        """SIGKILL: the node dies as in a power cut (its data dir stays for a restart)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        self._wait_port_free(10)

    def wipe(self) -> None:
        """Forget every topic, offset and group: the next start formats a new, empty cluster."""
        assert not self.running, "wipe a stopped broker"
        for child in ("logs", "server.properties"):
            path = self.data_dir / child
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        self.cluster_id = None

    def restart(self) -> "KafkaBroker":
        """Stop and start on the same ports and data: topics and committed offsets survive."""
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        path = self.data_dir / "server.log"
        if not path.exists():
            return "(no server.log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- KRaft set-up -----------------------------------------------------------------------
    def _write_config(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logs = self.data_dir / "logs"
        settings = {
            "process.roles": "broker,controller",
            "node.id": self.node_id,
            "controller.quorum.voters": self.voters,
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": logs,
            # Topics are created by `ensure_topics` with their partition counts, never implicitly.
            "auto.create.topics.enable": "false",
            "default.replication.factor": self.replication,
            "min.insync.replicas": self.min_insync,
            "offsets.topic.replication.factor": self.replication,
            "offsets.topic.num.partitions": 4,
            "transaction.state.log.replication.factor": self.replication,
            "transaction.state.log.min.isr": self.min_insync,
            "share.coordinator.state.topic.replication.factor": self.replication,
            "share.coordinator.state.topic.min.isr": self.min_insync,
            # A consumer joining an empty group is not held back 3 s waiting for others.
            "group.initial.rebalance.delay.ms": 0,
            # The controller unfences a new broker on a heartbeat: 500 ms instead of 2 s apart
            # makes a node ready sooner (and notices a dead one sooner).
            "broker.heartbeat.interval.ms": 500,
            "num.network.threads": 2,
            "num.io.threads": 2,
            "log.segment.bytes": 16 * 1024 * 1024,
        }
        (self.data_dir / "server.properties").write_text(
            "".join(f"{key}={value}\n" for key, value in settings.items()))
        (self.data_dir / "log4j2.properties").write_text(
            LOG4J2.format(log_file=self.data_dir / "server.log", level=self.log_level))

    def _format(self, lib: Path) -> None:
        """`kafka-storage format` once per data dir; a formatted dir is kept as it is."""
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        self.cluster_id = self.cluster_id or new_cluster_id()
        result = subprocess.run(
            [java_binary(), "-Xmx128m", *JVM_OPTIONS, *QUICK_START,
             f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
             "-cp", f"{lib}/*", STORAGE_TOOL, "format", f"--cluster-id={self.cluster_id}",
             "-c", str(self.data_dir / "server.properties"), "--ignore-formatted"],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("formatting the KRaft storage failed:\n" + result.stdout + result.stderr)


class KafkaCluster:
    """`size` KRaft nodes on one machine, each controller + broker, voting together."""

    kind = "kafka"
    keeps_data_on_restart = True

    def __init__(self, size: int = 3, *, replication: int | None = None, min_insync: int | None = None,
                 heap: str = DEFAULT_HEAP):
        replication = replication or size
        min_insync = min_insync or max(1, replication - 1)
        ports = [(free_port(), free_port()) for _ in range(size)]
        voters = ",".join(f"{i + 1}@127.0.0.1:{cport}" for i, (_, cport) in enumerate(ports))
        cluster_id = new_cluster_id()
        self.nodes = [KafkaBroker(port, node_id=i + 1, controller_port=cport, voters=voters,
                                  cluster_id=cluster_id, replication=replication,
                                  min_insync=min_insync, heap=heap)
                      for i, (port, cport) in enumerate(ports)]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    def node(self, node_id: int) -> KafkaBroker:
        return self.nodes[node_id - 1]

    def start(self, timeout: float = 90.0) -> "KafkaCluster":
        # All voters must be up before any of them can elect a controller: start, then wait.
        for node in self.nodes:
            node.start(wait=False)
        for node in self.nodes:
            node.wait_ready(timeout)
        return self

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    def __enter__(self) -> "KafkaCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
