"""Imports (批量导入): who may import which kind, and whose batches one sees. Each row is then
registered through the provider service, whose rules (a community's staff only into their
community, an organization's staff only their own social workers) apply to it as to a form; hour
records go through the hours service (an organization's staff only for its own activities)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.models import Role

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from linkage.models import ImportBatch
    from linkage.permissions import Actor

IMPORTERS = {
    "volunteer": (Role.ADMIN.value, Role.COMMUNITY_STAFF.value),  # the registrars; they confirm paper consent
    "organization": (Role.ADMIN.value,),
    "social_worker": (Role.ADMIN.value, Role.ORG_STAFF.value),
    "resource": (Role.ADMIN.value,),
    "hours": (Role.ADMIN.value, Role.ORG_STAFF.value),  # 谁组织谁记录: the organizing organization backfills
}


def importable_kinds(actor: Actor) -> list[str]:
    """The kinds `actor` may import, in the order the page offers them."""
    return [kind for kind, roles in IMPORTERS.items() if actor.role in roles]


def require_importer(actor: Actor, kind: str) -> None:
    if actor.role not in IMPORTERS.get(kind, ()):
        raise Forbidden("import.forbidden")


def may_see_batch(actor: Actor, batch: ImportBatch) -> bool:
    """A batch is its creator's (and the district's); anyone else's is a 404."""
    return actor.is_admin or (actor.user_id is not None and batch.created_by == actor.user_id)


def listed_batches(actor: Actor) -> ColumnElement[bool]:
    """The batches a person's list shows, as a query condition: their own (the district opens
    anyone's by its number, but lists only its own too)."""
    from linkage.models import ImportBatch

    return ImportBatch.created_by == actor.user_id
