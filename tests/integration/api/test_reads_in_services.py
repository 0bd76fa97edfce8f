"""Reads through the services, no HTTP: filters, pages and the policy are the query's, nothing is cut."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from linkage.errors import Forbidden, NotFound
from linkage.models import HourEntry, record_states, records_with_status
from linkage.permissions import Actor
from linkage.services import activities, audit, certificates, communities, hours, needs, projects
from linkage.services.hours import append_entry
from tests.integration.api.conftest import ADMIN, need_body

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def actor_of(world, role: str, **ids) -> Actor:
    return Actor(user_id=None, role=role, username=role, **ids)


def org_staff(world, other=False) -> Actor:
    return actor_of(world, "org_staff", organization_id=world.ids["other_organization" if other else "organization"])


def volunteer(world, other=False) -> Actor:
    return actor_of(world, "volunteer", volunteer_id=world.ids["other_volunteer" if other else "volunteer"])


def need_data(world, **over) -> dict:
    """A need of the first community as a service takes it (times as datetimes, not strings)."""
    return {
        **need_body(world.ids["community"]),
        "starts_at": NOW + timedelta(days=3),
        "ends_at": NOW + timedelta(days=3, hours=3),
        **over,
    }


def running_project(world, organization="organization", **need) -> int:
    """A need of the first community, claimed by `organization` and approved."""
    with world.platform.uow() as uow:
        posted = needs.post_need(uow, ADMIN, need_data(world, **need))
    with world.platform.uow() as uow:
        claim = projects.claim_need(uow, ADMIN, posted.id, "上门服务", world.ids[organization])
    with world.platform.uow() as uow:
        projects.decide_claim(uow, ADMIN, claim.id, "approve")
        return projects.project_for_claim(uow.session, claim.id).id


def activity(world, project_id: int, days: float = 2, title="助老服务") -> int:
    starts = NOW + timedelta(days=days)
    with world.platform.uow() as uow:
        return activities.schedule_activity(
            uow,
            ADMIN,
            project_id,
            {
                "title": title,
                "place": "社区服务站",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "slots": 3,
            },
        ).id


def record_hours(world, volunteer_id: int, count: int, project_id: int | None = None) -> list[int]:
    """`count` hour records, an hour each on successive days, appended in one unit of work (in the
    first organization's project `project_id`, if given)."""
    organization_id = world.ids["organization"] if project_id else None
    start = NOW - timedelta(days=count + 1)
    ids = []
    with world.platform.uow() as uow:
        for n in range(count):
            at = start + timedelta(days=n)
            ids.append(
                append_entry(
                    uow,
                    ADMIN,
                    volunteer_id,
                    "record",
                    project_id=project_id,
                    organization_id=organization_id,
                    starts_at=at,
                    ends_at=at + timedelta(hours=1),
                    minutes=60,
                    content="陪护",
                    source="org_entry",
                ).id
            )
        uow.commit()
    return ids


# -- the hour list --------------------------------------------------------------------------------


def test_the_hour_list_pages_past_the_500th_record_and_its_status_filter_sees_the_oldest(world):
    ids = record_hours(world, world.ids["volunteer"], 502)
    with world.platform.uow() as uow:
        append_entry(uow, ADMIN, world.ids["volunteer"], "verify", target_id=ids[0])  # the oldest record
        uow.commit()
    with world.platform.read_session() as session:
        first, total = hours.list_records(session, ADMIN)
        assert total == 502 and len(first) == 500 and first[0]["id"] == ids[-1]
        second, _ = hours.list_records(session, ADMIN, page=2)
        assert [r["id"] for r in second] == [ids[1], ids[0]] and second[-1]["status"] == "verified"
        # The old list cut at the 500 newest and then filtered: the verified record was never seen.
        verified, count = hours.list_records(session, ADMIN, status="verified")
        assert [r["id"] for r in verified] == [ids[0]] and count == 1
        pending, count = hours.list_records(session, ADMIN, status="pending", page=2, page_size=250)
        assert count == 501 and len(pending) == 250 and pending[0]["id"] == ids[-251]


def test_the_hour_list_over_http_keeps_its_array_and_tells_the_total(world):
    ids = record_hours(world, world.ids["volunteer"], 3)
    response = world.call("GET", "/api/v1/hours?page=2&page_size=2", "admin")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "3"
    assert [r["id"] for r in response.json] == [ids[0]]
    assert world.call("GET", "/api/v1/hours?page_size=501", "admin").status_code == 422


def test_the_hour_list_shows_each_actor_only_what_the_policy_lets_them_see(world):
    project_id = running_project(world)
    mine = record_hours(world, world.ids["volunteer"], 2, project_id)
    theirs = record_hours(world, world.ids["other_volunteer"], 1)
    with world.platform.read_session() as session:
        rows, total = hours.list_records(session, volunteer(world))
        assert {r["id"] for r in rows} == set(mine) and total == 2
        rows, total = hours.list_records(session, org_staff(world))
        assert {r["id"] for r in rows} == set(mine) and total == 2
        assert hours.list_records(session, org_staff(world, other=True)) == ([], 0)
        rows, total = hours.list_records(
            session, actor_of(world, "community_staff", community_id=world.ids["community"])
        )
        assert {r["id"] for r in rows} == set(mine) | set(theirs) and total == 3
        rows, total = hours.list_records(session, volunteer(world, other=True), volunteer_id=world.ids["volunteer"])
        assert rows == [] and total == 0


def test_the_status_in_sql_is_the_status_the_chain_replays_to(world):
    """records_with_status states record_states' rule as a query: on random chains of records,
    reviews, disputes, corrections and reversals both give every record the same status."""
    rng = random.Random(16)
    for volunteer_key in ("volunteer", "other_volunteer"):
        volunteer_id = world.ids[volunteer_key]
        with world.platform.uow() as uow:
            records: list[int] = []
            at = NOW - timedelta(days=400)
            for _ in range(120):
                at += timedelta(days=1)
                action = rng.choice(
                    ["record"] * 3 + ["verify", "reject", "dispute", "correct", "reverse"] if records else ["record"]
                )
                if action == "record":
                    records.append(
                        append_entry(
                            uow,
                            ADMIN,
                            volunteer_id,
                            "record",
                            starts_at=at,
                            ends_at=at + timedelta(hours=1),
                            minutes=60,
                        ).id
                    )
                elif action == "correct":
                    records.append(
                        append_entry(
                            uow,
                            ADMIN,
                            volunteer_id,
                            "correct",
                            target_id=rng.choice(records),
                            starts_at=at,
                            ends_at=at + timedelta(hours=2),
                            minutes=120,
                        ).id
                    )
                elif action == "reverse":
                    append_entry(uow, ADMIN, volunteer_id, "correct", target_id=rng.choice(records))
                else:
                    append_entry(uow, ADMIN, volunteer_id, action, target_id=rng.choice(records))
            uow.commit()
    with world.platform.read_session() as session:
        query, _ = records_with_status()
        in_sql = {entry.id: state for entry, state in session.execute(query)}
        replayed = {}
        for volunteer_key in ("volunteer", "other_volunteer"):
            chain = session.scalars(
                select(HourEntry).where(HourEntry.volunteer_id == world.ids[volunteer_key]).order_by(HourEntry.seq)
            ).all()
            replayed.update({i: s.value for i, s in record_states(chain).items()})
    assert in_sql == replayed
    assert {"pending", "verified", "rejected", "disputed", "superseded", "reversed"} <= set(in_sql.values())


def test_a_project_page_lists_its_records_with_names_for_whoever_may_see_them(world):
    project_id = running_project(world)
    ids = record_hours(world, world.ids["volunteer"], 2, project_id)
    with world.platform.read_session() as session:
        rows = hours.project_records(session, ADMIN, project_id)
        assert [r["id"] for r in rows] == ids[::-1] and {r["volunteer_name"] for r in rows} == {"李明"}
        assert (
            hours.project_records(
                session, actor_of(world, "community_staff", community_id=world.ids["other_community"]), project_id
            )
            == []
        )


def test_a_volunteers_hours_and_certificates_are_not_told_to_another_volunteer(world):
    with world.platform.read_session() as session:
        assert hours.hours_of_volunteer(session, volunteer(world), world.ids["volunteer"])["total_minutes"] == 0
        assert certificates.certificates_of(session, volunteer(world), world.ids["volunteer"]) == []
        with pytest.raises(NotFound):
            hours.hours_of_volunteer(session, volunteer(world, other=True), world.ids["volunteer"])
        with pytest.raises(NotFound):
            certificates.certificates_of(session, volunteer(world, other=True), world.ids["volunteer"])


# -- the audit trail ----------------------------------------------------------------------------


def test_the_audit_trail_filters_and_pages_in_the_query_for_its_readers_only(world):
    for n in range(3):
        world.call(
            "POST",
            "/api/v1/communities",
            "admin",
            json={
                "code": f"12011609{n}",
                "name": f"社区{n}",
                "street": "新港街道",
                "district": "滨海新区",
                "lat": 39.02,
                "lon": 117.70,
                "households": 10,
                "population": 30,
            },
        )
    auditor = actor_of(world, "auditor")
    with world.platform.read_session() as session:
        everything, total = audit.list_audit(session, auditor, page_size=500)
        assert total == len(everything) >= 3
        page, count = audit.list_audit(session, auditor, object_type="community", page=2, page_size=2)
        communities_written = [e for e in everything if e.object_type == "community"]
        assert count == len(communities_written) and [e.id for e in page] == [e.id for e in communities_written[2:4]]
        assert audit.verify_audit_chain(session, auditor)["valid"] is True
        with pytest.raises(Forbidden):
            audit.list_audit(session, org_staff(world))


# -- the pages' lists ---------------------------------------------------------------------------


def test_activities_near_a_volunteer_are_nearest_first_and_come_in_pages(world):
    near = activity(world, running_project(world), days=2, title="近")
    far = activity(world, running_project(world, lat=39.10, lon=117.70), days=1, title="远")  # ~9 km
    with world.platform.read_session() as session:
        shown = activities.activities_near(session, volunteer(world), 20, page_size=1)
        assert shown["total"] == 2 and [r["activity"].id for r in shown["rows"]] == [near]
        assert shown["rows"][0]["taken"] == 0
        second = activities.activities_near(session, volunteer(world), 20, page=2, page_size=1)
        assert [r["activity"].id for r in second["rows"]] == [far]
        assert activities.activities_near(session, volunteer(world), 3)["total"] == 1
        assert activities.activities_near(session, volunteer(world))["km"] == 10  # travel radius 5, at least 10
        with pytest.raises(Forbidden):
            activities.activities_near(session, org_staff(world))


def test_an_organization_sees_its_own_activities_and_the_district_everyones(world):
    own = activity(world, running_project(world))
    other = activity(world, running_project(world, organization="other_organization"))
    with world.platform.uow() as uow:
        activities.sign_up(uow, ADMIN, own, world.ids["volunteer"])
    with world.platform.read_session() as session:
        rows, total = activities.organization_activities(session, org_staff(world))
        assert [r["activity"].id for r in rows] == [own] and total == 1 and rows[0]["taken"] == 1
        rows, total = activities.organization_activities(session, ADMIN, page_size=1)
        assert total == 2 and len(rows) == 1
        assert set(activities.my_signups(session, volunteer(world))) == {own}
        assert activities.my_signups(session, org_staff(world)) == {}
        assert activities.open_signup(session, own, world.ids["volunteer"]).activity_id == own
        with pytest.raises(NotFound):
            activities.open_signup(session, other, world.ids["volunteer"])


def test_needs_near_an_organization_leave_out_closed_needs_in_the_query_not_after_the_page(world):
    with world.platform.uow() as uow:
        open_one = needs.post_need(uow, ADMIN, need_data(world, title="仍可承接")).id
    for n in range(3):  # newer than the open one: a first page cut before filtering held only these
        with world.platform.uow() as uow:
            cancelled = needs.post_need(uow, ADMIN, need_data(world, title=f"已取消{n}"))
        with world.platform.uow() as uow:
            needs.cancel_need(uow, ADMIN, cancelled.id)
    with world.platform.read_session() as session:
        shown = needs.needs_near_organization(session, org_staff(world), page_size=2)
        assert [n.id for n in shown["rows"]] == [open_one] and shown["total"] == 1 and shown["km"] == 10
        with pytest.raises(Forbidden):
            needs.needs_near_organization(session, volunteer(world))


def test_community_staff_post_needs_for_their_own_community_and_the_district_for_any(world):
    staff = actor_of(world, "community_staff", community_id=world.ids["community"])
    with world.platform.read_session() as session:
        assert [c.id for c in communities.communities_to_post_for(session, staff)] == [world.ids["community"]]
        assert {c.id for c in communities.communities_to_post_for(session, ADMIN)} == {
            world.ids["community"],
            world.ids["other_community"],
        }
