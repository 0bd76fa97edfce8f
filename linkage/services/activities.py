"""Activities of a project: scheduling, sign-ups (no overbooking, no double-booking), check-in/out."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, Forbidden, InvalidInput, Message, NotFound
from linkage.geo import bounding_box, haversine_km
from linkage.messages import rfc3339
from linkage.models import (
    Activity,
    HourAction,
    HourEntry,
    HourSource,
    MatchSet,
    Need,
    Project,
    ProjectStatus,
    Signup,
    SignupStatus,
    Volunteer,
    utcnow,
)
from linkage.permissions import Actor, visible_signups
from linkage.policy.parties import is_organization_staff, is_volunteer
from linkage.policy.service import may_organize, require_attendance_recorder, require_organizer, require_signup_by
from linkage.services.eligibility import require_eligible
from linkage.services.hours import append_entry, check_recording_rules
from linkage.services.matches import shown_entry
from linkage.uow import UnitOfWork, get_or_404

ACTIVE = (SignupStatus.SIGNED_UP.value, SignupStatus.CHECKED_IN.value, SignupStatus.CHECKED_OUT.value)
RUNNING = (ProjectStatus.APPROVED.value, ProjectStatus.IN_PROGRESS.value)
ATTENDANCE_SLACK = timedelta(hours=1)  # people arrive early and stay late; hour records allow the same
CHECK_IN_EARLY = ATTENDANCE_SLACK  # check-in opens this long before the start
CHECK_OUT_LATE = ATTENDANCE_SLACK  # check-out closes this long after the end
IN_PAST = "flows.activity_in_past"
NO_CHECK_IN = "signup.no_check_in"
CHECK_IN_FUTURE = "check_in.future"
NO_CHECK_OUT = "signup.no_check_out"
CHECK_OUT_FUTURE = "check_out.future"


def activity_record(activity: Activity, taken: int | None = None) -> dict[str, Any]:
    return {"id": activity.id, "project_id": activity.project_id, "title": activity.title,
            "place": activity.place, "starts_at": rfc3339(activity.starts_at),
            "ends_at": rfc3339(activity.ends_at), "slots": activity.slots,
            "skills_wanted": list(activity.skills_wanted), "cancelled": activity.cancelled,
            "taken": taken, "series_id": activity.series_id,
            "occurrence_start": rfc3339(activity.occurrence_start) if activity.occurrence_start else None,
            "role": activity.role, "qualification_required": activity.qualification_required}


def signup_record(signup: Signup, previous_status: str | None = None) -> dict[str, Any]:
    """A sign-up as its events carry it; `previous_status` tells a promotion (waitlisted -> signed_up)."""
    return {"id": signup.id, "activity_id": signup.activity_id, "volunteer_id": signup.volunteer_id,
            "status": signup.status, "previous_status": previous_status}


def get_activity(session: Session, activity_id: int, lock: bool = False) -> Activity:
    query = select(Activity).where(Activity.id == activity_id)
    if lock:
        query = query.with_for_update(of=Activity)
    activity = session.scalars(query).first()
    if activity is None:
        raise NotFound("activity.not_found", id=activity_id)
    return activity


def taken_slots(session: Session, activity_id: int) -> int:
    return session.execute(select(func.count()).select_from(Signup).where(
        Signup.activity_id == activity_id, Signup.status.in_(ACTIVE))).scalar_one()


def timing_rules() -> dict[str, int]:
    """The timing rules of an activity as the pages state them: check-in opens `early` minutes before
    the start, check-out closes `late` minutes after the end (volunteers sign up until the end)."""
    return {"early": int(CHECK_IN_EARLY.total_seconds() // 60), "late": int(CHECK_OUT_LATE.total_seconds() // 60)}


def schedule_activity(uow: UnitOfWork, actor: Actor, project_id: int, data: dict[str, Any], *,
                      past_confirmed: bool = True) -> Activity:
    """Schedule an activity; one that starts before now needs `past_confirmed` (the pages ask first:
    volunteers cannot sign up once it is over, only the organization records its attendance)."""
    project = uow.get_or_404(Project, project_id)
    require_organizer(actor, project)
    if project.status not in RUNNING:
        raise Conflict("project.no_new_activities", status=project.status)
    if data["starts_at"] >= data["ends_at"]:
        raise InvalidInput("time.empty_window", {"ends_at": ["field.after_start"]})
    if not past_confirmed and data["starts_at"] < utcnow():
        over = data["ends_at"] <= utcnow()
        raise Conflict(IN_PAST, {"starts_at": ["flows.activity_over" if over else "flows.activity_started"],
                                 "confirm_past": ["flows.confirm_past_needed"]})
    activity = Activity(project=project, **data)
    uow.session.add(activity)
    uow.session.flush()
    uow.emit(topic=Topics.PROJECTS, key=str(project.id), type=Types.ACTIVITY_SCHEDULED,
             subject=f"activity/{activity.id}", data={"activity": activity_record(activity, 0)})
    uow.commit()
    return activity


def sign_up(uow: UnitOfWork, actor: Actor, activity_id: int, volunteer_id: int | None = None) -> Signup:
    """A volunteer takes a slot. Locks: the activity (slots), then the volunteer (overlaps)."""
    volunteer_id = volunteer_id or actor.volunteer_id
    activity = get_activity(uow.session, activity_id, lock=True)
    # The organization may add a walk-in volunteer, also after the fact, so their hours can be recorded.
    on_behalf = may_organize(actor, activity.project)
    require_signup_by(actor, volunteer_id, activity.project)
    if volunteer_id is None:
        raise InvalidInput("signup.who", {"volunteer_id": ["field.required"]})
    volunteer = uow.session.scalars(select(Volunteer).where(Volunteer.id == volunteer_id)
                                    .with_for_update()).first()
    if volunteer is None or not volunteer.active:
        raise InvalidInput("volunteer.inactive", {"volunteer_id": ["field.not_active"]})
    if activity.cancelled or activity.project.status not in RUNNING:
        raise Conflict("activity.not_open")
    if activity.ends_at <= utcnow() and not on_behalf:
        raise Conflict("activity.over")
    require_eligible(uow.session, volunteer, activity)  # insurance, a minor's guardian consent
    mine = uow.session.scalars(select(Signup).join(Activity, Activity.id == Signup.activity_id).where(
        Signup.volunteer_id == volunteer_id, Signup.status.in_(ACTIVE),
        Activity.starts_at < activity.ends_at, Activity.ends_at > activity.starts_at)).all()
    waiting = uow.session.scalars(select(Signup.id).where(
        Signup.activity_id == activity.id, Signup.volunteer_id == volunteer_id,
        Signup.status == SignupStatus.WAITLISTED.value)).first()
    if waiting is not None or any(s.activity_id == activity.id for s in mine):
        raise Conflict("signup.duplicate")
    if mine:
        raise Conflict("signup.overlap", {"activity_id": [Message("signup.overlaps_activity", activity=mine[0].activity_id)]})
    # A full activity puts the volunteer on its waitlist (候补), in order of arrival (the sign-up id);
    # once it has started nobody is promoted any more (services/waitlist.py), so it is simply full.
    full = taken_slots(uow.session, activity.id) >= activity.slots
    if full and activity.starts_at <= utcnow():
        raise Conflict("activity.full", {"slots": ["activity.no_slot"]})
    status = SignupStatus.WAITLISTED if full else SignupStatus.SIGNED_UP
    signup = Signup(activity_id=activity.id, volunteer_id=volunteer_id, status=status.value)
    uow.session.add(signup)
    uow.session.flush()
    _emit_signup(uow, activity, signup)
    uow.commit()
    return signup


def walk_in_candidates(session: Session, actor: Actor, activity: Activity) -> dict[int, str | None]:
    """Volunteers the organization may add to `activity` (walk-ins, or an activity scheduled after the fact):
    those the matcher recommended for its need, named as the matches show them to `actor` (None: not named
    there), and who signed up for the project's other activities; less those on it. Empty for non-organizers."""
    if not may_organize(actor, activity.project) or activity.cancelled or activity.project.status not in RUNNING:
        return {}
    found: dict[int, str | None] = {}
    ranked = session.scalars(select(MatchSet).where(MatchSet.need_id == activity.project.need_id)).first()
    for entry in (ranked.matches.get("volunteer", []) if ranked else []):
        found[entry["provider_id"]] = shown_entry(actor, entry)["name"]
    earlier = session.scalars(select(Signup.volunteer_id).join(Activity, Activity.id == Signup.activity_id)
                              .where(Activity.project_id == activity.project_id))
    for volunteer_id in earlier:
        found.setdefault(volunteer_id, None)
    on_it = set(session.scalars(select(Signup.volunteer_id).where(Signup.activity_id == activity.id,
                                                                   Signup.status.in_(ACTIVE))))
    return {volunteer_id: name for volunteer_id, name in found.items() if volunteer_id not in on_it}


