"""Retention of dead letters: records on linkage.dlq older than the set days are deleted (DeleteRecords)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from events.topics import DLQ

if TYPE_CHECKING:
    from linkage.platform import Platform

log = logging.getLogger(__name__)


def purge_dead_letters(bootstrap: str, days: int, now: datetime | None = None) -> int | None:
    """Delete the dead letters written more than `days` ago; how many, or None when the broker
    cannot delete records (the embedded Tansu: its memory storage forgets them at restart)."""
    from kafka import TopicPartition

    from events.consumer import make_consumer
    from events.topics import admin_client

    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    consumer = make_consumer(bootstrap, None, client_id="linkage-purge")
    admin = None
    try:
        partitions = [TopicPartition(DLQ, p) for p in sorted(consumer.partitions_for_topic(DLQ) or ())]
        if not partitions:
            return 0
        begins, ends = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
        found = consumer.offsets_for_times({tp: int(cutoff.timestamp() * 1000) for tp in partitions})
        # The first record at or after the cutoff stays; with none, every record is older.
        targets = {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in partitions}
        targets = {tp: offset for tp, offset in targets.items() if offset > begins[tp]}
        if not targets:
            return 0
        admin = admin_client(bootstrap)
        try:
            admin.delete_records(targets)
        except Exception as exc:  # noqa: BLE001 - a broker without DeleteRecords
            log.warning("purge: the broker could not delete dead letters (%s)", exc)
            return None
        deleted: int = sum(offset - begins[tp] for tp, offset in targets.items())
        return deleted
    finally:
        consumer.close(autocommit=False)
        if admin is not None:
            admin.close()


def run_purge(platform: Platform, bootstrap: str | None) -> dict[str, int | None]:
    """`linkage purge` and the relay's daily run: the database's rows, then the broker's dead letters."""
    from linkage.services.retention import purge_database

    settings = platform.settings
    with platform.uow() as uow:
        counts: dict[str, int | None] = dict(purge_database(
            uow, outbox_days=settings.retain_outbox_days, login_failure_days=settings.retain_login_failures_days,
            import_upload_hours=settings.retain_import_uploads_hours))
    counts["dead_letters"] = None
    if bootstrap:
        try:
            counts["dead_letters"] = purge_dead_letters(bootstrap, settings.retain_dead_letters_days)
        except Exception as exc:  # noqa: BLE001 - no broker: the database part is done regardless
            log.warning("purge: dead letters not purged (%s)", exc)
    log.info("purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
