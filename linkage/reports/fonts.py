"""The Chinese font every PDF embeds (a subset of it): WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei.

reportlab embeds TrueType outlines only, so the font is a .ttc with glyf tables (Debian's Noto CJK
ships CFF outlines, which reportlab refuses). scripts/bootstrap and the Dockerfile install the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

PACKAGE = "fonts-wqy-zenhei"  # the Debian package that holds FONT_FILE
FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SUBFONT = 0  # in the collection: WenQuanYi Zen Hei (1 is its monospaced face, 2 the bitmap-hinted "Sharp")
NAME = "WenQuanYiZenHei"  # the name a PDF's text is set in


class FontMissing(RuntimeError):
    """No Chinese TrueType font where the PDFs look for it."""


@cache
def chinese_font() -> str:
    """Register the font with reportlab once and return its name for `canvas.setFont`.

    reportlab subsets a TrueType font as it writes: only the glyphs a document uses are embedded."""
    if not FONT_FILE.is_file():
        raise FontMissing(f"no Chinese font for the PDFs at {FONT_FILE}: apt-get install {PACKAGE}")
    pdfmetrics.registerFont(TTFont(NAME, str(FONT_FILE), subfontIndex=SUBFONT))
    return NAME
