"""The district's linkage dashboard in one read: indicators against targets, map layers, scopes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from linkage.permissions import Actor
from linkage.services import stats

Options = dict[str, dict[str, list[dict[str, Any]]]]


def consistent_scope(
    options: Options, district: str | None, street: str | None, community_id: int | None
) -> tuple[dict[str, Any], list[str]]:
    """The filters that fit together, narrowest last, and the names of those dropped because they do
    not fit the wider ones (a street of another district, a community of another street): a mismatch
    would otherwise read as a place with nothing in it."""
    ignored: list[str] = []
    if district is not None and district not in options:
        ignored.append("district")
        district = None
    if street is not None and not any(
        street in streets for d, streets in options.items() if district is None or d == district
    ):
        ignored.append("street")
        street = None
    if community_id is not None:
        home = next(
            (
                (d, s)
                for d, streets in options.items()
                for s, cs in streets.items()
                for c in cs
                if c["id"] == community_id
            ),
            None,
        )
        if home is None or (district is not None and home[0] != district) or (street is not None and home[1] != street):
            ignored.append("community_id")
            community_id = None
    given = {"district": district, "street": street, "community_id": community_id}
    return {k: v for k, v in given.items() if v is not None}, ignored


def dashboard(
    session: Session,
    actor: Actor,
    *,
    district: str | None = None,
    street: str | None = None,
    community_id: int | None = None,
) -> dict[str, Any]:
    """What the dashboard shows at one scope (every logged-in role sees the district's figures): the
    filters that fit together (`filters`, `ignored`), and the choices each filter offers within the
    wider ones (`streets` of the chosen district, `communities` of the chosen street or district)."""
    options: Options = stats.scope_options(session)
    filters, ignored = consistent_scope(options, district, street, community_id)
    district, street = filters.get("district"), filters.get("street")
    in_district = {d: s for d, s in options.items() if district is None or d == district}
    streets = [(d, s) for d, ss in in_district.items() for s in ss]  # in the options' (code) order
    communities = [
        {**c, "district": d, "street": s}
        for d, ss in in_district.items()
        for s, cs in ss.items()
        if street is None or s == street
        for c in cs
    ]
    return {
        "stats": stats.linkage_stats(session, **filters),
        "maps": stats.map_layers(session, **filters),
        "options": options,
        "filters": filters,
        "ignored": ignored,
        "streets": [{"district": d, "street": s} for d, s in streets],
        "communities": communities,
    }