def _emit_signup(uow: UnitOfWork, activity: Activity, signup: Signup, previous_status: str | None = None) -> None:
    uow.emit(topic=Topics.PROJECTS, key=str(activity.project_id), type=Types.SIGNUP_CHANGED,
             subject=f"signup/{signup.id}", data={"signup": signup_record(signup, previous_status)})


def _get_signup(uow: UnitOfWork, signup_id: int) -> Signup:
    signup = uow.session.scalars(select(Signup).where(Signup.id == signup_id).with_for_update()).first()
    if signup is None:
        raise NotFound("signup.not_found", id=signup_id)
    return signup


def cancel_signup(uow: UnitOfWork, actor: Actor, signup_id: int) -> Signup:
    """Cancel a sign-up or leave the waitlist; a freed slot goes to the waitlist (services/waitlist.py)."""
    from linkage.services.waitlist import cancel_signup as cancel  # the waitlist builds on this module

    return cancel(uow, actor, signup_id)


def _attendance(uow: UnitOfWork, actor: Actor, signup_id: int, at: datetime | None, needs: SignupStatus,
                wrong_status: str, future: str, by_code: bool) -> tuple[Signup, Activity, datetime]:
    """What a check-in or check-out starts from: the sign-up in the status the step needs, its activity
    (policy require_attendance_recorder) and the moment, now unless given and never in the future."""
    signup = _get_signup(uow, signup_id)
    activity = get_activity(uow.session, signup.activity_id)
    require_attendance_recorder(actor, activity.project, signup.volunteer_id, by_code=by_code)
    if signup.status != needs.value:
        raise Conflict(wrong_status, status=signup.status)
    at = at or utcnow()
    if at > utcnow():
        raise InvalidInput(future, {"at": ["field.in_future"]})
    return signup, activity, at


