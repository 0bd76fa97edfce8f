"""The JSON body of one page of a list: its items, the total, and which page of what size; or, with
?format=xlsx|csv, every matching row (up to linkage.exports.EXPORT_CAP) as a file — one home for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linkage.exports import EXPORT_CAP, Table
from linkage.http.context import session
from linkage.http.downloads import exported


def page_body(items, total, args) -> dict:
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


def answer_page(
    fetch: Callable[[int, int], tuple[Any, int]],
    args,
    schema,
    table: Table,
    body: Callable[[Any, int, Any], Any] = page_body,
):
    """`fetch(page, page_size) -> (items, total)` answered as `body` (one page of JSON), or, when the
    query asks for ?format=xlsx|csv, as a file of the first EXPORT_CAP matches: the same query by
    the same caller, its items dumped by the list's own item `schema` (so the masking is the JSON's)
    and laid out by `table`."""
    fmt = args.get("format")
    if fmt:
        items, total = fetch(1, EXPORT_CAP)
        return exported(table, schema(many=True).dump(items), total, fmt)
    items, total = fetch(args["page"], args["page_size"])
    return body(items, total, args)


def listed_page(list_query, args, *filters: str, schema, table: Table):
    """One page of a list query, filtered by the named query arguments (an absent one is None), or
    its export (answer_page)."""
    wanted = {name: args.get(name) for name in filters}
    return answer_page(
        lambda page, size: list_query(session(), **wanted, page=page, page_size=size), args, schema, table
    )
