"""Observability: JSON logs that carry the request id, Prometheus metrics for web and workers."""
from linkage.observability.logs import JsonFormatter, bind, configure_logging, current_request_id, event_context

__all__ = ["JsonFormatter", "bind", "configure_logging", "current_request_id", "event_context"]