def attendance_times(activity: Activity, signup: Signup, now: datetime | None = None) -> dict[str, datetime] | None:
    """What a check-in or check-out form proposes: `value` (the planned start or end, never after now) and the
    `low`/`high` bounds the step accepts; None while it cannot be recorded yet (before it opens, same minute)."""
    now = now or utcnow()
    if signup.status == SignupStatus.SIGNED_UP.value:
        low, high, planned = activity.starts_at - CHECK_IN_EARLY, min(activity.ends_at, now), activity.starts_at
    elif signup.status == SignupStatus.CHECKED_IN.value and signup.checked_in_at is not None:
        low = signup.checked_in_at + timedelta(minutes=1)
        high, planned = min(activity.ends_at + CHECK_OUT_LATE, now), activity.ends_at
    else:
        return None
    if high < low:
        return None
    return {"value": min(max(planned, low), high), "low": low, "high": high}


def check_in(uow: UnitOfWork, actor: Actor, signup_id: int, at: datetime | None = None, *,
             by_code: bool = False) -> Signup:
    """`by_code`: the volunteer themself, with a code checked by services.checkin_codes."""
    signup, activity, at = _attendance(uow, actor, signup_id, at, SignupStatus.SIGNED_UP, NO_CHECK_IN,
                                       CHECK_IN_FUTURE, by_code)
    if not (activity.starts_at - ATTENDANCE_SLACK <= at <= activity.ends_at):
        raise InvalidInput("check_in.outside", {"at": ["check_in.outside_activity"]})
    signup.status, signup.checked_in_at = SignupStatus.CHECKED_IN.value, at
    uow.session.flush()
    _emit_signup(uow, activity, signup, SignupStatus.SIGNED_UP.value)
    uow.commit()
    return signup


