"""URL converters for every route, page or API: an id is an integer a database column can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from schemas.common import MAX_INTEGER


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: an id beyond MAX_INTEGER matches no route (404), not a driver error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)
