"""The district's linkage dashboard in one read: indicators against targets, map layers, scopes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from linkage.permissions import Actor
from linkage.services import stats


def dashboard(
    session: Session,
    actor: Actor,
    *,
    district: str | None = None,
    street: str | None = None,
    community_id: int | None = None,
) -> dict[str, Any]:
    """What the dashboard shows at one scope (every logged-in role sees the district's figures)."""
    return {
        "stats": stats.linkage_stats(session, district=district, street=street, community_id=community_id),
        "maps": stats.map_layers(session, district=district, street=street, community_id=community_id),
        "options": stats.scope_options(session),
    }
