"""The JSON body of one page of a list: its items, the total, and which page of what size."""

from __future__ import annotations


def page_body(items, total, args) -> dict:
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}
