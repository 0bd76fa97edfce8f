"""`seed_demo`: write the demo plan through the services, so every row announces itself in the outbox."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from linkage.demo.plan import build_plan
from linkage.models import Community, User, utcnow
from linkage.notice import current_version
from linkage.permissions import Actor
from linkage.services import consultations
from linkage.services.accounts import create_user
from linkage.services.communities import register_community
from linkage.services.needs import post_need
from linkage.services.providers import register_provider
from linkage.taxonomy import CERTIFICATE_LEVELS
from linkage.uow import UnitOfWork

# Demo only: this password is printed on screen and written in the docs. Production refuses to seed.
DEMO_PASSWORD = "wushe-liandong-demo"  # 五社联动; passes linkage.password_policy

# The seeder acts as district staff; it has no account of its own.
SEED_ADMIN = Actor(user_id=None, role="admin", username="seed")

# (username, role) of the one demo login per role, in the order they are printed.
DEMO_LOGINS = (("admin", "admin"), ("shequ", "community_staff"), ("zuzhi", "org_staff"),
               ("shegong", "social_worker"), ("zhiyuan", "volunteer"), ("shenji", "auditor"))


class _SeedUnitOfWork(UnitOfWork):
    """The services' commits become flushes and the seed commits once: a failed seed leaves nothing.

    Without this a crash half-way would leave communities behind, and the next start would skip
    seeding for good ("data exists"). Events and after-commit callbacks go out with the one commit.
    """

    def commit(self) -> None:
        self.session.flush()

    def commit_all(self) -> None:
        super().commit()


def _fields(row: dict, **refs) -> dict:
    """A plan row as service input: drop the plan's private keys, add the resolved references."""
    return {k: v for k, v in row.items() if not k.startswith("_")} | refs


def _ref(ids: list[int], index: int | None) -> int | None:
    return None if index is None else ids[index]


def seed_demo(platform, *, scale: float = 1.0, today: date | None = None,
              allow_production: bool = False) -> dict:
    """Seed the demo once: returns counts and the demo logins, or {"skipped": True} if data exists."""
    if platform.settings.is_production and not allow_production:
        return {"skipped": True, "reason": "demo data and demo passwords are not loaded in production"}
    with platform.read_session() as session:  # the cheap answer for every start after the first
        if session.scalar(select(Community.id).limit(1)) is not None:
            return {"skipped": True}
    started = time.perf_counter()
    tz = ZoneInfo(platform.settings.timezone)
    plan = build_plan(scale=scale, today=today or datetime.now(tz).date(), tz=tz)
    cipher = platform.cipher

    with _SeedUnitOfWork(platform.write_sessions, source=platform.source) as uow:
        # Checked inside the writing transaction: on SQLite it holds the write lock, so two
        # processes starting at once cannot both seed (elsewhere the unique community codes stop it).
        if uow.session.scalar(select(Community.id).limit(1)) is not None:
            return {"skipped": True}
        communities = [register_community(uow, SEED_ADMIN, _fields(row)) for row in plan.communities]
        community_ids = [c.id for c in communities]
        organizations = [
            register_provider(uow, SEED_ADMIN, "organization",
                              _fields(row, community_id=_ref(community_ids, row["_community"])), cipher)
            for row in plan.organizations]
        org_ids = [o.id for o in organizations]
        social_workers = [
            register_provider(uow, SEED_ADMIN, "social_worker",
                              _fields(row, organization_id=_ref(org_ids, row["_organization"])), cipher)
            for row in plan.social_workers]
        # Every demo volunteer signed the paper privacy notice at their community (none is under 14).
        consent = {"notice_version": current_version(), "method": "paper"}
        volunteers = [
            register_provider(uow, SEED_ADMIN, "volunteer",
                              _fields(row, community_id=community_ids[row["_community"]], consent=consent), cipher)
            for row in plan.volunteers]
        resources = [register_provider(uow, SEED_ADMIN, "resource", _fields(row), cipher)
                     for row in plan.resources]
        needs = [post_need(uow, SEED_ADMIN, _fields(row, community_id=community_ids[row["_community"]]))
                 for row in plan.needs]
        logins = _create_logins(uow, platform.passwords, communities[0], organizations[0],
                                social_workers[0], volunteers[0])
        _demo_consultation(uow, communities[0].id)
        uow.commit_all()

    return {
        "communities": len(communities), "organizations": len(organizations),
        "social_workers": len(social_workers), "volunteers": len(volunteers),
        "resources": len(resources), "needs": len(needs),
        "users": sum(1 for login in logins if login["password"] == DEMO_PASSWORD),
        "seconds": round(time.perf_counter() - started, 1),
        "logins": logins,
    }


def _demo_consultation(uow, community_id: int) -> None:
    """One open consultation (议事协商) of the demo community: two items residents proposed, nine votes cast."""
    now = utcnow()
    consultation = consultations.open_consultation(uow, SEED_ADMIN, {
        "community_id": community_id, "title": "楼道加装扶手还是开办老年餐桌？",
        "description": "社区今年的微实事资金只够办一件事，请每户用议事码投一票。",
        "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=14), "max_proposals": 10})
    codes = consultations.issue_codes(uow, SEED_ADMIN, consultation.id, 12)
    items = [consultations.propose_item(uow, consultation.id, codes[0], "3号楼楼道加装扶手", "老人多，上下楼不便"),
             consultations.propose_item(uow, consultation.id, codes[1], "开办老年餐桌", "独居老人午餐难")]
    for n, code in enumerate(codes[:9]):
        consultations.cast_vote(uow, consultation.id, code, items[n % 2].id)


def _create_logins(uow, passwords, community, organization, social_worker, volunteer) -> list[dict]:
    level = CERTIFICATE_LEVELS[social_worker.certificate_level][0]
    bindings = {
        "admin": ({}, "区民政局（全区所有社区）"),
        "community_staff": ({"community_id": community.id},
                            f"{community.street} {community.name} (community {community.id})"),
        "org_staff": ({"organization_id": organization.id},
                      f"{organization.name} (organization {organization.id})"),
        "social_worker": ({"social_worker_id": social_worker.id},
                          f"{social_worker.name}，{level} (social_worker {social_worker.id})"),
        "volunteer": ({"volunteer_id": volunteer.id},
                      f"{volunteer.name}，志愿者编号 {volunteer.code} (volunteer {volunteer.id})"),
        "auditor": ({}, "只读审计（全区）"),
    }
    logins = []
    for username, role in DEMO_LOGINS:
        binding, label = bindings[role]
        existing = uow.session.scalars(select(User).where(User.username == username)).first()
        if existing is not None:  # someone made this account already: leave it as it is
            logins.append({"username": username, "role": existing.role, "password": "(unchanged)",
                           "bound_to": "existing account, not changed by the seeder"})
            continue
        create_user(uow, passwords, username=username, password=DEMO_PASSWORD, role=role, **binding)
        logins.append({"username": username, "role": role, "password": DEMO_PASSWORD, "bound_to": label})
    return logins
