"""The web app's metrics: request latency by route template, and event-spine figures read from
the database when Prometheus scrapes `/metrics`.

Under gunicorn (several worker processes) the latency histogram uses prometheus_client's
multiprocess mode: `linkage/gunicorn_conf.py` sets PROMETHEUS_MULTIPROC_DIR before any worker
imports prometheus_client, and every scrape sums all workers' files. Database-derived figures
are the same whichever worker answers, so they are computed at scrape time, not stored.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from linkage.observability.logs import reset_request_id, set_request_id

WEB_REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "linkage_http_request_duration_seconds", "HTTP requests by route template, method and status",
    ["method", "route", "status"], registry=WEB_REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

METRICS_PATH = "/metrics"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class SpineCollector:
    """Outbox backlog, oldest unsent age, events published, events processed per consumer."""

    def __init__(self, platform):
        self.platform = platform

    def collect(self) -> list:
        """Three small aggregate queries per scrape (Prometheus scrapes every 15 s or so)."""
        up = GaugeMetricFamily("linkage_metrics_database_up", "1 if the database answered this scrape")
        try:
            families = self._measure()
        except Exception:  # noqa: BLE001 - the scrape still answers; the figures are missing
            logging.getLogger(__name__).exception("metrics: the database did not answer")
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families]

    def _measure(self) -> list:
        from linkage.models import OutboxEvent, ProcessedEvent

        with self.platform.read_session() as session:
            unsent, oldest = session.execute(
                select(func.count(), func.min(OutboxEvent.created_at))
                .where(OutboxEvent.sent_at.is_(None))).one()
            sent = session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.sent_at.is_not(None)))
            processed = session.execute(select(ProcessedEvent.consumer, func.count())
                                        .group_by(ProcessedEvent.consumer)).all()
        backlog = GaugeMetricFamily("linkage_outbox_unsent", "Outbox rows not yet published")
        backlog.add_metric([], unsent)
        age = GaugeMetricFamily("linkage_outbox_oldest_unsent_age_seconds",
                                "Age of the oldest unpublished outbox row (0 when none)")
        age.add_metric([], _age_seconds(oldest))
        published = CounterMetricFamily("linkage_outbox_published",
                                        "Outbox rows the relay has published (rows marked sent)")
        published.add_metric([], sent)
        by_consumer = CounterMetricFamily("linkage_events_processed",
                                          "Events a consumer has stored its effect for (processed_events)",
                                          labels=["consumer"])
        for consumer, count in processed:
            by_consumer.add_metric([consumer], count)
        return [backlog, age, published, by_consumer]


def _age_seconds(oldest) -> float:
    if oldest is None:
        return 0.0
    from datetime import datetime, timezone
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=timezone.utc)
    return max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _may_scrape() -> bool:
    """Loopback callers (Prometheus beside the app, `curl` on the host) or an admin token.

    A request relayed by a proxy on the same host also arrives from loopback: a forwarding
    header marks it as someone else's, so it needs the token too.
    """
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    if _is_loopback(request.remote_addr) and not forwarded:
        return True
    from linkage.http.context import optional_actor
    actor = optional_actor()
    return actor is not None and actor.role == "admin"


def _exposition(collector: SpineCollector, multiprocess_mode: bool) -> bytes:
    if multiprocess_mode:
        from prometheus_client import multiprocess
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = WEB_REGISTRY
    spine = CollectorRegistry(auto_describe=False)
    spine.register(collector)
    return generate_latest(process_registry) + generate_latest(spine)


def init_observability(app: Flask) -> None:
    """Time every request, bind its request id to log lines, and serve /metrics."""
    collector = SpineCollector(app.extensions["linkage"])
    # prometheus_client's own switch, read once: set by linkage/gunicorn_conf.py for its workers.
    multiprocess_mode = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

    def _start():
        g._metrics_started = time.perf_counter()
        g._log_token = set_request_id(g.get("request_id"))

    def _bind_request_id():
        # linkage.http's hook that reads X-Request-Id runs before this one; the first hook ran before it.
        if g.get("request_id"):
            set_request_id(g.request_id)

    def _observe(response):
        started = g.pop("_metrics_started", None)
        if started is not None and request.path != METRICS_PATH:
            rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            method = request.method if request.method in _METHODS else "other"  # bounded label values
            REQUEST_SECONDS.labels(method, rule, str(response.status_code)).observe(
                time.perf_counter() - started)
        return response

    def _unbind(_exc):
        token = g.pop("_log_token", None)
        if token is not None:
            reset_request_id(token)

    # First of all hooks, so a request rejected by an earlier hook (401) is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.before_request(_bind_request_id)
    app.after_request(_observe)
    app.teardown_request(_unbind)

    def metrics():
        if not _may_scrape():
            from linkage.http.errors import error_body
            return error_body(403, "/metrics: loopback or an admin token only")
        return Response(_exposition(collector, multiprocess_mode), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule(METRICS_PATH, "metrics", metrics, methods=["GET"])
