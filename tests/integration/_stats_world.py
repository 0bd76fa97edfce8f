"""The statistics tests' world: the demo seeded, then a story and a funding round made through the services."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select, text

from linkage.demo import seed_demo
from linkage.models import Community, Need, Organization, Project, User, Volunteer, utcnow
from linkage.permissions import Actor
from linkage.platform import build_platform
from linkage.services import activities, evaluations, funding, hours, matches, projects
from linkage.services import needs as need_service
from linkage.services.accounts import actor_for
from schemas.needs import NeedSchema
from tests.conftest import PG_ADMIN_URL
from tests.conftest import settings_for_tests as make_settings

ADMIN = Actor(user_id=None, role="admin", username="stats-test")
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _migrated_platform(url: str):
    from linkage.migrate import upgrade

    upgrade(url)
    return build_platform(make_settings(url))


@contextmanager
def seeded_world(kind: str, tmp_path_factory) -> Iterator:
    """The demo at scale 0.2, plus projects, hours, evaluations and a funding round made through the services,
    on a database of its own (`kind`: sqlite or postgresql), dropped afterwards."""
    drop = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'stats.db'}"
    else:
        name = f"linkage_stats_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()

    platform = _migrated_platform(url)
    try:
        seed_demo(platform, scale=0.2, today=DAY.date())
        _story(platform)
        _funding_story(platform)
        yield platform
    finally:
        platform.dispose()
        if drop:
            drop()


def _story(platform) -> None:
    """Four needs matched, three claimed, two completed with verified, rejected and corrected hours."""
    with platform.read_session() as s:
        needs = list(s.scalars(select(Need).order_by(Need.id)))[:4]
        orgs = {
            n.id: s.scalars(select(Organization.id).order_by(Organization.id)).all()[i % 5] for i, n in enumerate(needs)
        }
        volunteers = list(s.scalars(select(Volunteer.id).order_by(Volunteer.id)))[:3]
    for need in needs:
        with platform.uow() as uow:
            matches.record_matches(
                uow,
                consumer="test",
                event_id=f"ev-{need.id}",
                need_id=need.id,
                ranked_at=utcnow(),
                matches={"organization": []},
            )
            uow.commit()
    project_ids = []
    for need in needs[:3]:
        with platform.uow() as uow:
            claim = projects.claim_need(uow, ADMIN, need.id, "上门服务方案，每周两次", orgs[need.id])
        with platform.uow() as uow:
            projects.decide_claim(uow, ADMIN, claim.id, "approve")
        with platform.uow() as uow:
            project_ids.append(projects.project_for_claim(uow.session, claim.id).id)
    start = utcnow() - timedelta(days=3)
    for n, project_id in enumerate(project_ids[:2]):
        with platform.uow() as uow:
            projects.transition_project(uow, ADMIN, project_id, "in_progress")
        with platform.uow() as uow:
            activity = activities.schedule_activity(
                uow,
                ADMIN,
                project_id,
                {
                    "title": "上门探访",
                    "place": "社区服务站",
                    "starts_at": start + timedelta(hours=4 * n),
                    "ends_at": start + timedelta(hours=4 * n + 3),
                    "slots": 5,
                    "skills_wanted": [],
                },
            )
        entries = []
        for k, volunteer_id in enumerate(volunteers):
            with platform.uow() as uow:
                signup = activities.sign_up(uow, ADMIN, activity.id, volunteer_id)
            with platform.uow() as uow:
                activities.check_in(uow, ADMIN, signup.id, activity.starts_at)
            with platform.uow() as uow:
                _, entry = activities.check_out(
                    uow, ADMIN, signup.id, activity.starts_at + timedelta(minutes=60 + 30 * k)
                )
                entries.append(entry.id)
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, entries[0], "verify")
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, entries[1], "reject", "时间不符")
        with platform.uow() as uow:  # the third is corrected to 45 minutes, then verified
            fixed = hours.correct_hours(
                uow,
                ADMIN,
                entries[2],
                {"reason": "签退时间录错", "ends_at": activity.starts_at + timedelta(minutes=45)},
            )
        with platform.uow() as uow:
            hours.review_hours(uow, ADMIN, fixed.id, "verify")
        with platform.uow() as uow:
            projects.transition_project(uow, ADMIN, project_id, "completed")
        with platform.uow() as uow:
            codes = evaluations.issue_codes(uow, ADMIN, project_id, 3)
        for score, code in zip((5, 4 - n), codes):
            with platform.uow() as uow:
                evaluations.evaluate_project(uow, project_id, code, score, "")


RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")
# What _funding_story moves, in fen: grant A 300 000 (two tranches of 40 % paid), grant B 200 000 (one).
FUNDS = {"funds_awarded_fen": 500_000, "funds_disbursed_fen": 240_000 + 80_000, "funds_spent_fen": 50_000 + 10_000}


def _funding_story(platform) -> None:
    """A round through the funding services: two awards, three tranches, expenditures (one reversed).

    Grant A is for a need of the first community (the narrowest scope the tests check), grant B
    for a need elsewhere, so the funds differ by scope."""
    with platform.read_session() as s:
        people = {
            u.username: actor_for(u) for u in s.scalars(select(User).where(User.username.in_(("admin", "zuzhi"))))
        }
        first = s.scalars(select(Community.id).order_by(Community.id)).first()
        taken = set(s.scalars(select(Project.need_id)))
        free = [
            n
            for n in s.scalars(select(Need).where(Need.status.in_(("open", "matched"))).order_by(Need.id))
            if n.id not in taken
        ]
        need_b = next(n.id for n in free if n.community_id != first)
    admin, org = people["admin"], people["zuzhi"]
    reviewer = admin  # the district reviews; an auditor never does (separation of duties)
    start = utcnow() + timedelta(days=5)
    with platform.uow() as uow:  # the first community may have no open need left: post one
        need_a = need_service.post_need(
            uow,
            admin,
            NeedSchema().load(
                {
                    "community_id": first,
                    "title": "独居老人陪诊",
                    "category": "养老",
                    "description": "每周陪诊探访",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=3)).isoformat(),
                }
            ),
        ).id
    with platform.uow() as uow:
        found = funding.rounds.open_round(
            uow, admin, {"name": "统计测试创投", "budget_fen": 1_000_000, "cap_fen": 400_000, "priority_categories": []}
        )
    applications = []
    for need_id, requested in ((need_a, 300_000), (need_b, 200_000)):
        with platform.uow() as uow:
            applications.append(
                funding.rounds.apply_for_funding(
                    uow,
                    org,
                    found.id,
                    {
                        "need_id": need_id,
                        "requested_fen": requested,
                        "budget_lines": [
                            {"name": "人员费", "amount_fen": requested // 2},
                            {"name": "活动费", "amount_fen": requested - requested // 2},
                        ],
                        "milestones": [
                            {"title": "项目启动", "share_pct": 40},
                            {"title": "中期评估", "share_pct": 40},
                            {"title": "结项评估", "share_pct": 20},
                        ],
                    },
                ).id
            )
    with platform.uow() as uow:
        funding.rounds.transition_round(uow, admin, found.id, "reviewing")
    for application_id in applications:
        with platform.uow() as uow:
            funding.reviews.assign_reviewer(uow, admin, application_id, reviewer.user_id)
        with platform.uow() as uow:
            funding.reviews.review_application(uow, reviewer, application_id, dict.fromkeys(RUBRIC, 80), "")
    with platform.uow() as uow:
        awards = funding.awards.award_round(uow, admin, found.id)
    grant_a, grant_b = (
        next(a["grant_id"] for a in awards["allocations"] if a["application_id"] == i) for i in applications
    )
    for grant_id, tranches in ((grant_a, 2), (grant_b, 1)):
        for n in range(1, tranches + 1):
            with platform.uow() as uow:
                funding.grants.accept_milestone(uow, admin, grant_id, n)
            with platform.uow() as uow:
                funding.grants.disburse_tranche(uow, admin, grant_id)
    spending = []
    for grant_id, line, amount in (
        (grant_a, "人员费", 50_000),
        (grant_a, "活动费", 20_000),
        (grant_b, "人员费", 10_000),
    ):
        with platform.uow() as uow:
            spending.append(
                funding.grants.report_expenditure(
                    uow,
                    org,
                    grant_id,
                    {"amount_fen": amount, "budget_line": line, "receipt_ref": f"FP-{len(spending) + 1:03d}"},
                ).id
            )
    with platform.uow() as uow:  # the second receipt was entered twice elsewhere: reversed, so not spent
        funding.grants.correct_entry(uow, admin, grant_a, spending[1], "票据重复录入")
