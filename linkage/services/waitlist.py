"""The waitlist (候补) of a full activity: leaving it, cancelling, no-shows (未到) and promotion in arrival order.

A waiting sign-up holds no slot. When a slot frees up before the activity starts (a cancellation, a
no-show marked by the organizer), the first eligible waiting volunteer (by sign-up id) is promoted to
`signed_up`, once; one who now overlaps another of their confirmed activities, or was deactivated, is
skipped and stays waiting. Every change is a `linkage.signup.changed.v1` with `previous_status`.

Locks, in this order everywhere: the activity row (FOR UPDATE on PostgreSQL; SQLite writers already
queue at BEGIN IMMEDIATE, linkage.db), then a sign-up or a volunteer row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, NotFound
from linkage.models import Activity, Signup, SignupStatus, Volunteer, utcnow
from linkage.permissions import Actor
from linkage.policy.service import require_organizer, require_signup_canceller
from linkage.services.activities import ACTIVE, _emit_signup, get_activity, taken_slots
from linkage.services.eligibility import require_eligible
from linkage.uow import UnitOfWork

SIGNED_UP, WAITLISTED = SignupStatus.SIGNED_UP.value, SignupStatus.WAITLISTED.value


def _locked(uow: UnitOfWork, signup_id: int) -> tuple[Signup, Activity]:
    """The sign-up and its activity, locked activity first (the order sign_up and promotion use)."""
    found = uow.session.scalars(select(Signup.activity_id).where(Signup.id == signup_id)).first()
    if found is None:
        raise NotFound("signup.not_found", id=signup_id)
    activity = get_activity(uow.session, found, lock=True)
    signup = uow.session.scalars(
        select(Signup).where(Signup.id == signup_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return signup, activity


def cancel_signup(uow: UnitOfWork, actor: Actor, signup_id: int) -> Signup:
    """A volunteer (or the organizer) cancels a confirmed sign-up, whose slot goes to the waitlist,
    or leaves the waitlist (nobody is promoted)."""
    signup, activity = _locked(uow, signup_id)
    require_signup_canceller(actor, signup.volunteer_id, activity.project)
    if signup.status not in (SIGNED_UP, WAITLISTED):
        raise Conflict("signup.not_cancellable", status=signup.status)
    previous = signup.status
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED.value, utcnow()
    uow.session.flush()
    _emit_signup(uow, activity, signup, previous)
    if previous == SIGNED_UP:
        promote_waiting(uow, activity)
    uow.commit()
    return signup


def mark_no_show(uow: UnitOfWork, actor: Actor, signup_id: int) -> Signup:
    """The organizer marks a confirmed volunteer who will not come (未到); before the start their slot
    goes to the waitlist."""
    signup, activity = _locked(uow, signup_id)
    require_organizer(actor, activity.project)
    if signup.status != SIGNED_UP:
        raise Conflict("signup.not_no_show", status=signup.status)
    signup.status = SignupStatus.NO_SHOW.value
    uow.session.flush()
    _emit_signup(uow, activity, signup, SIGNED_UP)
    promote_waiting(uow, activity)
    uow.commit()
    return signup


def promote_waiting(uow: UnitOfWork, activity: Activity, now: datetime | None = None) -> list[Signup]:
    """Fill the free slots of `activity` (locked by the caller) from its waitlist, in sign-up order,
    skipping who is no longer eligible; nothing once the activity has started or was cancelled."""
    now = now or utcnow()
    if activity.cancelled or activity.starts_at <= now:
        return []
    free = activity.slots - taken_slots(uow.session, activity.id)
    promoted: list[Signup] = []
    if free <= 0:
        return promoted
    waiting = uow.session.scalars(
        select(Signup).where(Signup.activity_id == activity.id, Signup.status == WAITLISTED).order_by(Signup.id)
    )
    for signup in list(waiting):
        if len(promoted) == free:
            break
        if not _eligible(uow.session, activity, signup.volunteer_id):
            continue
        signup.status = SIGNED_UP
        uow.session.flush()
        _emit_signup(uow, activity, signup, WAITLISTED)
        promoted.append(signup)
    return promoted


def _eligible(session: Session, activity: Activity, volunteer_id: int) -> bool:
    """Still active, still eligible (qualification, insurance, a minor's consent: the one eligibility
    rule) and free at that time (no confirmed sign-up overlapping it); locks the volunteer."""
    volunteer = session.scalars(select(Volunteer).where(Volunteer.id == volunteer_id).with_for_update()).first()
    if volunteer is None or not volunteer.active:
        return False
    try:
        require_eligible(session, volunteer, activity)
    except Conflict:
        return False
    clash = session.scalars(
        select(Signup.id)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Signup.volunteer_id == volunteer_id,
            Signup.status.in_(ACTIVE),
            Activity.id != activity.id,
            Activity.starts_at < activity.ends_at,
            Activity.ends_at > activity.starts_at,
        )
    ).first()
    return clash is None


def position(session: Session, signup: Signup) -> int | None:
    """A waiting sign-up's place on its waitlist (1 = next), None when it is not waiting."""
    if signup.status != WAITLISTED:
        return None
    ahead = session.execute(
        select(func.count())
        .select_from(Signup)
        .where(Signup.activity_id == signup.activity_id, Signup.status == WAITLISTED, Signup.id < signup.id)
    ).scalar_one()
    return int(ahead) + 1


def release_future(uow: UnitOfWork, activities: list[Activity], now: datetime | None = None) -> int:
    """Cancel the confirmed and waiting sign-ups of these activities that have not started (a cancelled
    activity or occurrence, a project completed or cancelled): an event each; how many."""
    now = now or utcnow()
    ids = [a.id for a in activities if a.starts_at > now]
    if not ids:
        return 0
    by_id = {a.id: a for a in activities}
    rows = list(
        uow.session.scalars(
            select(Signup)
            .where(Signup.activity_id.in_(ids), Signup.status.in_((SIGNED_UP, WAITLISTED)))
            .order_by(Signup.id)
        )
    )
    for signup in rows:
        previous = signup.status
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED.value, now
        uow.session.flush()
        _emit_signup(uow, by_id[signup.activity_id], signup, previous)
    return len(rows)


def my_upcoming(session: Session, actor: Actor, now: datetime | None = None) -> list[dict[str, Any]]:
    """我的报名: the acting volunteer's confirmed and waiting sign-ups of activities not yet over,
    soonest first, each with its waitlist position."""
    if actor.volunteer_id is None:
        return []
    now = now or utcnow()
    rows = session.execute(
        select(Signup, Activity)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Signup.volunteer_id == actor.volunteer_id,
            Signup.status.in_((SIGNED_UP, WAITLISTED)),
            Activity.ends_at > now,
        )
        .order_by(Activity.starts_at, Signup.id)
    ).all()
    return [{"signup": s, "activity": a, "position": position(session, s)} for s, a in rows]
