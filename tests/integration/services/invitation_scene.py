"""A need with stored matches, its community's staff and the ranked providers, for the invitation tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linkage.models import utcnow
from linkage.services.matches import record_matches
from tests.factories import ADMIN


def entry(provider_id: int, name: str, score: float) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": name,
        "score": score,
        "distance_km": 1.2,
        "factors": {"distance": 0.8},
        "reasons": ["距离 1.2 公里"],
    }


def rank(platform, need_id: int, matches: dict[str, list[dict[str, Any]]], event_id: str = "rank-1") -> None:
    with platform.uow() as uow:
        record_matches(
            uow, consumer="projector", event_id=event_id, need_id=need_id, ranked_at=utcnow(), matches=matches
        )
        uow.commit()


@dataclass
class Scene:
    community: Any
    need: Any
    staff: Any  # community staff of the need's community
    org: Any  # ranked organization
    org_staff: Any
    other_org: Any  # not ranked
    volunteer: Any  # ranked
    volunteer_actor: Any
    worker: Any  # ranked social worker
    worker_actor: Any
    stranger: Any  # a volunteer not ranked


def scene(build, platform, orgs_ranked: int = 1) -> Scene:
    community = build.community()
    need = build.need(community)
    org, other_org = build.organization(), build.organization()
    volunteer, stranger = build.volunteer(community), build.volunteer(community)
    worker = build.social_worker(org)
    extra = [build.organization() for _ in range(orgs_ranked - 1)]
    rank(
        platform,
        need.id,
        {
            "organization": [entry(org.id, org.name, 0.9)]
            + [entry(o.id, o.name, 0.8 - i / 100) for i, o in enumerate(extra)],
            "volunteer": [entry(volunteer.id, volunteer.name, 0.7)],
            "social_worker": [entry(worker.id, worker.name, 0.6)],
        },
    )
    return Scene(
        community,
        need,
        build.community_staff(community),
        org,
        build.org_staff(org),
        other_org,
        volunteer,
        build.volunteer_actor(volunteer),
        worker,
        build.social_worker_actor(worker),
        stranger,
    )


def claimed(build, s: Scene) -> tuple[Any, Any]:
    """The need claimed by the ranked organization (its project approved) and an activity of it."""
    from linkage.services import projects

    claim = build.claim(s.need, s.org)
    build._do(projects.decide_claim, ADMIN, claim.id, "approve")
    with build.platform.read_session() as session:
        project = projects.project_for_claim(session, claim.id)
    return project, build.activity(project)
