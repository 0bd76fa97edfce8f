"""Small read-only look-ups the pages need and the services do not offer (no rules live here)."""
from __future__ import annotations

from sqlalchemy import select

from linkage.models import (Activity, Certificate, HourEntry, Need, Organization, Project, Signup,
                            Volunteer, utcnow)
from linkage.services import activities as activity_service
from linkage.services import hours as hour_service
from linkage.geo import haversine_km

RUNNING = ("approved", "in_progress")


def activities_near(session, lat: float, lon: float, km: float, limit: int = 50) -> list[dict]:
    """Upcoming open activities of running projects, nearest first, served where their need is."""
    rows = session.execute(select(Activity, Need).join(Project, Project.id == Activity.project_id)
                           .join(Need, Need.id == Project.need_id)
                           .where(Activity.cancelled.is_(False), Activity.ends_at > utcnow(),
                                  Project.status.in_(RUNNING))
                           .order_by(Activity.starts_at)).all()
    found = []
    for activity, need in rows:
        distance = haversine_km(lat, lon, need.lat, need.lon)
        if distance <= km:
            found.append({"activity": activity, "need": need, "distance_km": round(distance, 1),
                          "taken": activity_service.taken_slots(session, activity.id)})
    found.sort(key=lambda row: (row["distance_km"], row["activity"].starts_at))
    return found[:limit]


def activities_of_organization(session, organization_id: int | None) -> list[dict]:
    query = select(Activity).join(Project, Project.id == Activity.project_id).order_by(Activity.starts_at.desc())
    if organization_id is not None:
        query = query.where(Project.organization_id == organization_id)
    return [{"activity": a, "need": None, "distance_km": None,
             "taken": activity_service.taken_slots(session, a.id)} for a in session.scalars(query.limit(100))]


def my_signups(session, volunteer_id: int) -> dict[int, Signup]:
    """activity id -> this volunteer's latest sign-up on it."""
    rows = session.scalars(select(Signup).where(Signup.volunteer_id == volunteer_id).order_by(Signup.id))
    return {s.activity_id: s for s in rows}


def project_records(session, project_id: int) -> list[dict]:
    """The hour records of a project with their current status, newest first."""
    entries = session.scalars(select(HourEntry).where(HourEntry.project_id == project_id,
                                                      HourEntry.action.in_(("record", "correct")),
                                                      HourEntry.starts_at.is_not(None))
                              .order_by(HourEntry.id.desc()))
    names = dict(session.execute(select(Volunteer.id, Volunteer.name)).all())
    return [{**hour_service.entry_record(e, hour_service.status_of(session, e)),
             "volunteer_name": names.get(e.volunteer_id, ""), "logged_by": e.actor_user_id} for e in entries]


def volunteer_names(session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(ids))).all())


def organization_names(session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def certificates_of(session, volunteer_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer_id)
                                .order_by(Certificate.id.desc())))


def evaluable_projects(session) -> list[Project]:
    return list(session.scalars(select(Project).where(Project.status.in_(("completed", "evaluated")))
                                .order_by(Project.id.desc()).limit(200)))


def community_names(session, ids) -> dict[int, str]:
    from linkage.models import Community
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Community.id, Community.name).where(Community.id.in_(ids))).all())


def reviewer_candidates(session, roles: tuple[str, ...]) -> list:
    """Active users who may be asked to review (the service decides; this only fills a list)."""
    from linkage.models import User
    return list(session.scalars(select(User).where(User.active.is_(True), User.role.in_(roles))
                                .order_by(User.role, User.username).limit(200)))


def usernames(session, ids) -> dict[int, str]:
    from linkage.models import User
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def fund_resources(session) -> list:
    """Charity resources of kind fund with money left: the co-funding sources an applicant may pledge."""
    from linkage.models import CharityResource
    return list(session.scalars(select(CharityResource).where(CharityResource.active.is_(True),
                                                              CharityResource.kind == "fund",
                                                              CharityResource.remaining_fen > 0)
                                .order_by(CharityResource.id).limit(200)))


def assigned_reviewers(session, application_id: int) -> list[int]:
    from linkage.models.funding import ReviewAssignment
    return list(session.scalars(select(ReviewAssignment.reviewer_user_id)
                                .where(ReviewAssignment.application_id == application_id)
                                .order_by(ReviewAssignment.id)))


def grant_for_application(session, application_id: int):
    from linkage.models.funding import Grant
    return session.scalars(select(Grant).where(Grant.application_id == application_id)).first()


def grants_of_round(session, round_id: int) -> list:
    from linkage.models.funding import Grant
    return list(session.scalars(select(Grant).where(Grant.round_id == round_id).order_by(Grant.id)))
