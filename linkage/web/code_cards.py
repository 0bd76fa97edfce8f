"""Printable one-time codes (评价码, 议事码) as cut-out cards: the code, its link and the link's QR code."""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from linkage.http.context import platform
from linkage.reports import qr
from linkage.web.i18n import t


def code_cards(codes: list[str], path_for: Callable[[str], str], qr_label: str = "web.codes.qr_label") -> list[dict]:
    """One card per code; `path_for(code)` is the page the code is typed into, its form filled in;
    `qr_label` the message naming the QR code to a screen reader (with the code)."""
    base = platform().settings.public_base_url.rstrip("/")
    cards = []
    for code in codes:
        link = base + path_for(code)
        cards.append({"code": code, "link": link, "qr": Markup(qr.svg(link, t(qr_label, code=code)))})
    return cards
