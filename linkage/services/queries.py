"""Query pieces the services share: filters that apply only when the caller gives a value."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select

T = TypeVar("T")


def where_given(query: Select[T], *filters: tuple[Any, Any]) -> Select[T]:
    """`query` narrowed to column == value for each (column, value) pair whose value is given (truthy)."""
    for column, value in filters:
        if value:
            query = query.where(column == value)
    return query
