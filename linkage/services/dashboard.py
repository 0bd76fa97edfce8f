"""The district's linkage dashboard in one read: indicators against targets, map layers, scopes."""

from __future__ import annotations

from linkage.permissions import Actor
from linkage.services import stats


def dashboard(
    session, actor: Actor, *, district: str | None = None, street: str | None = None, community_id: int | None = None
) -> dict:
    """What the dashboard shows at one scope (every logged-in role sees the district's figures)."""
    scope = {"district": district, "street": street, "community_id": community_id}
    scope = {name: value for name, value in scope.items() if value is not None}
    return {
        "stats": stats.linkage_stats(session, **scope),
        "maps": stats.map_layers(session, **scope),
        "options": stats.scope_options(session),
    }
