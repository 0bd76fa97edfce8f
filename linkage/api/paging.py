"""The JSON body of one page of a list: its items, the total, and which page of what size."""

from __future__ import annotations

from linkage.http.context import session


def page_body(items, total, args) -> dict:
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


def listed_page(list_query, args, *filters: str) -> dict:
    """One page of a list query, filtered by the named query arguments (an absent one is None)."""
    wanted = {name: args.get(name) for name in filters}
    rows, total = list_query(session(), **wanted, page=args["page"], page_size=args["page_size"])
    return page_body(rows, total, args)
