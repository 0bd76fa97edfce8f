"""Who may do what, at the service: every verb tried by every role; a refusal raises and changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest

from linkage.errors import Forbidden, NotFound
from linkage.models import utcnow
from linkage.notice import current_version
from linkage.services import (
    accounts,
    activities,
    communities,
    consents,
    disclosures,
    evaluations,
    hours,
    needs,
    projects,
    providers,
    rights,
)
from tests.factories import community_body, need_data, org_body, resource_body, social_worker_body, volunteer_body

# Who may act is decided before any query that differs between the databases: SQLite is enough here
# (every other service test runs on both), and a scene per allowed actor keeps the matrix costly.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ACTORS = ("admin", "community_staff", "other_community_staff", "org_staff", "other_org_staff", "volunteer",
          "other_volunteer", "social_worker", "auditor")


@dataclass
class Scene:
    """Two communities (A, B) and two organizations (X, Y); X runs project P in A with an upcoming
    activity and a past one in which volunteer V has a pending hour record; Q is X's completed project."""

    ids: dict
    actors: dict
    cipher: object


def make_scene(build, platform) -> Scene:
    a, b = build.community(), build.community()
    x, y = build.organization(), build.organization()
    v, w = build.volunteer(a), build.volunteer(a)
    s = build.social_worker(x)
    need = build.need(a)
    p = build.project(community=a, organization=x, status="in_progress")
    q = build.project(community=a, organization=x, status="completed")
    upcoming = build.activity(p)
    past = build.past_activity(p)
    record = build.hour_record(past, v, minutes=60)
    resource = build.resource()
    actors = {"admin": build.admin(), "community_staff": build.community_staff(a),
              "other_community_staff": build.community_staff(b), "org_staff": build.org_staff(x),
              "other_org_staff": build.org_staff(y), "volunteer": build.volunteer_actor(v),
              "other_volunteer": build.volunteer_actor(w), "social_worker": build.social_worker_actor(s),
              "auditor": build.auditor()}
    ids = {"a": a.id, "b": b.id, "x": x.id, "y": y.id, "v": v.id, "w": w.id, "s": s.id, "need": need.id,
           "p": p.id, "q": q.id, "upcoming": upcoming.id, "past": past.id, "record": record.id,
           "resource": resource.id, "auditor_user": actors["auditor"].user_id}
    return Scene(ids, actors, platform.cipher)


def _window():
    start = utcnow() + timedelta(days=3)
    return {"title": "入户探访", "place": "居民家中", "starts_at": start, "ends_at": start + timedelta(hours=2),
            "slots": 2, "skills_wanted": []}


