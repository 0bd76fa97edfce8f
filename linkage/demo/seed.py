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
from linkage.services import consultations, growth
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
    today = today or datetime.now(tz).date()
    plan = build_plan(scale=scale, today=today, tz=tz)
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
        _file_a_group(uow, cipher, communities[0], platform.settings.filing_min_members)
        _growth_records(uow, organizations, social_workers, today or datetime.now(tz).date())
        logins = _create_logins(uow, platform.passwords, communities[0], organizations[0],
                                social_workers[0], volunteers[0])
        _seed_cultivation(uow, min(today, datetime.now(tz).date()), communities[0], organizations[0])
        _seed_supervision(uow, social_workers, today or datetime.now(tz).date())
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


def _growth_records(uow, organizations: list, social_workers: list, day: date) -> None:
    """A few growth records (培育发展), so the dashboard's brand and placement indicators are not all zero:
    the first two organizations named brand organizations (品牌社会组织), the first three social workers
    each placed into an organization other than their employer earlier this month or year."""
    day = min(day, growth.china_day())  # a demo dated ahead of the clock records nothing in the future
    for org in organizations[:2]:
        growth.designate_brand(uow, SEED_ADMIN, {"organization_id": org.id, "year": day.year,
                                                 "reason": "服务成效突出，群众满意度高"})
    for index, worker in enumerate(social_workers[:3]):
        into = next((o for o in organizations[index + 2:] if o.id != worker.organization_id), None)
        if into is not None:
            growth.record_placement(uow, SEED_ADMIN, {"social_worker_id": worker.id, "organization_id": into.id,
                                                      "placed_on": day - timedelta(days=7 * index),
                                                      "note": "驻点督导与能力建设"})
def _seed_supervision(uow, social_workers: list, today: date) -> None:
    """The demo social worker's supervisor (督导), one session both confirmed, one awaiting them, a training."""
    from datetime import timedelta

    from linkage.models.supervision import SUPERVISOR_LEVELS
    from linkage.services import supervision

    me = social_workers[0] if social_workers else None
    mentor = next((w for w in social_workers[1:] if w.certificate_level in SUPERVISOR_LEVELS), None)
    if me is None or mentor is None:
        return
    supervision.assign_supervisor(uow, SEED_ADMIN, {"social_worker_id": me.id, "supervisor_id": mentor.id,
                                                    "starts_on": today - timedelta(days=60)})
    as_mentor = Actor(user_id=None, role="social_worker", username="seed", social_worker_id=mentor.id)
    as_me = Actor(user_id=None, role="social_worker", username="seed", social_worker_id=me.id)
    done = supervision.record_session(uow, as_mentor, {
        "social_worker_id": me.id, "held_on": today - timedelta(days=20), "form": "individual",
        "topics": "独居老人个案的风险评估", "hours": 1.5, "follow_ups": "两周内完成复评", "confirmed": True})
    supervision.answer_session(uow, as_me, done.id, confirm=True)
    supervision.record_session(uow, as_mentor, {
        "social_worker_id": me.id, "held_on": today - timedelta(days=3), "form": "group",
        "topics": "小组工作中的冲突处理", "hours": 2, "follow_ups": "", "confirmed": True})
    supervision.add_training(uow, as_me, me.id, {"title": "社会工作伦理与实务", "provider": "区社会工作者协会",
                                                 "held_on": today - timedelta(days=30), "hours": 12})
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


def _file_a_group(uow, cipher, community, min_members: int) -> None:
    """One group of residents waiting for the first community's review (社区社会组织备案)."""
    from linkage.services.filings import file_group
    from linkage.validators import id_number_check_char

    names = ("李秀英", "张桂兰", "王淑珍", "赵玉兰", "孙凤英")
    members = [{"name": names[i % 5] + ("" if i < 5 else str(i // 5)), "phone": f"1381234{5600 + i}"}
               for i in range(max(min_members, 5))]
    number = "12011619580312004"
    file_group(uow, cipher, {
        "community_id": community.id, "name": "海棠舞蹈队", "field": "文体",
        "members": members, "responsible_name": "刘玉梅", "responsible_phone": "13912345678",
        "responsible_id_number": number + id_number_check_char(number), "activity_place": f"{community.name}文化广场",
    }, min_members=min_members)
def _seed_cultivation(uow, today: date, community, organization) -> None:
    """The street's first incubation cohort (孵化批次, open, waiting for filed organizations) and the first
    organization's annual report (年报) on last year."""
    from linkage.services import annual_reports, cultivation

    cultivation.open_cohort(uow, SEED_ADMIN, {"name": f"{today.year}年第一期", "street": community.street,
                                              "starts_on": date(today.year, 1, 1), "ends_on": date(today.year, 12, 31)})
    staff = Actor(user_id=None, role="org_staff", username="seed", organization_id=organization.id)
    annual_reports.submit_report(uow, staff, {"year": today.year - 1, "activities_count": 18, "members": 26,
                                              "income_fen": 3_600_000, "spending_fen": 3_150_000,
                                              "summary": "全年开展助老服务 18 次，服务老人 300 余人次。"})
