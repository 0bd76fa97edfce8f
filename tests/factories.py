"""Test factories: valid request bodies, and domain objects built through the services in one line."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from linkage.models import utcnow
from linkage.notice import current_version
from linkage.permissions import Actor
from linkage.services import accounts, activities, hours, projects
from linkage.services.communities import register_community
from linkage.services.needs import post_need
from linkage.services.providers import register_provider
from linkage.validators import id_number_check_char, uscc_check_char

ADMIN = Actor(user_id=None, role="admin", username="fixture")
PASSWORD = "correct-horse-9"
KINDS = ("organization", "social_worker", "volunteer", "resource")


# -- identifiers that pass the validators ---------------------------------------------------------
def valid_uscc(serial: int) -> str:
    """A 统一社会信用代码 with a right check character, unique per serial."""
    body = f"52120116{serial:08d}"[:17].ljust(17, "0")
    return body + uscc_check_char(body)


def valid_id_number(serial: int) -> str:
    """A resident ID number of someone born in 1985, unique per serial below 12,000."""
    body = f"1201161985{(serial // 1000) % 12 + 1:02d}{serial % 28 + 1:02d}{serial % 1000:03d}"
    return body + id_number_check_char(body)


# -- bodies as the API takes them (times as RFC 3339 strings) -------------------------------------
def community_body(code="120116001", **over) -> dict:
    body = {"code": code, "name": "新华里社区", "street": "新港街道", "district": "滨海新区",
            "lat": 39.02, "lon": 117.70, "households": 1200, "population": 3500}
    body.update(over)
    return body


def need_body(community_id: int, **over) -> dict:
    body = {"community_id": community_id, "title": "陪同独居老人到医院复诊",
            "description": "王奶奶86岁，独居，需要志愿者周六上午陪同到区医院复诊。",
            "category": "养老", "skills": ["陪诊", "助老"], "target_groups": ["elderly"],
            "starts_at": "2026-12-05T09:00:00+08:00", "ends_at": "2026-12-05T12:00:00+08:00",
            "volunteers_needed": 2, "hours_estimate": 3, "budget_fen": 0, "urgency": "normal"}
    body.update(over)
    return body


def org_body(serial=1, **over) -> dict:
    body = {"name": f"滨海新区乐龄养老服务中心{serial}", "uscc": valid_uscc(serial),
            "registration": "registered", "categories": ["养老"], "skills": ["陪诊", "助老"],
            "lat": 39.03, "lon": 117.71, "service_radius_km": 8, "capacity": 4}
    body.update(over)
    return body


def volunteer_body(serial=1, community_id=None, **over) -> dict:
    body = {"name": "李明", "phone": f"1380000{serial:04d}", "id_number": valid_id_number(serial),
            "skills": ["陪诊"], "lat": 39.02, "lon": 117.69, "travel_radius_km": 5,
            "availability": ["sat_am", "sun_pm"], "community_id": community_id,
            "consent": {"notice_version": current_version(), "method": "paper"}}
    body.update(over)
    return body


def social_worker_body(organization_id, **over) -> dict:
    body = {"name": "张华", "certificate_level": "intermediate", "specialties": ["养老", "elderly"],
            "organization_id": organization_id, "lat": 39.02, "lon": 117.70}
    body.update(over)
    return body


def resource_body(**over) -> dict:
    body = {"name": "助老爱心基金", "donor": "滨海爱心企业", "kind": "fund", "amount_fen": 5_000_000,
            "tags": ["助老"], "lat": 39.02, "lon": 117.70, "radius_km": 20,
            "restricted_categories": ["养老"]}
    body.update(over)
    return body


# -- data as the services take it (times as datetimes) --------------------------------------------
def provider_body(kind: str, serial: int, community_id: int | None, organization_id: int | None) -> dict:
    """A provider of `kind`, its place spread a little by serial (the event-spine worlds)."""
    lat, lon = 39.02 + (serial % 7) * 0.004, 117.70 + (serial % 5) * 0.004
    if kind == "organization":
        return org_body(serial, name=f"乐龄养老服务中心{serial}", lat=lat, lon=lon)
    if kind == "social_worker":
        return social_worker_body(organization_id, name=f"社工{serial}", lat=lat, lon=lon)
    if kind == "volunteer":
        return volunteer_body(serial, community_id, name=f"志愿者{serial}", lat=lat, lon=lon)
    return resource_body(name=f"助老基金{serial}", lat=lat, lon=lon, restricted_categories=[])


def need_data(community_id: int, serial: int = 0, **over) -> dict:
    """A need as post_need takes it; each serial an hour later than the one before (mod 48)."""
    start = datetime(2026, 12, 5, 1, 0, tzinfo=timezone.utc) + timedelta(hours=serial % 48)
    data = {"community_id": community_id, "title": f"陪同独居老人复诊 #{serial}",
            "description": "独居老人需要志愿者周六上午陪同到区医院复诊。", "category": "养老",
            "skills": ["陪诊", "助老"], "target_groups": ["elderly"], "starts_at": start,
            "ends_at": start + timedelta(hours=3), "volunteers_needed": 2, "hours_estimate": 3,
            "budget_fen": 0, "urgency": "normal"}
    data.update(over)
    return data


def hours_ago(hours: float) -> datetime:
    """A moment `hours` before now, to the minute (hour records are counted in whole minutes)."""
    return utcnow().replace(second=0, microsecond=0) - timedelta(hours=hours)


# -- domain objects through the services ----------------------------------------------------------
class Build:
    """One-line builders over a platform: `build.need(community)`, `build.project(need)`, ….

    Every object is made by the service a user would go through, so it is valid by the same
    rules the application enforces; serials keep codes, credit codes and ID numbers unique."""

    def __init__(self, platform: Any):
        self.platform = platform
        self._serial = itertools.count(1)

    def serial(self) -> int:
        return next(self._serial)

    def _do(self, service, *args, **kwargs):
        with self.platform.uow() as uow:
            return service(uow, *args, **kwargs)

    # places and providers
    def community(self, **over):
        serial = self.serial()
        return self._do(register_community, ADMIN,
                        community_body(**{"code": f"120116{serial:03d}", "name": f"社区{serial}", **over}))

    def organization(self, **over):
        return self._do(register_provider, ADMIN, "organization", org_body(self.serial(), **over),
                        self.platform.cipher)

    def social_worker(self, organization, **over):
        return self._do(register_provider, ADMIN, "social_worker",
                        social_worker_body(_id(organization), **over), self.platform.cipher)

    def volunteer(self, community=None, **over):
        """A volunteer with consent to the current notice on paper, confirmed by the district."""
        return self._do(register_provider, ADMIN, "volunteer",
                        volunteer_body(self.serial(), _id(community), **over), self.platform.cipher)

    def parties(self, project: str | None = None) -> dict[str, Any]:
        """A community and an organization, with a user of each one's staff; given `project` (a status),
        also the organization's project in the community at that status."""
        community, organization = self.community(), self.organization()
        found = {"community": community, "organization": organization,
                 "community_staff": self.community_staff(community), "org_staff": self.org_staff(organization)}
        if project:
            found["project"] = self.project(community=community, organization=organization, status=project)
        return found

    def resource(self, **over):
        return self._do(register_provider, ADMIN, "resource", resource_body(**over), self.platform.cipher)

    # people who log in
    def user(self, role: str, **bindings):
        """A user of `role` bound to what it acts for; the User row (an Actor: `actor_of`)."""
        username = bindings.pop("username", None) or f"{role}-{self.serial()}"
        bound = {k: _id(v) for k, v in bindings.items()}
        return self._do(accounts.create_user, self.platform.passwords, username=username,
                        password=PASSWORD, role=role, **bound)

    def actor(self, role: str, **bindings) -> Actor:
        """An Actor of a real user (a user id, so separation-of-duties rules can tell who did what)."""
        return accounts.actor_for(self.user(role, **bindings))

    def admin(self) -> Actor:
        return self.actor("admin")

    def community_staff(self, community) -> Actor:
        return self.actor("community_staff", community_id=community)

    def org_staff(self, organization) -> Actor:
        return self.actor("org_staff", organization_id=organization)

    def volunteer_actor(self, volunteer) -> Actor:
        return self.actor("volunteer", volunteer_id=volunteer)

    def social_worker_actor(self, social_worker) -> Actor:
        return self.actor("social_worker", social_worker_id=social_worker)

    def auditor(self) -> Actor:
        return self.actor("auditor")

    # from need to project
    def need(self, community, actor: Actor = ADMIN, **over):
        return self._do(post_need, actor, need_data(_id(community), self.serial(), **over))

    def claim(self, need, organization, actor: Actor = ADMIN, plan="三名志愿者轮流陪诊"):
        return self._do(projects.claim_need, actor, _id(need), plan, organization_id=_id(organization))

    def project(self, need=None, organization=None, community=None, status="approved"):
        """An approved claim's project, moved on to `status` (in_progress, completed, evaluated)."""
        community = community or (None if need else self.community())
        need = need or self.need(community)
        organization = organization or self.organization()
        claim = self.claim(need, organization)
        self._do(projects.decide_claim, ADMIN, claim.id, "approve")
        with self.platform.read_session() as session:
            project = projects.project_for_claim(session, claim.id)
        for step in ("in_progress", "completed", "evaluated"):
            if project.status == status:
                break
            project = self._do(projects.transition_project, ADMIN, project.id, step)
        return project

    def activity(self, project, starts_at: datetime | None = None, hours_long: float = 3, **over):
        """An activity of a running project; by default tomorrow, for three hours."""
        starts_at = starts_at or hours_ago(-24)
        data = {"title": "周六陪诊", "place": "区医院门诊楼", "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours_long), "slots": 3, "skills_wanted": ["陪诊"]}
        data.update(over)
        return self._do(activities.schedule_activity, ADMIN, _id(project), data)

    def past_activity(self, project, ended_hours_ago: float = 2, hours_long: float = 3, **over):
        """An activity that already took place (hours are recorded after the service)."""
        return self.activity(project, starts_at=hours_ago(ended_hours_ago + hours_long),
                             hours_long=hours_long, **over)

    def signup(self, activity, volunteer, actor: Actor = ADMIN):
        return self._do(activities.sign_up, actor, _id(activity), _id(volunteer))

    def hour_record(self, activity, volunteer, actor: Actor = ADMIN, minutes: int = 120, **over):
        """A pending hour record of a signed-up volunteer, logged by `actor` (the district by default)."""
        with self.platform.read_session() as session:
            start = session.get(type(activity), _id(activity)).starts_at
        if not over.pop("signed_up", False):
            self.signup(activity, volunteer)
        data = {"activity_id": _id(activity), "volunteer_id": _id(volunteer), "starts_at": start,
                "ends_at": start + timedelta(minutes=minutes), "content": "陪同复诊",
                "reason": "现场未签到，活动后补录"}
        data.update(over)
        return self._do(hours.log_hours, actor, data)

    def verified_hours(self, volunteer, organization=None, minutes: int = 120):
        """A volunteer with `minutes` of verified service for an organization; returns the record.
        Each call's activity is four hours before the previous one's, so they never overlap."""
        self._verified = getattr(self, "_verified", 0) + 1
        project = self.project(organization=organization, status="in_progress")
        activity = self.past_activity(project, ended_hours_ago=4 * self._verified - 2)
        record = self.hour_record(activity, volunteer, minutes=minutes)
        self._do(hours.review_hours, ADMIN, record.id, "verify")
        return record


def _id(thing):
    """An object's id, or the id itself (builders take either)."""
    return getattr(thing, "id", thing)