# verb -> (what it does, who may do it)
VERBS: dict[str, tuple[Callable, set[str]]] = {
    "post a need": (lambda u, me, s: needs.post_need(u, me, need_data(s.ids["a"])),
                    {"admin", "community_staff"}),
    "change a need": (lambda u, me, s: needs.update_need(u, me, s.ids["need"], {"urgency": "high"}),
                      {"admin", "community_staff"}),
    "cancel a need": (lambda u, me, s: needs.cancel_need(u, me, s.ids["need"]),
                      {"admin", "community_staff"}),
    "register a community": (lambda u, me, s: communities.register_community(
        u, me, community_body(code=f"1201169{s.ids['a']:02d}")), {"admin"}),
    "maintain a community": (lambda u, me, s: communities.update_community(u, me, s.ids["a"], {"households": 9}),
                             {"admin", "community_staff"}),
    "register an organization": (lambda u, me, s: providers.register_provider(
        u, me, "organization", org_body(900 + s.ids["x"]), s.cipher), {"admin"}),
    "register a resource": (lambda u, me, s: providers.register_provider(
        u, me, "resource", resource_body(), s.cipher), {"admin"}),
    "register a social worker": (lambda u, me, s: providers.register_provider(
        u, me, "social_worker", social_worker_body(s.ids["x"]), s.cipher), {"admin", "org_staff"}),
    "register a volunteer": (lambda u, me, s: providers.register_provider(
        u, me, "volunteer", volunteer_body(900 + s.ids["v"], s.ids["a"]), s.cipher), {"admin", "community_staff"}),
    "change an organization": (lambda u, me, s: providers.update_provider(
        u, me, "organization", s.ids["x"], {"capacity": 7}, s.cipher), {"admin", "org_staff"}),
    "change a social worker": (lambda u, me, s: providers.update_provider(
        u, me, "social_worker", s.ids["s"], {"service_radius_km": 4}, s.cipher),
        {"admin", "org_staff", "social_worker"}),
    "change a volunteer": (lambda u, me, s: providers.update_provider(
        u, me, "volunteer", s.ids["v"], {"travel_radius_km": 2}, s.cipher), {"admin", "volunteer"}),
    "change a resource": (lambda u, me, s: providers.update_provider(
        u, me, "resource", s.ids["resource"], {"radius_km": 5}, s.cipher), {"admin"}),
    "deactivate an organization": (lambda u, me, s: providers.deactivate_provider(u, me, "organization", s.ids["x"]),
                                   {"admin", "org_staff"}),
    "claim a need": (lambda u, me, s: projects.claim_need(u, me, s.ids["need"], "方案", organization_id=s.ids["x"]),
                     {"admin", "org_staff"}),
    "complete a project": (lambda u, me, s: projects.transition_project(u, me, s.ids["p"], "completed"),
                           {"admin", "org_staff"}),
    "evaluate-close a project": (lambda u, me, s: projects.transition_project(u, me, s.ids["q"], "evaluated"),
                                 {"admin", "community_staff"}),
    "assign a lead": (lambda u, me, s: projects.assign_lead(u, me, s.ids["p"], s.ids["s"]), {"admin", "org_staff"}),
    "schedule an activity": (lambda u, me, s: activities.schedule_activity(u, me, s.ids["p"], _window()),
                             {"admin", "org_staff"}),
    "sign a volunteer up": (lambda u, me, s: activities.sign_up(u, me, s.ids["upcoming"], s.ids["v"]),
                            {"admin", "org_staff", "volunteer"}),
    "verify hours": (lambda u, me, s: hours.review_hours(u, me, s.ids["record"], "verify"),
                     {"admin", "org_staff", "community_staff"}),
    "correct hours": (lambda u, me, s: hours.correct_hours(u, me, s.ids["record"], {"reason": "更正", "reverse": True}),
                      {"admin", "org_staff"}),
    "dispute hours": (lambda u, me, s: hours.dispute_hours(u, me, s.ids["record"], "时长不对"), {"volunteer"}),
    "issue evaluation codes": (lambda u, me, s: evaluations.issue_codes(u, me, s.ids["q"], 2),
                               {"admin", "community_staff"}),
    "revoke another user's tokens": (lambda u, me, s: accounts.revoke_tokens(u, me, s.ids["auditor_user"]),
                                     {"admin", "auditor"}),
    "reveal a phone": (lambda u, me, s: disclosures.reveal(u, me, s.cipher, s.ids["v"], "phone", "回访核实服务情况"),
                       {"admin", "auditor"}),
    "erase a volunteer": (lambda u, me, s: rights.erase_volunteer(u, me, s.ids["v"], "本人书面申请"),
                          {"admin", "volunteer"}),
    "record a consent on screen": (lambda u, me, s: consents.record_consent(
        u, me, s.ids["v"], {"notice_version": current_version(), "method": "self"}, s.cipher),
        {"admin", "community_staff", "volunteer"}),
}


@SQLITE_ONLY
@pytest.mark.parametrize("verb", list(VERBS))
def test_who_may(verb, build, platform, unchanged):
    action, allowed = VERBS[verb]
    scene = make_scene(build, platform)
    for name in ACTORS:
        if name in allowed:
            continue
        with unchanged(), pytest.raises((Forbidden, NotFound)):
            with platform.uow() as uow:
                action(uow, scene.actors[name], scene)
    for position, name in enumerate(sorted(allowed)):
        if position:  # the first allowed actor acts on the scene the refusals left as it was
            scene = make_scene(build, platform)
        with platform.uow() as uow:
            assert action(uow, scene.actors[name], scene) is not None, f"{name} may {verb}"


def test_the_table_names_only_known_roles():
    assert all(allowed <= set(ACTORS) and allowed for _, allowed in VERBS.values())
