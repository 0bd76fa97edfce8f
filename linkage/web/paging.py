"""Which page of a list a page asks for, and the links to its neighbours (no list is cut short)."""

from __future__ import annotations

from flask import request, url_for


def page_arg() -> int:
    """?page=N, from 1; anything else is the first page."""
    page = request.args.get("page", type=int) or 1
    return min(max(page, 1), 100000)


def search_arg() -> str:
    """?q=: a list page's search box, cut to what a search may be; control characters dropped."""
    from linkage.pinyin import QUERY_LENGTH

    text = "".join(c for c in request.args.get("q", "") if c.isprintable())
    return text.strip()[:QUERY_LENGTH]


# The distances a list's "within N km" filter offers.
KM_CHOICES = (3, 5, 10, 20, 50, 100)


def km_arg(default: float | None = None) -> float | None:
    """?km=N as a float (the services clamp it); None, or `default` if it is not a number."""
    if "km" not in request.args:
        return None
    try:
        return float(request.args["km"])
    except ValueError:
        return default


def pager(page: int, page_size: int, total: int) -> dict:
    """Where this page sits among all of them, with the neighbours' addresses."""
    pages = max(1, -(-total // page_size))

    def link(number: int) -> str:
        return url_for(request.endpoint, **{**(request.view_args or {}), **request.args.to_dict(), "page": number})

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }


def export_format() -> str | None:
    """?format=xlsx|csv on a list page (导出 Excel / 导出 CSV): the page's list as a file; else None."""
    from linkage.exports import FORMATS

    wanted = request.args.get("format")
    return wanted if wanted in FORMATS else None


def list_window(page_size: int) -> tuple[int, int]:
    """The page and page size a list page reads: every match (up to the export cap) when exporting."""
    from linkage.exports import EXPORT_CAP

    return (1, EXPORT_CAP) if export_format() else (page_arg(), page_size)


def page_export(table, items, total: int | None = None):
    """The page's rows (already the page's query: same reader, same filters) as the file ?format asks
    for, or None to render the page."""
    from linkage.http.downloads import exported

    wanted = export_format()
    if wanted is None:
        return None
    items = list(items)
    return exported(table, items, len(items) if total is None else total, wanted)


def export_url(fmt: str, endpoint: str | None = None, **values) -> str:
    """The address of a list's file (export_links in _macros.html): this very page with its current
    filters and ?format=`fmt` (the page number dropped: a file holds every page), or `endpoint`."""
    if endpoint is None:
        kept = {k: v for k, v in request.args.to_dict().items() if k not in ("page", "format")}
        return url_for(request.endpoint or "web.home", **{**(request.view_args or {}), **kept, "format": fmt})
    return url_for(endpoint, **{**values, "format": fmt})
