"""QR codes of links, from reportlab's encoder: drawn on a PDF canvas (certificates) or as inline SVG (pages)."""

from __future__ import annotations

import itertools
from html import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

QUIET = 4  # modules of white margin on each side, as the standard asks


def modules(text: str, level: str = "M") -> list[list[bool]]:
    """The code's dark (True) and light modules, row by row from the top; level M survives a smudge."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.make()
    return [[bool(cell) for cell in row] for row in code.modules]


def _runs(row: list[bool]):
    """(first column, length) of each run of dark modules in a row."""
    column = 0
    for dark, cells in itertools.groupby(row):
        count = len(list(cells))
        if dark:
            yield column, count
        column += count


def draw(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The code of `text` as filled rectangles, its lower left corner at (x, y), `size` points square."""
    grid = modules(text)
    box = size / (len(grid) + 2 * QUIET)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(grid):
        for column, count in _runs(row):
            canvas.rect(
                x + (column + QUIET) * box, y + size - (r + QUIET + 1) * box, count * box, box, stroke=0, fill=1
            )
    canvas.restoreState()


def svg(text: str, label: str) -> str:
    """The code of `text` as one inline <svg> (presentation attributes only: nothing a CSP blocks),
    scaled by CSS; `label` is what a screen reader says for it."""
    grid = modules(text)
    side = len(grid) + 2 * QUIET
    path = "".join(
        f"M{column + QUIET} {r + QUIET}h{count}v1h-{count}z"
        for r, row in enumerate(grid)
        for column, count in _runs(row)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {side} {side}" role="img" '
        f'aria-label="{escape(label)}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" '
        f'fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
