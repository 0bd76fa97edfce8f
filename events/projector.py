"""The projector: stores each `linkage.need.matched.v1` through the service layer, once per event id."""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from events.consumer import ConsumerLoop
from events.envelope import Event, parse_time
from events.kafka_types import Record
from events.topics import MATCHES
from linkage.catalogue import Topics, of_topic
from linkage.services.matches import Ranking, record_matches, record_rankings
from linkage.uow import UnitOfWork

if TYPE_CHECKING:
    from linkage.config import Settings
    from linkage.platform import Platform

log = logging.getLogger(__name__)

CONSUMER = "projector"


class Projector:
    def __init__(self, platform: Platform, bootstrap: str, *, group_id: str = "projector",
                 name: str = "projector", stop: threading.Event | None = None,
                 consumer_config: dict[str, Any] | None = None,
                 producer_config: dict[str, Any] | None = None) -> None:
        self.platform, self.bootstrap = platform, bootstrap
        self.stop_event = stop or threading.Event()
        self.stored = 0
        self.loop = ConsumerLoop(name=name, bootstrap=bootstrap, group_id=group_id, topics=[MATCHES],
                                 handle=self.handle, handle_batch=self.handle_batch,
                                 accept=of_topic(Topics.MATCHES),
                                 stop=self.stop_event, consumer_config=consumer_config,
                                 producer_config=producer_config)

    @staticmethod
    def _store(uow: UnitOfWork, event: Event) -> bool:
        data = event.data
        return record_matches(uow, consumer=CONSUMER, event_id=event.id, need_id=data["need_id"],
                              ranked_at=parse_time(data["ranked_at"]), matches=data["matches"],
                              need_version=data["need_event_id"])

    def handle_batch(self, items: list[tuple[Record, Event]]) -> None:
        """All of a poll's rankings in one transaction: one commit instead of one per need."""
        rankings = [Ranking(event.id, event.data["need_id"], parse_time(event.data["ranked_at"]),
                            event.data["matches"], event.data["need_event_id"]) for _record, event in items]
        with self.platform.uow() as uow:
            changed = record_rankings(uow, consumer=CONSUMER, rankings=rankings)
            uow.commit()  # an IntegrityError here makes the loop retry one by one
        self.stored += changed

    def handle(self, record: Record, event: Event) -> None:
        with self.platform.uow() as uow:
            changed = self._store(uow, event)
            try:
                uow.commit()
            except IntegrityError:
                # Another projector stored the same event first: that is the idempotent outcome.
                log.info("matched event %s was stored concurrently", event.id)
                return
        if changed:
            self.stored += 1

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        from events.runtime import prepare_topics

        if prepare_topics(self.bootstrap, self.stop_event):
            self.loop.run()


def run_projector(settings: Settings, stop: threading.Event | None = None, *,
                  platform: Platform | None = None) -> None:
    """`linkage projector`: runs until `stop` is set (or SIGTERM when called from the CLI)."""
    from events.producer import producer_config
    from events.runtime import bootstrap_for
    from linkage.platform import build_platform

    platform = platform or build_platform(settings, source="linkage-projector")
    Projector(platform, bootstrap_for(settings), stop=stop,
              producer_config=producer_config(settings.broker_kind)).run()
