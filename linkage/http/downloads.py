"""A file as an answer: the body, its media type and a download name that may be Chinese (RFC 6266
filename* with an ASCII fallback), in one place for every page and endpoint that hands out a file."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(body: bytes, filename: str, mimetype: str) -> Response:
    """`body` served as a download named `filename` (e.g. 志愿者名册-2026-12.xlsx)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    if ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})
