"""The role and read matrices' scene: the world of two parties of each role, and builders that make
each object through the API as its rightful party (see matrix_cases.py for the operations)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from linkage.models import User
from linkage.services.accounts import create_user
from tests.integration.api.conftest import (
    PASSWORD,
    need_body,
    org_body,
    resource_body,
    social_worker_body,
    volunteer_body,
)

API = "/api/v1"

# --- building the objects, always through the API as the rightful party -------------------------

def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")


def scores(value: int) -> dict:
    return {criterion: value for criterion in RUBRIC}


class Scene:
    """The world plus builders; each builder makes a new object (distinct names, days, codes)."""

    def __init__(self, world):
        self.world, self.ids, self._n, self._uids, self.cache = world, world.ids, 0, {}, {}

    def n(self) -> int:
        self._n += 1
        return self._n

    def call(self, method: str, path: str, who: str | None, json: Any = None, query: dict | None = None):
        kwargs: dict = {}
        if json is not None:
            kwargs["json"] = json
        if query:
            kwargs["query_string"] = query
        return self.world.call(method, API + path, who, **kwargs)

    def must(self, method: str, path: str, who: str, json: Any = None, query: dict | None = None):
        r = self.call(method, path, who, json, query)
        assert 200 <= r.status_code < 300, f"setup {method} {path} as {who}: {r.status_code} {r.get_json()}"
        return r.get_json()

    def notification_of(self, username: str) -> int:
        """A notification in `username`'s inbox (the notifier writes them; no endpoint creates one)."""
        from linkage.services.inbox import store_notices
        from linkage.services.notifications import Notice

        with self.world.platform.uow() as uow:
            (row,) = store_notices(uow.session, [Notice(self.uid(username), "hours_verified",
                                                        f"matrix:{self.n()}", {"minutes": 60}, "/me/hours")])
            uow.commit()
            return row.id

    def uid(self, username: str) -> int:
        if username not in self._uids:
            with self.world.platform.engine.connect() as conn:
                self._uids[username] = conn.execute(select(User.id).where(User.username == username)).scalar_one()
        return self._uids[username]

    def first_or_new(self, kind: str) -> int:
        """The world's provider A the first time (its staff or person may act on it), then a new one
        registered by the district (a deactivated provider cannot be deactivated again: that is a no-op)."""
        if not self.cache.get(f"used:{kind}"):
            self.cache[f"used:{kind}"] = True
            return self.ids[kind]
        n = self.n()
        path, body = {"organization": ("/organizations", lambda: org_body(500 + n)),
                      "social_worker": ("/social-workers",
                                        lambda: social_worker_body(self.ids["organization"], name=f"社工{n}")),
                      "volunteer": ("/volunteers", lambda: volunteer_body(500 + n, self.ids["community"])),
                      "resource": ("/resources", lambda: resource_body(name=f"物资{n}"))}[kind]
        return self.must("POST", path, "admin", body())["id"]

    def add_other_social_worker_account(self) -> None:
        """The world has a login for social worker A only; the matrix needs B's as well."""
        platform = self.world.platform
        with platform.uow() as u:
            user = create_user(u, platform.passwords, username="other_social_worker", password=PASSWORD,
                               role="social_worker", social_worker_id=self.ids["other_social_worker"])
        self.world.tokens["other_social_worker"] = platform.tokens.issue(user.id, user.token_version)

    # needs, claims, projects
    def need(self) -> int:
        body = need_body(self.ids["community"], title=f"陪同独居老人复诊{self.n()}")
        return self.must("POST", "/needs", "community_staff", body)["id"]

    def ranked_need(self) -> int:
        """A need whose stored ranking holds organization A, volunteer A and social worker A."""
        from linkage.services.matches import record_matches

        need = self.need()
        ranked = {kind: [{"provider_id": self.ids[kind], "name": kind, "score": 0.9, "distance_km": 1.0}]
                  for kind in ("organization", "volunteer", "social_worker")}
        with self.world.platform.uow() as uow:
            record_matches(uow, consumer="test", event_id=f"rank-{need}", need_id=need, ranked_at=now(),
                           matches=ranked)
            uow.commit()
        return need

    def invitation(self) -> dict:
        """Organization A invited by community A's staff to claim a ranked need."""
        need = self.ranked_need()
        sent = self.must("POST", f"/needs/{need}/invitations", "community_staff",
                         {"kind": "claim", "invitee_kind": "organization", "invitee_id": self.ids["organization"]})
        return {"need_id": need, "invitation_id": sent["id"]}

    def claim(self) -> dict:
        need = self.need()
        claim = self.must("POST", f"/needs/{need}/claims", "org_staff", {"plan": "派两名志愿者陪同复诊"})
        return {"need_id": need, "claim_id": claim["id"]}

    def project(self, status: str = "approved") -> int:
        claim = self.claim()
        project = self.must("POST", f"/claims/{claim['claim_id']}/decision", "community_staff",
                            {"decision": "approve"})["project_id"]
        for step in {"approved": (), "in_progress": ("in_progress",),
                     "completed": ("in_progress", "completed")}[status]:
            self.must("POST", f"/projects/{project}/transitions", "org_staff", {"to": step})
        return project

    def running_project(self) -> int:
        if "project" not in self.cache:
            self.cache["project"] = self.project()
        return self.cache["project"]

    # activities, sign-ups, hours, certificates (every activity on its own day: no overlaps)
    def activity(self, future: bool = True) -> dict:
        day = self.n()
        start = now() + (timedelta(days=day + 1) if future else -timedelta(days=day + 2))
        activity = self.must("POST", f"/projects/{self.running_project()}/activities", "org_staff", {
            "title": "助老陪诊", "place": "社区服务站", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(), "slots": 5})
        return {"activity_id": activity["id"], "start": start}

    def series(self) -> dict:
        """A recurring activity of the running project (every week from a day to come, one shift);
        its first occurrence's key."""
        start = now() + timedelta(days=self.n() + 1)
        made = self.must("POST", f"/projects/{self.running_project()}/series", "org_staff", self.series_body(start))
        return {"series_id": made["id"], "occurrence_start": made["occurrences"][0]["occurrence_start"]}

    @staticmethod
    def series_body(start: datetime) -> dict:
        return {"title": "周二助餐", "place": "社区食堂", "rrule": "FREQ=WEEKLY;COUNT=3",
                "dtstart": start.isoformat(), "duration_minutes": 120,
                "shifts": [{"role": "送餐", "slots": 2}]}

    def signup(self, activity_id: int, volunteer: str = "volunteer") -> int:
        return self.must("POST", f"/activities/{activity_id}/signups", "org_staff",
                         {"volunteer_id": self.ids[volunteer]})["id"]

    def hours_body(self, activity: dict, volunteer: str = "volunteer") -> dict:
        return {"activity_id": activity["activity_id"], "volunteer_id": self.ids[volunteer],
                "starts_at": activity["start"].isoformat(),
                "ends_at": (activity["start"] + timedelta(minutes=120)).isoformat(), "content": "陪老人复诊",
                # staff entering hours afterwards (补录) give a reason; a volunteer's own record may too
                "reason": "补录：纸质签到表"}

    def record(self) -> int:
        activity = self.activity(future=False)
        self.signup(activity["activity_id"])
        return self.must("POST", "/hours", "volunteer", self.hours_body(activity))["id"]

    def verified_record(self) -> int:
        record = self.record()
        self.must("POST", f"/hours/{record}/verification", "org_staff", {"decision": "verify"})
        return record

    def certificate(self) -> str:
        self.verified_record()
        return self.must("POST", f"/volunteers/{self.ids['volunteer']}/certificates", "org_staff", {})["code"]

    # venture philanthropy
    def round(self) -> int:
        return self.must("POST", "/funding-rounds", "admin", {
            "name": f"2027年社区公益创投{self.n()}", "budget_fen": 1_000_000, "cap_fen": 400_000})["id"]

    @staticmethod
    def application_body(need_id: int | None = None, project_id: int | None = None) -> dict:
        body = {"summary": "为独居老人提供陪诊", "requested_fen": 400_000,
                "budget_lines": [{"name": "人员费", "amount_fen": 240_000}, {"name": "活动费", "amount_fen": 160_000}],
                "milestones": [{"title": "项目启动", "share_pct": 50}, {"title": "结项评估", "share_pct": 50}]}
        body.update({"need_id": need_id} if need_id else {"project_id": project_id})
        return body

    def application(self, round_id: int) -> int:
        return self.must("POST", f"/funding-rounds/{round_id}/applications", "org_staff",
                         self.application_body(need_id=self.need()))["id"]

    def reviewing(self, reviewers=("other_social_worker",), reviewed: bool = False) -> dict:
        round_id = self.round()
        application = self.application(round_id)
        for reviewer in reviewers:
            self.must("POST", f"/applications/{application}/reviewers", "admin", {"user_id": self.uid(reviewer)})
        self.must("POST", f"/funding-rounds/{round_id}/transitions", "admin", {"to": "reviewing"})
        if reviewed:
            self.must("POST", f"/applications/{application}/reviews", reviewers[0],
                      {"scores": scores(80), "comments": "方案可行"})
        return {"round_id": round_id, "application_id": application}

    def grant(self, accepted: int = 0, disbursed: int = 0) -> dict:
        state = self.reviewing(reviewed=True)
        awards = self.must("POST", f"/funding-rounds/{state['round_id']}/awards", "admin", {})
        grant = awards["allocations"][0]["grant_id"]
        for n in range(1, accepted + 1):
            self.must("POST", f"/grants/{grant}/milestones/{n}/acceptance", "community_staff", {"note": "验收合格"})
        entries = [self.must("POST", f"/grants/{grant}/disbursements", "admin")["id"]
                   for _ in range(disbursed)]
        return {"grant_id": grant, "round_id": state["round_id"], "entries": entries}


