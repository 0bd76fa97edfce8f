"""Inline SVG drawn on the server: bars against a target line, and a map without any tile server."""
from __future__ import annotations

from markupsafe import Markup, escape

from linkage.geo import lon_scale

KIND_COLOURS = {"organization": "#1565c0", "social_worker": "#6a1b9a", "volunteer": "#2e7d32",
                "resource": "#ef6c00"}
NEED_COLOUR = "#c62828"


def bar_chart(rows: list[tuple[str, float]], *, target: float | None = None, title: str = "",
              target_label: str = "", unit: str = "") -> Markup:
    """Horizontal bars (long Chinese names fit on a phone), the target as a dashed line."""
    label_w, bar_w, row_h, top = 130, 190, 26, 26
    height = top + row_h * max(len(rows), 1) + 10
    peak = max([v for _, v in rows] + [target or 0, 1e-9])
    scale = bar_w / (peak * 1.1)
    parts = [f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        met = target is None or value >= target
        short = label if len(label) <= 9 else label[:8] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="lbl">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(value * scale, 1):.1f}" height="{row_h - 8}" '
                     f'class="{"bar-ok" if met else "bar-low"}"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{label_w + value * scale + 4:.1f}" y="{y + 16}" class="val">{value:g}</text>')
    if target is not None:
        x = label_w + target * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}" class="target"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" class="tgt">'
                     f'{escape(target_label)} {target:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _extent(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return min(lats), max(lats), min(lons), max(lons)


def map_svg(layer: dict, *, width: int = 360) -> Markup:
    """Needs and the four provider kinds as dots over the district's box (its communities' extent)."""
    homes = [(c["lat"], c["lon"]) for c in layer["communities"]]
    dots = homes + [(n["lat"], n["lon"]) for n in layer["needs"]] + \
        [(p["lat"], p["lon"]) for kind in layer["providers"].values() for p in kind]
    lat0, lat1, lon0, lon1 = _extent(dots)
    pad = 0.004
    lat0, lat1, lon0, lon1 = lat0 - pad, lat1 + pad, lon0 - pad, lon1 + pad
    squash = lon_scale((lat0 + lat1) / 2)  # a degree of longitude is shorter up north
    span_x, span_y = (lon1 - lon0) * squash, lat1 - lat0
    height = max(160, min(480, int(width * span_y / span_x))) if span_x else width

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ((lon - lon0) * squash / span_x * width if span_x else width / 2,
                (lat1 - lat) / span_y * height if span_y else height / 2)

    title = escape(layer["district"])
    parts = [f'<svg class="map" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>',
             f'<rect x="0" y="0" width="{width}" height="{height}" class="map-bg"/>']
    box = _extent(homes)
    (x0, y0), (x1, y1) = xy(box[1], box[2]), xy(box[0], box[3])
    parts.append(f'<rect x="{x0 - 6:.1f}" y="{y0 - 6:.1f}" width="{x1 - x0 + 12:.1f}" height="{y1 - y0 + 12:.1f}" '
                 f'class="outline"/>')
    for kind, points in layer["providers"].items():
        colour = KIND_COLOURS[kind]
        radius = 1.6 if kind == "volunteer" else 3
        for p in points:
            x, y = xy(p["lat"], p["lon"])
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" fill-opacity=".55"/>')
    for c in layer["communities"]:
        x, y = xy(c["lat"], c["lon"])
        parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" class="home">'
                     f'<title>{escape(c["name"])}</title></rect>')
    for n in layer["needs"]:
        x, y = xy(n["lat"], n["lon"])
        parts.append(f'<path d="M{x:.1f},{y - 5:.1f} l4.5,8 h-9 z" fill="{NEED_COLOUR}" class="need">'
                     f'<title>{escape(n["title"])}</title></path>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _swatch(shape: str, colour: str) -> Markup:
    """A key's symbol drawn like the map draws it (SVG attributes, so no inline style under the CSP)."""
    mark = (f'<path d="M5,0.5 L9.5,9.5 H0.5 Z" fill="{colour}"/>' if shape == "need"
            else f'<circle cx="5" cy="5" r="4.5" fill="{colour}" fill-opacity=".7"/>')
    return Markup(f'<svg class="key {shape}" viewBox="0 0 10 10" aria-hidden="true">{mark}</svg>')


def legend(labels: dict[str, str]) -> list[dict]:
    """The map's key, as HTML beside the maps so long Chinese labels can wrap."""
    return [{"key": _swatch("need", NEED_COLOUR), "label": labels["need"]}] + \
        [{"key": _swatch("dot", KIND_COLOURS[k]), "label": labels[k]} for k in KIND_COLOURS]
