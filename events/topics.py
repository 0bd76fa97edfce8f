"""The topics, how many partitions each has, and creating them at start-up (idempotent)."""
from __future__ import annotations

import logging
from typing import Iterable

from events.kafka_types import Client
from linkage.catalogue import Topics

log = logging.getLogger(__name__)

NEEDS, PROVIDERS, MATCHES = Topics.NEEDS, Topics.PROVIDERS, Topics.MATCHES
PROJECTS, HOURS, FUNDING, DLQ = Topics.PROJECTS, Topics.HOURS, Topics.FUNDING, Topics.DLQ

# Four partitions: two matchers on these 2-core machines each get two, and a third or fourth
# can still join without repartitioning (a key's partition must never change).
PARTITIONS = {NEEDS: 4, PROVIDERS: 4, MATCHES: 4, PROJECTS: 4, HOURS: 4, FUNDING: 4, DLQ: 1}
# Providers are event-carried state: the latest event per key is all a new matcher needs.
CONFIGS = {PROVIDERS: {"cleanup.policy": "compact"}}
TOPIC_ALREADY_EXISTS = 36


def admin_client(bootstrap: str, timeout: float = 5.0) -> Client:
    from kafka import KafkaAdminClient

    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id="linkage-admin",
                            request_timeout_ms=int(timeout * 1000),
                            bootstrap_timeout_ms=int(timeout * 1000))


def ensure_topics(admin: Client, topics: Iterable[str] | None = None) -> list[str]:
    """Create whichever of our topics are missing; returns the names it created."""
    wanted = list(topics or PARTITIONS)
    existing = set(admin.list_topics())
    missing = [t for t in wanted if t not in existing]
    if not missing:
        return []
    spec = {t: {"num_partitions": PARTITIONS.get(t, 4), "replication_factor": -1,
                "configs": CONFIGS.get(t, {})} for t in missing}
    response = admin.create_topics(spec, raise_errors=False)
    created = []
    for result in response.get("topics", []):
        code = result.get("error_code", 0)
        if code == 0:
            created.append(result["name"])
        elif code != TOPIC_ALREADY_EXISTS:  # another process won the race: fine
            raise RuntimeError(f"creating topic {result['name']} failed: "
                               f"{code} {result.get('error_message')}")
    if created:
        log.info("created topics %s", ", ".join(created))
    return created


def topic_ids(admin: Client, topics: Iterable[str] | None = None) -> dict[str, str | None]:
    """Each topic's id: a broker that came back empty has new ids (or none) for the same names."""
    wanted = list(topics or PARTITIONS)
    described = {t["name"]: t for t in admin.describe_topics(wanted)}
    return {t: (str(described[t].get("topic_id")) if t in described
                and described[t].get("error_code", 0) == 0 else None) for t in wanted}
