"""Helpers of the load benchmark: a tiny HTTP client, percentiles, ports, and CPU time per process."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
from collections import defaultdict
from pathlib import Path


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def port_free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- HTTP client


class Client:
    """One keep-alive-capable connection per thread (gunicorn's sync workers close it: we reconnect)."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, token: str | None = None, body=None) -> tuple[int, dict | None]:
        headers = {"Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                try:
                    return response.status, json.loads(raw) if raw else None
                except ValueError:
                    return response.status, None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A reused connection the server had already closed: retry once on a new one.
                self.conn.close()
                if attempt:
                    raise


def expect(status_body, *ok):
    status, body = status_body
    if status not in ok:
        raise SystemExit(f"setup call failed: {status} {body}")
    return body


# ---------------------------------------------------------------- platform


def process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                children = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                todo += [int(c) for c in children]
        except OSError:
            pass
    return out


def component(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in argv if a]
    joined = " ".join(words)
    if "gunicorn" in joined:
        return "web(gunicorn)"
    for name in ("relay", "matcher", "projector", "broker"):
        if name in words:
            return name
    if words and "tansu" in words[0]:
        return "broker"
    if "run" in words:
        return "supervisor"
    return Path(words[0]).name if words else "?"


def _schedstat(pid: int) -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a core) over all threads of `pid`."""
    cpu = wait = 0.0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            run_ns, wait_ns, _ = Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        cpu, wait = cpu + int(run_ns) / 1e9, wait + int(wait_ns) / 1e9
    return cpu, wait


def cpu_by_component(root_pid: int, database: str | None = None) -> dict[str, tuple[float, float]]:
    """component -> (CPU seconds, run-queue wait seconds), cumulative (live threads only)."""
    totals: dict[str, list] = defaultdict(lambda: [0.0, 0.0])
    for pid in process_tree(root_pid):
        try:
            cpu, wait = _schedstat(pid)
        except OSError:
            continue
        totals[component(pid)][0] += cpu
        totals[component(pid)][1] += wait
    if database:  # the PostgreSQL backends serving the scratch database (not our children)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    argv = Path(f"/proc/{entry}/cmdline").read_bytes()
                    if argv.startswith(b"postgres:") and f" {database} ".encode() in argv:
                        cpu, wait = _schedstat(int(entry))
                        totals["postgresql"][0] += cpu
                        totals["postgresql"][1] += wait
                except (OSError, ValueError):
                    pass
    me = os.times()  # this process, threads that have exited included (schedstat would miss them)
    totals["load generator"][0] = me.user + me.system
    return {k: tuple(v) for k, v in totals.items()}
