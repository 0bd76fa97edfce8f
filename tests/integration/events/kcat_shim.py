"""A byte-level TCP relay between kcat and Tansu that drops ApiVersions' optional tagged fields.

Why: Tansu 0.6 answers ApiVersions v3 with every optional tagged field (SupportedFeatures,
FinalizedFeaturesEpoch=-1, ...), which is valid Kafka protocol, but Debian 12's librdkafka
2.0.2 misreads it ("Read underflow") and gives up before sending anything. Apache Kafka
omits default-valued tags, so kcat works against it directly. Every other byte — metadata,
produce, fetch, and our events — passes through untouched.
"""

from __future__ import annotations

import socket
import struct
import threading

API_VERSIONS = 18


def _read_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _frames(sock: socket.socket):
    while True:
        head = _read_exact(sock, 4)
        if head is None:
            return
        body = _read_exact(sock, struct.unpack(">i", head)[0])
        if body is None:
            return
        yield body


def _strip_tags(body: bytes) -> bytes:
    # Response header v0 (correlation id), error_code, compact array of 7-byte entries,
    # throttle_time_ms, then the tagged fields we replace with "no tags".
    count = body[6] - 1
    end = 7 + count * 7 + 4
    return body[:end] + b"\x00"


class KcatShim:
    def __init__(self, listen_port: int, broker_port: int):
        self.listen_port, self.broker_port = listen_port, broker_port
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", listen_port))
        self.server.listen(64)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.broker_port))
            except OSError:
                client.close()
                continue
            flexible: set[int] = set()
            threading.Thread(target=self._requests, args=(client, upstream, flexible), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client, flexible), daemon=True).start()

    @staticmethod
    def _requests(client, upstream, flexible: set) -> None:
        def mark(body: bytes) -> bytes:
            api_key, version, correlation = struct.unpack(">hhi", body[:8])
            if api_key == API_VERSIONS and version >= 3:
                flexible.add(correlation)
            return body

        _pump(client, upstream, mark)

    @staticmethod
    def _responses(upstream, client, flexible: set) -> None:
        def strip(body: bytes) -> bytes:
            correlation = struct.unpack(">i", body[:4])[0]
            if correlation in flexible:
                flexible.discard(correlation)
                return _strip_tags(body)
            return body

        _pump(upstream, client, strip)

    def close(self) -> None:
        self.closed = True
        self.server.close()


def _pump(source, sink, rewrite) -> None:
    """Forwards every frame from source to sink, as `rewrite` gives it back; shuts both at the end."""
    try:
        for body in _frames(source):
            body = rewrite(body)
            sink.sendall(struct.pack(">i", len(body)) + body)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
