"""The production server (gunicorn with linkage.gunicorn_conf) as a real process: an over-long
request line is a 414 in the JSON error shape, whether the app refuses it (over
LINKAGE_MAX_URL_BYTES) or gunicorn does (over its 8190-byte request line)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from events.broker import free_port
from linkage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


def _raw_get(port: int, target: str) -> tuple[int, dict, dict]:
    """Sends a GET with this exact request target; returns status, headers and the JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'linkage.db'}"
    upgrade(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LINKAGE_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
           "LINKAGE_LOG_LEVEL": "warning"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:linkage.gunicorn_conf",
                                "app:create_app()"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)


def test_gunicorn_answers_over_long_request_lines_with_a_json_414(gunicorn_port):
    status, headers, body = _raw_get(gunicorn_port, "/api/v1/categories")
    assert status == 200 and "categories" in body

    # Over the app's limit, under gunicorn's: the app refuses it.
    status, headers, body = _raw_get(gunicorn_port, "/api/v1/categories?q=" + "x" * 5000)
    assert status == 414 and headers["content-type"].startswith("application/json")
    assert body["code"] == 414 and "4096" in body["message"]

    # Over gunicorn's own 8190-byte request line: gunicorn refuses it, in the same shape.
    status, headers, body = _raw_get(gunicorn_port, "/api/v1/categories?q=" + "x" * 9000)
    assert status == 414 and headers["content-type"] == "application/json"
    assert body["code"] == 414 and body["status"] == "URI Too Long" and body["message"]
