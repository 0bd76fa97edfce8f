"""Production gunicorn settings: `gunicorn -c python:linkage.gunicorn_conf 'app:create_app()'`.

Every value can be overridden on the command line or by gunicorn's own environment variables
(GUNICORN_CMD_ARGS, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS). See docs/operations.md.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import shutil
import tempfile

# prometheus_client chooses file-backed (multiprocess) values when it is first imported, so
# the directory must be known before any worker imports the app.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="linkage-prometheus-")
_METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"]
_MASTER_PID = os.getpid()


@atexit.register
def _remove_own_metrics_dir() -> None:
    # Also when the master gives up at boot (on_exit is not called then). Forked workers inherit
    # this handler: only the process that made the directory removes it.
    if _OWN_METRICS_DIR and os.getpid() == _MASTER_PID:
        shutil.rmtree(_METRICS_DIR, ignore_errors=True)


from gunicorn import util as gunicorn_util  # noqa: E402

from linkage.observability.logs import configure_logging  # noqa: E402 - after the env above

bind = os.environ.get("LINKAGE_BIND", "0.0.0.0:8000")
# Sync workers: a request is a short database transaction (no request waits on Kafka), so the
# classic (2 × cores) + 1 keeps the cores busy while some workers wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = int(os.environ.get("LINKAGE_WEB_TIMEOUT", "30"))  # a stuck worker is killed and replaced
graceful_timeout = 30  # on SIGTERM, in-flight requests get this long to finish
keepalive = 5  # behind a load balancer whose idle timeout is longer than this
max_requests = 5000  # recycle workers now and then (slow leaks), staggered by the jitter
max_requests_jitter = 500
preload_app = False  # each worker builds its own engine: no database connection crosses a fork
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeats off slow overlay disks
proc_name = "linkage-web"

# gunicorn's longest request line (its maximum; its default is 4094): the app itself refuses a URL
# over LINKAGE_MAX_URL_BYTES (4096) with a 414 in the JSON error shape, so that is the limit a
# client meets. Beyond 8190 bytes gunicorn answers itself, in the same shape (_json_error below).
limit_request_line = 8190

# Proxies allowed to set X-Forwarded-Proto/-For (gunicorn's default: 127.0.0.1,::1). Set
# FORWARDED_ALLOW_IPS to your proxy's address; never "*" unless only the proxy can reach us.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: JSON lines on stderr, the access log included (with the request id).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LINKAGE_LOG_LEVEL", "info").lower()
logger_class = "linkage.observability.access.JsonLogger"
configure_logging()  # the app's own loggers (root): JSON too, inherited by every worker


def _json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own refusals (a request line over limit_request_line: 414; a malformed request:
    400; headers too large: 431) in the API's JSON error shape (DESIGN §7) instead of its HTML page."""
    body = json.dumps({"code": status_int, "status": reason, "message": mesg or reason}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin1")
    gunicorn_util.write_nonblock(sock, head + body)


gunicorn_util.write_error = _json_error  # the one function gunicorn's workers answer errors with


def on_starting(server) -> None:
    """A fresh master starts from empty metric files (old workers' counts are not ours)."""
    for name in os.listdir(_METRICS_DIR):
        path = os.path.join(_METRICS_DIR, name)
        (shutil.rmtree if os.path.isdir(path) else os.remove)(path)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
