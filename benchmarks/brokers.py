"""Start time and memory of the two brokers `linkage run` can start (not a test; about a minute):

    python benchmarks/brokers.py [--records 20000] [--runs 3]

For Tansu (embedded) and Apache Kafka 4 (one KRaft node, as `linkage broker --kind kafka`
runs it): seconds from launch to the first metadata answer, on an empty data dir (cold: for
Kafka that includes formatting the storage) and on the dir of the previous run (warm); resident
memory (VmRSS, and its peak VmHWM) once the platform's topics exist and after `--records` 1 KB
records were produced and read back. The figures and the choice they support are in
docs/operations.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from events.broker import BROKER_KINDS, make_broker  # noqa: E402
from events.consumer import make_consumer  # noqa: E402
from events.producer import make_producer, producer_config  # noqa: E402
from events.topics import NEEDS, admin_client, ensure_topics  # noqa: E402


def memory_mib(pid: int) -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)


def traffic(bootstrap: str, kind: str, records: int) -> None:
    from kafka import TopicPartition

    producer = make_producer(bootstrap, client_id="bench", **producer_config(kind))
    value = b"x" * 1024
    for i in range(records):
        producer.send(NEEDS, key=str(i).encode(), value=value)
    producer.flush(60)
    producer.close()
    consumer = make_consumer(bootstrap, None, client_id="bench-reader")
    parts = [TopicPartition(NEEDS, p) for p in consumer.partitions_for_topic(NEEDS)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    seen, deadline = 0, time.monotonic() + 120
    while seen < records and time.monotonic() < deadline:
        seen += sum(len(batch) for batch in consumer.poll(timeout_ms=500).values())
    consumer.close()


def measure(kind: str, records: int, runs: int) -> dict:
    cold, warm = [], []
    figures: dict = {}
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix=f"linkage-{kind}-")
        options = {"data_dir": data} if kind == "kafka" else {}
        broker = make_broker(kind, **options)
        started = time.monotonic()
        broker.start()
        cold.append(time.monotonic() - started)
        admin = admin_client(broker.bootstrap)
        ensure_topics(admin)
        admin.close()
        time.sleep(2)
        figures["idle"] = memory_mib(broker.pid)
        traffic(broker.bootstrap, kind, records)
        figures["loaded"] = memory_mib(broker.pid)
        broker.stop()
        started = time.monotonic()
        broker.start()  # same port and data dir
        warm.append(time.monotonic() - started)
        broker.close() if hasattr(broker, "close") else broker.stop()
    figures["cold"], figures["warm"] = statistics.median(cold), statistics.median(warm)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {kind: measure(kind, args.records, args.runs) for kind in BROKER_KINDS}
    print(
        f"median of {args.runs} runs; memory after the topics exist / after {args.records} 1 KB "
        f"records in and out (RSS, peak)"
    )
    print(f"{'broker':<8}{'cold start s':>14}{'warm start s':>14}{'idle MiB':>10}{'loaded MiB':>12}{'peak MiB':>10}")
    for kind, f in results.items():
        print(
            f"{kind:<8}{f['cold']:>14.2f}{f['warm']:>14.2f}{f['idle'][0]:>10.0f}"
            f"{f['loaded'][0]:>12.0f}{f['loaded'][1]:>10.0f}"
        )
    kafka = results["kafka"]
    fits = kafka["cold"] <= 15 and kafka["loaded"][1] <= 600
    print(f"Apache Kafka within 15 s and 600 MiB: {'yes' if fits else 'no'}")


if __name__ == "__main__":
    main()