def served_window(activity: Activity, checked_in_at: datetime, checked_out_at: datetime) -> tuple[datetime, datetime]:
    """What the hours count (信用时长): arriving early counts from the start, leaving late to the end."""
    return max(checked_in_at, activity.starts_at), min(checked_out_at, activity.ends_at)


def check_out(uow: UnitOfWork, actor: Actor, signup_id: int, at: datetime | None = None,
              content: str = "", *, by_code: bool = False) -> tuple[Signup, HourEntry]:
    """Check-out records the hours of served_window (pending verification) on the ledger."""
    signup, activity, at = _attendance(uow, actor, signup_id, at, SignupStatus.CHECKED_IN, NO_CHECK_OUT,
                                       CHECK_OUT_FUTURE, by_code)
    checked_in_at = cast(datetime, signup.checked_in_at)  # set on check-in, and the status says checked in
    if at <= checked_in_at:
        raise InvalidInput("check_out.before_check_in", {"at": ["check_out.before"]})
    if at > activity.ends_at + ATTENDANCE_SLACK:
        raise InvalidInput("check_out.outside", {"at": ["check_out.too_late"]})
    starts_at, ends_at = served_window(activity, checked_in_at, at)
    if starts_at >= ends_at:  # left before the start, or came at the very end
        raise InvalidInput("check_out.no_service", {"at": ["check_out.outside_shift"]})
    minutes = check_recording_rules(uow, signup.volunteer_id, starts_at, ends_at)  # no overlap, ≤ 24 h a day
    signup.status, signup.checked_out_at = SignupStatus.CHECKED_OUT.value, at
    uow.session.flush()
    _emit_signup(uow, activity, signup, SignupStatus.CHECKED_IN.value)
    entry = append_entry(uow, actor, signup.volunteer_id, HourAction.RECORD.value, project_id=activity.project_id,
                         activity_id=activity.id, organization_id=activity.project.organization_id,
                         signup_id=signup.id, starts_at=starts_at, ends_at=ends_at, minutes=minutes,
                         content=content or activity.title, source=HourSource.CHECKIN.value)
    uow.commit()
    return signup, entry


def list_activities(session: Session, project_id: int) -> list[tuple[Activity, int]]:
    rows = session.scalars(select(Activity).where(Activity.project_id == project_id).order_by(Activity.starts_at))
    return [(a, taken_slots(session, a.id)) for a in rows]


def read_signups(session: Session, actor: Actor, activity_id: int) -> list[Signup]:
    """An activity's sign-ups as `actor` may see them: all for its organizers, their community and
    the district; a volunteer only their own (policy: visible_signups)."""
    get_activity(session, activity_id)
    query = select(Signup).where(Signup.activity_id == activity_id)
    if (visible := visible_signups(actor)) is not None:
        query = query.where(visible)
    return list(session.scalars(query.order_by(Signup.id)))


def signups_for(session: Session, activity_id: int) -> list[Signup]:
    return list(session.scalars(select(Signup).where(Signup.activity_id == activity_id).order_by(Signup.id)))


