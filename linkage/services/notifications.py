"""The one home of "who is told what": domain event or due date → (recipients, kind, params, link).

The notifier (events/notifier.py) calls `notices_for_event` for each event it consumes and
`due_notices` on its ticker; `linkage.services.inbox.store_notices` writes them insert-if-absent
by their dedupe key, so a redelivered event or a second look of the ticker adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.catalogue import EventType
from linkage.clock import LOCAL_TZ
from linkage.models import (
    Activity,
    Grant,
    HourEntry,
    Milestone,
    Need,
    NotificationKind,
    Project,
    Signup,
    SignupStatus,
    User,
)
from linkage.models.funding import GrantStatus
from linkage.policy.notices import organization_staff_clause
from linkage.services.annual_reports import reminders_due
from linkage.services.qualifications import expiring_qualifications
from linkage.taxonomy import QUALIFICATION_KINDS

K = NotificationKind
REMINDER_24H, REMINDER_2H = timedelta(hours=24), timedelta(hours=2)
MISSED_LOOKBACK = timedelta(hours=48)  # a shift that ended longer ago is not worth a notice any more
MILESTONE_NOTICE_DAYS = 7
INVITATION_SENT, INVITATION_ANSWERED = "linkage.invitation.sent.v1", "linkage.invitation.answered.v1"
# Projects that no longer run: their sign-ups were cancelled for the volunteer, not by them.
ENDED_PROJECTS = ("cancelled", "completed", "evaluated")


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    dedupe_key: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""


# -- who is bound to what (linkage/models/users.py: a role is bound to the object it acts for) -----
def users_of_volunteer(session: Session, volunteer_id: int | None) -> list[int]:
    if volunteer_id is None:
        return []
    return list(
        session.scalars(
            select(User.id).where(User.volunteer_id == volunteer_id, User.active.is_(True)).order_by(User.id)
        )
    )


def staff_of_organization(session: Session, organization_id: int | None) -> list[int]:
    if organization_id is None:
        return []
    return list(
        session.scalars(
            select(User.id).where(organization_staff_clause(organization_id), User.active.is_(True)).order_by(User.id)
        )
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _activity_params(activity: Activity) -> dict[str, Any]:
    return {"title": activity.title, "place": activity.place, "starts_at": _iso(activity.starts_at)}


def _each(event_id: str, users: list[int], kind: K, params: dict[str, Any], link: str) -> list[Notice]:
    return [Notice(user, kind.value, f"{event_id}:{user}:{kind.value}", params, link) for user in users]


# -- domain events ----------------------------------------------------------------------------------
def _signup_kind(session: Session, signup: dict[str, Any], activity: Activity) -> K | None:
    status, previous = signup.get("status"), signup.get("previous_status")
    if status == SignupStatus.SIGNED_UP.value:
        if previous == "waitlisted":
            return K.WAITLIST_PROMOTED
        # New, or signed up again after cancelling; not a sign-up that merely changed back.
        return K.SIGNUP_CONFIRMED if previous in (None, "", SignupStatus.CANCELLED.value) else None
    if status == SignupStatus.CANCELLED.value:
        # Told only when it was not their own doing: the activity or its project was called off.
        project = session.get(Project, activity.project_id)
        called_off = activity.cancelled or (project is not None and project.status in ENDED_PROJECTS)
        return K.SIGNUP_CANCELLED if called_off or signup.get("reason") else None
    return None


def _on_signup(session: Session, event_id: str, data: dict[str, Any]) -> list[Notice]:
    signup = data["signup"]
    activity = session.get(Activity, signup["activity_id"])
    if activity is None:
        return []
    kind = _signup_kind(session, signup, activity)
    if kind is None:
        return []
    params = _activity_params(activity)
    if signup.get("reason"):
        params["reason"] = str(signup["reason"])[:200]
    return _each(
        event_id, users_of_volunteer(session, signup["volunteer_id"]), kind, params, f"/activities/{activity.id}"
    )


def _on_hours(session: Session, event_id: str, type: str, data: dict[str, Any]) -> list[Notice]:
    record = session.get(HourEntry, data.get("target_id")) if data.get("target_id") else None
    minutes = record.minutes if record is not None else data.get("minutes", 0)
    params = {"minutes": minutes, "reason": str(data.get("reason") or "")[:200]}
    if type == EventType.HOURS_DISPUTE.value:
        link = f"/projects/{data['project_id']}" if data.get("project_id") else "/"
        return _each(
            event_id, staff_of_organization(session, data.get("organization_id")), K.HOURS_DISPUTED, params, link
        )
    kind = K.HOURS_VERIFIED if type == EventType.HOURS_VERIFY.value else K.HOURS_REJECTED
    return _each(event_id, users_of_volunteer(session, data.get("volunteer_id")), kind, params, "/me/hours")


def _on_claim(session: Session, event_id: str, data: dict[str, Any]) -> list[Notice]:
    claim = data["claim"]
    if claim.get("status") not in ("approved", "declined"):
        return []
    need = session.get(Need, claim["need_id"])
    params = {
        "title": need.title if need else "",
        "status": claim["status"],
        "reason": str(claim.get("decline_reason") or "")[:200],
    }
    if claim["status"] == "approved":
        project = session.scalars(select(Project.id).where(Project.claim_id == claim["id"])).first()
        link = f"/projects/{project}" if project else f"/needs/{claim['need_id']}"
    else:
        link = f"/needs/{claim['need_id']}"
    return _each(event_id, staff_of_organization(session, claim.get("organization_id")), K.CLAIM_DECIDED, params, link)


def _on_invitation(session: Session, event_id: str, type: str, data: dict[str, Any]) -> list[Notice]:
    invitation = data.get("invitation") or {}
    sent = type == INVITATION_SENT
    user = invitation.get("invitee_user_id") if sent else invitation.get("inviter_user_id")
    if not user:
        return []
    params = {
        "invitation_id": invitation.get("id"),
        "invitation_kind": invitation.get("kind", ""),
        "status": invitation.get("status", ""),
        "answered": not sent,
    }
    if invitation.get("activity_id"):
        activity = session.get(Activity, invitation["activity_id"])
        params["title"] = activity.title if activity else ""
        link = f"/activities/{invitation['activity_id']}"
    elif invitation.get("need_id"):
        need = session.get(Need, invitation["need_id"])
        params["title"] = need.title if need else ""
        link = f"/needs/{invitation['need_id']}"
    else:
        link = "/inbox"
    return _each(event_id, [int(user)], K.INVITATION, params, link)


HOURS_TYPES = (EventType.HOURS_VERIFY.value, EventType.HOURS_REJECT.value, EventType.HOURS_DISPUTE.value)
HANDLED = (
    EventType.SIGNUP_CHANGED.value,
    EventType.CLAIM_DECIDED.value,
    *HOURS_TYPES,
    INVITATION_SENT,
    INVITATION_ANSWERED,
)


def handled_topics() -> list[str]:
    """The topics carrying a type the notifier maps (the invitation types once catalogued)."""
    return sorted({entry.topic for entry in EventType if entry.value in HANDLED})


def notices_for_event(session: Session, event_id: str, type: str, data: dict[str, Any]) -> list[Notice]:
    """Who is told what about one domain event; [] for a type nobody is told about."""
    if type == EventType.SIGNUP_CHANGED.value:
        return _on_signup(session, event_id, data)
    if type in HOURS_TYPES:
        return _on_hours(session, event_id, type, data)
    if type == EventType.CLAIM_DECIDED.value:
        return _on_claim(session, event_id, data)
    if type in (INVITATION_SENT, INVITATION_ANSWERED):
        return _on_invitation(session, event_id, type, data)
    return []


# -- due dates (the notifier's ticker) ------------------------------------------------------------
def reminder_notices(session: Session, now: datetime) -> list[Notice]:
    """提醒: 24 h and 2 h before a shift a volunteer is signed up for; each once per sign-up."""
    rows = session.execute(
        select(Signup, Activity)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Signup.status == SignupStatus.SIGNED_UP.value,
            Activity.cancelled.is_(False),
            Activity.starts_at > now,
            Activity.starts_at <= now + REMINDER_24H,
        )
    )
    notices: list[Notice] = []
    for signup, activity in rows:
        kind, tag = (
            (K.REMINDER_2H, "reminder2") if activity.starts_at - now <= REMINDER_2H else (K.REMINDER_24H, "reminder24")
        )
        for user in users_of_volunteer(session, signup.volunteer_id):
            notices.append(
                Notice(
                    user,
                    kind.value,
                    f"{tag}:{signup.id}:{user}",
                    _activity_params(activity),
                    f"/activities/{activity.id}",
                )
            )
    return notices


def missed_checkin_notices(session: Session, now: datetime) -> list[Notice]:
    """The shift ended and the volunteer is still only signed up: no check-in was recorded."""
    rows = session.execute(
        select(Signup, Activity)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Signup.status == SignupStatus.SIGNED_UP.value,
            Activity.cancelled.is_(False),
            Activity.ends_at <= now,
            Activity.ends_at > now - MISSED_LOOKBACK,
        )
    )
    return [
        Notice(
            user,
            K.CHECKIN_MISSED.value,
            f"checkin_missed:{signup.id}:{user}",
            _activity_params(activity),
            f"/activities/{activity.id}",
        )
        for signup, activity in rows
        for user in users_of_volunteer(session, signup.volunteer_id)
    ]


def milestone_notices(session: Session, now: datetime) -> list[Notice]:
    """A grant's milestone not yet accepted and due within 7 days: the organization's staff."""
    today = now.astimezone(LOCAL_TZ).date()
    rows = session.execute(
        select(Milestone, Grant)
        .join(Grant, Grant.id == Milestone.grant_id)
        .where(
            Grant.status == GrantStatus.ACTIVE.value,
            Milestone.accepted_at.is_(None),
            Milestone.due_on.is_not(None),
            Milestone.due_on >= today,
            Milestone.due_on <= today + timedelta(days=MILESTONE_NOTICE_DAYS),
        )
    )
    return [
        Notice(
            user,
            K.MILESTONE_DUE.value,
            f"milestone_due:{milestone.id}:{user}",
            {"title": milestone.title, "grant": grant.title, "due_on": _day(milestone.due_on)},
            f"/funding/grants/{grant.id}",
        )
        for milestone, grant in rows
        for user in staff_of_organization(session, grant.organization_id)
    ]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def qualification_notices(session: Session, now: datetime) -> list[Notice]:
    """A qualification expiring within 30 days tells its holder once per expiry date (which ones:
    services.qualifications.expiring_qualifications, the rule's one home)."""
    today = now.astimezone(LOCAL_TZ).date()
    return [
        Notice(
            user,
            K.QUALIFICATION_EXPIRING.value,
            f"qualification_expiring:{row.id}:{_day(row.expires_on)}:{user}",
            {"qualification": QUALIFICATION_KINDS.get(row.kind, (row.kind,))[0], "expires_on": _day(row.expires_on)},
            "/me/qualifications",
        )
        for volunteer_id, row in expiring_qualifications(session, today=today)
        for user in users_of_volunteer(session, volunteer_id)
    ]


def annual_report_notices(session: Session, now: datetime) -> list[Notice]:
    """An organization still owing last year's annual report (年报) near or past its due date: its staff,
    once per organization and year (which ones: services.annual_reports.reminders_due)."""
    today = now.astimezone(LOCAL_TZ).date()
    return [
        Notice(
            user,
            K.ANNUAL_REPORT_DUE.value,
            f"annual_report_due:{organization_id}:{year}:{user}",
            {"year": year, "due_on": _day(due)},
            "/annual-reports",
        )
        for organization_id, year, due in reminders_due(session, today=today)
        for user in staff_of_organization(session, organization_id)
    ]


def due_notices(session: Session, now: datetime) -> list[Notice]:
    """Everything time tells: reminders, missed check-ins, milestones, qualifications and annual reports due."""
    return (
        reminder_notices(session, now)
        + missed_checkin_notices(session, now)
        + milestone_notices(session, now)
        + qualification_notices(session, now)
        + annual_report_notices(session, now)
    )
