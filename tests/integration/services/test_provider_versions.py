"""Each event announcing a provider carries its next version, raised in SQL, so the matcher can drop stale ones."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select

from linkage.messages import Types
from linkage.models import Organization, OutboxEvent
from linkage.services.providers import announce_provider, deactivate_provider, republish_providers, update_provider
from tests.factories import ADMIN


def _announced(read, key):
    with read() as s:
        rows = s.scalars(select(OutboxEvent.envelope).where(OutboxEvent.key == key).order_by(OutboxEvent.id))
        return [(e["type"], e["data"]["version"]) for e in map(json.loads, rows)]


def test_each_change_of_a_provider_is_announced_with_a_higher_version(build, act, read, platform):
    org = build.organization()
    act(update_provider, ADMIN, "organization", org.id, {"capacity": 5}, platform.cipher)
    act(update_provider, ADMIN, "organization", org.id, {"capacity": 6}, platform.cipher)
    act(deactivate_provider, ADMIN, "organization", org.id)
    assert _announced(read, f"organization:{org.id}") == [
        (Types.PROVIDER_UPSERTED, 1),
        (Types.PROVIDER_UPSERTED, 2),
        (Types.PROVIDER_UPSERTED, 3),
        (Types.PROVIDER_REMOVED, 4),
    ]
    with read() as s:
        assert s.get(Organization, org.id).version == 4


def test_every_kind_starts_at_version_one_and_a_republish_raises_them_all(build, act, read):
    community = build.community()
    made = {"organization": build.organization(), "volunteer": build.volunteer(community), "resource": build.resource()}
    made["social_worker"] = build.social_worker(made["organization"])
    for kind, obj in made.items():
        assert _announced(read, f"{kind}:{obj.id}") == [(Types.PROVIDER_UPSERTED, 1)], kind
    act(republish_providers)
    for kind, obj in made.items():
        assert _announced(read, f"{kind}:{obj.id}")[-1] == (Types.PROVIDER_UPSERTED, 2), kind


def test_the_version_is_raised_in_sql_not_from_a_stale_copy(build, act, platform, read):
    # A copy read at version 1; another change makes it 2; announcing the copy still says 3.
    org = build.organization()
    with read() as s:
        stale = s.get(Organization, org.id)
    act(update_provider, ADMIN, "organization", org.id, {"capacity": 5}, platform.cipher)
    with platform.uow() as uow:
        announce_provider(uow, "organization", stale)
        uow.commit()
    assert stale.version == 3
    assert [v for _, v in _announced(read, f"organization:{org.id}")] == [1, 2, 3]


def test_concurrent_changes_get_versions_in_commit_order_on_postgresql(build, platform, read, database_url):
    if not database_url.startswith("postgresql"):
        return  # SQLite has one writer at a time: the order is its commit order by construction
    org = build.organization()
    got: list[int] = []
    with platform.uow() as first:
        announce_provider(first, "organization", first.session.get(Organization, org.id))  # holds the row

        def later() -> None:
            with platform.uow() as second:
                obj = second.session.get(Organization, org.id)
                announce_provider(second, "organization", obj)  # waits for the first to commit
                got.append(obj.version)
                second.commit()

        thread = threading.Thread(target=later)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second change waits on the row lock"
        first.commit()
        thread.join(10)
    assert got == [3]
    assert [v for _, v in _announced(read, f"organization:{org.id}")] == [1, 2, 3]