def open_signup(session: Session, activity_id: int, volunteer_id: int | None) -> Signup:
    """The volunteer's sign-up on this activity that may still be cancelled (or waits), or 404."""
    signup = session.scalars(select(Signup).where(
        Signup.activity_id == activity_id, Signup.volunteer_id == volunteer_id,
        Signup.status.in_((SignupStatus.SIGNED_UP.value, SignupStatus.WAITLISTED.value)))
        .order_by(Signup.id).limit(1)).first()
    if signup is None:
        raise NotFound("signup.none_open")
    return signup


# -- the activity lists of the pages -------------------------------------------------------------

def taken_counts(session: Session, activity_ids: Iterable[int]) -> dict[int, int]:
    """activity id -> slots taken, for many activities in one query."""
    ids = set(activity_ids)
    if not ids:
        return {}
    rows = session.execute(select(Signup.activity_id, func.count()).where(
        Signup.activity_id.in_(ids), Signup.status.in_(ACTIVE)).group_by(Signup.activity_id))
    return {activity_id: 0 for activity_id in ids} | dict(rows.all())


def activities_near(session: Session, actor: Actor, km: float | None = None, *, page: int = 1,
                    page_size: int = 50) -> dict[str, Any]:
    """Upcoming open activities of running projects within `km` of the volunteer's home (by default
    their travel radius, at least 10 km), nearest first, served where their need is; one page."""
    volunteer = get_or_404(session, Volunteer, actor.volunteer_id) if actor.volunteer_id else None
    if not is_volunteer(actor) or volunteer is None:
        raise Forbidden("activities.near_volunteer_only")
    km = min(max(km if km is not None else max(volunteer.travel_radius_km, 10), 0.5), 200)
    lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(volunteer.lat, volunteer.lon, km)
    candidates = session.execute(select(Activity, Need).join(Project, Project.id == Activity.project_id)
                                 .join(Need, Need.id == Project.need_id)
                                 .where(Activity.cancelled.is_(False), Activity.ends_at > utcnow(),
                                        Project.status.in_(RUNNING), Need.lat.between(lo_lat, hi_lat),
                                        Need.lon.between(lo_lon, hi_lon)))
    found: list[dict[str, Any]] = []
    for activity, need in candidates:
        distance = haversine_km(volunteer.lat, volunteer.lon, need.lat, need.lon)
        if distance <= km:
            found.append({"activity": activity, "need": need, "distance_km": round(distance, 1)})
    found.sort(key=lambda row: (row["distance_km"], row["activity"].starts_at, row["activity"].id))
    rows = found[(page - 1) * page_size:page * page_size]
    taken = taken_counts(session, [row["activity"].id for row in rows])
    return {"rows": [{**row, "taken": taken[row["activity"].id]} for row in rows], "total": len(found),
            "km": km, "page": page, "page_size": page_size}


def organization_activities(session: Session, actor: Actor, *, page: int = 1,
                            page_size: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Activities newest first: an organization's staff see their organization's, the district and
    the other staff roles every organization's."""
    query = select(Activity).join(Project, Project.id == Activity.project_id)
    if is_organization_staff(actor):
        query = query.where(Project.organization_id == actor.organization_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    found = list(session.scalars(query.order_by(Activity.starts_at.desc(), Activity.id.desc())
                                 .limit(page_size).offset((page - 1) * page_size)))
    taken = taken_counts(session, [a.id for a in found])
    return [{"activity": a, "need": None, "distance_km": None, "taken": taken[a.id]} for a in found], total


def my_signups(session: Session, actor: Actor) -> dict[int, Signup]:
    """activity id -> the acting volunteer's latest sign-up on it (nobody else has any)."""
    if actor.volunteer_id is None:
        return {}
    rows = session.scalars(select(Signup).where(Signup.volunteer_id == actor.volunteer_id).order_by(Signup.id))
    return {s.activity_id: s for s in rows}
