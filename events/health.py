"""Readiness probe for the broker, used by /readyz and by the embedded broker's start-up."""
from __future__ import annotations


def broker_ready(bootstrap: str, timeout: float = 2.0) -> bool:
    """True when a Kafka-protocol broker at `bootstrap` answers a metadata request in time."""
    from kafka import KafkaAdminClient

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000),
                                 bootstrap_timeout_ms=int(timeout * 1000),
                                 client_id="linkage-health")
    except Exception:
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        try:
            admin.close()
        except Exception:
            pass
