"""Who may do what to which object: the actor, the shared rules, reads and fields (with linkage.policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, or_, select

from linkage.errors import Forbidden
from linkage.models import Activity, HourEntry, Project, Role, Signup, SocialWorker, Volunteer


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str
    username: str = ""
    community_id: int | None = None
    organization_id: int | None = None
    volunteer_id: int | None = None
    social_worker_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value


SYSTEM = Actor(user_id=None, role="system", username="system")


def _deny(code: str) -> None:
    raise Forbidden(code)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        _deny("perm.admin_only")


def require_community_writer(actor: Actor, community_id: int) -> None:
    """Needs of a community are written by its own staff, or by the district."""
    if actor.is_admin:
        return
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id:
        return
    _deny("perm.community_needs")


def require_community_manager(actor: Actor, community_id: int) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id:
        return
    _deny("perm.community")


def require_organization_writer(actor: Actor, organization_id: int | None) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.ORG_STAFF.value and organization_id is not None and actor.organization_id == organization_id:
        return
    _deny("perm.organization")


def require_social_worker_writer(actor: Actor, social_worker_id: int | None, organization_id: int | None) -> None:
    """A social worker edits their own profile; their employer's staff may too."""
    if actor.is_admin:
        return
    if (
        actor.role == Role.SOCIAL_WORKER.value
        and social_worker_id is not None
        and actor.social_worker_id == social_worker_id
    ):
        return
    if actor.role == Role.ORG_STAFF.value and organization_id is not None and actor.organization_id == organization_id:
        return
    _deny("perm.social_worker")


def require_volunteer_self(actor: Actor, volunteer_id: int | None) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.VOLUNTEER.value and volunteer_id is not None and actor.volunteer_id == volunteer_id:
        return
    _deny("perm.volunteer_own")


# -- separation of duties (职责分离) -----------------------------------------------------------------
# Whoever does a thing does not also check it: the auditor audits and never reviews or approves;
# hours are verified by someone other than who logged them; an organization's legal identity is the
# district's to change; a reviewer is never on the applicant's side. docs/security.md lists them.
REVIEWER_ROLES = (Role.ADMIN.value, Role.SOCIAL_WORKER.value)  # who may be made a funding reviewer
AUDITOR_MAY_NOT = "perm.auditor"


def may_be_reviewer(role: str) -> bool:
    """Funding reviewers (评审专家) are district staff or social workers; never auditors, who check
    the reviews afterwards."""
    return role in REVIEWER_ROLES


def require_not_auditor(actor: Actor) -> None:
    """Asked by every review and approval an auditor could otherwise reach (funding reviews)."""
    if actor.role == Role.AUDITOR.value:
        _deny(AUDITOR_MAY_NOT)


def logged_it(actor: Actor | None, logged_by: int | None) -> bool:
    """The actor wrote this hour record (entered it, checked the volunteer out, or corrected it)."""
    return actor is not None and actor.user_id is not None and logged_by == actor.user_id


def require_not_own_hours(actor: Actor, logged_by: int | None, volunteer_id: int) -> None:
    """Nobody verifies or rejects an hour record they logged themselves (a check-out records hours
    too), and a volunteer never reviews their own."""
    if actor.volunteer_id is not None and actor.volunteer_id == volunteer_id:
        _deny("perm.own_hours")
    if logged_it(actor, logged_by):
        _deny("perm.logged_own_hours")


# Fields only the district changes, whoever else may edit the object: an organization's legal
# identity (统一社会信用代码, registration status), who employs a social worker (a worker who re-homed
# themselves would escape the conflict-of-interest check), which community a volunteer belongs to.
DISTRICT_FIELDS = {
    "organization": {"uscc": "perm.district_uscc", "registration": "perm.district_registration"},
    "social_worker": {"organization_id": "perm.district_moves_worker"},
    "volunteer": {"community_id": "perm.district_moves_volunteer"},
}


def require_field_changes(actor: Actor, kind: str, obj, changes: dict) -> None:
    """A change that sets a district-only field to a new value is the district's."""
    if actor.is_admin:
        return
    for name, message in DISTRICT_FIELDS.get(kind, {}).items():
        if name in changes and changes[name] != getattr(obj, name):
            _deny(message)


def organization_of(session, person) -> int | None:
    """The organization a person (an Actor or a User) sides with: the one they staff, or a social
    worker's employer."""
    if person.role == Role.ORG_STAFF.value:
        return person.organization_id
    if person.social_worker_id is not None:
        return session.scalar(select(SocialWorker.organization_id).where(SocialWorker.id == person.social_worker_id))
    return None


def tied_to(session, person, organization_id: int) -> bool:
    """Conflict of interest (利益冲突): the organization's own staff, or a social worker it employs."""
    return organization_id is not None and organization_of(session, person) == organization_id


# -- reads ------------------------------------------------------------------------------------
# Who may see which personal record, as a SQL condition that list queries filter by (None: every
# row) and that single reads check (another's object is a 404, never a 403: its existence is
# not told). The table is in docs/security.md.
READ_ALL = (Role.ADMIN.value, Role.AUDITOR.value)


def _projects_of(actor: Actor):
    """The projects whose people this actor works with: their organization's, their community's,
    or the ones they lead as a social worker; None for the district roles."""
    if actor.role in READ_ALL:
        return None
    if actor.role == Role.ORG_STAFF.value and actor.organization_id is not None:
        return select(Project.id).where(Project.organization_id == actor.organization_id)
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id is not None:
        return select(Project.id).where(Project.community_id == actor.community_id)
    if actor.role == Role.SOCIAL_WORKER.value and actor.social_worker_id is not None:
        return select(Project.id).where(Project.lead_social_worker_id == actor.social_worker_id)
    return select(Project.id).where(false())


def visible_volunteers(actor: Actor):
    """Volunteers an actor may see: themselves; their community's; those who signed up to or
    logged hours with their organization's (or led) projects; all for admins and auditors."""
    if actor.role in READ_ALL:
        return None
    if actor.role == Role.VOLUNTEER.value:
        return Volunteer.id == actor.volunteer_id if actor.volunteer_id else false()
    projects = _projects_of(actor)
    served = Volunteer.id.in_(
        select(Signup.volunteer_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(Activity.project_id.in_(projects))
    )
    logged = Volunteer.id.in_(select(HourEntry.volunteer_id).where(HourEntry.project_id.in_(projects)))
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id is not None:
        return or_(Volunteer.community_id == actor.community_id, served, logged)
    if actor.role == Role.ORG_STAFF.value and actor.organization_id is not None:
        return or_(
            served,
            logged,
            Volunteer.id.in_(select(HourEntry.volunteer_id).where(HourEntry.organization_id == actor.organization_id)),
        )
    return or_(served, logged)


def visible_hours(actor: Actor):
    """Hour entries an actor may see: their own; those of their organization, their community's
    projects and volunteers, or the projects they lead; all for admins and auditors."""
    if actor.role in READ_ALL:
        return None
    if actor.role == Role.VOLUNTEER.value:
        return HourEntry.volunteer_id == actor.volunteer_id if actor.volunteer_id else false()
    if actor.role == Role.ORG_STAFF.value and actor.organization_id is not None:
        return HourEntry.organization_id == actor.organization_id
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id is not None:
        return or_(
            HourEntry.project_id.in_(_projects_of(actor)),
            HourEntry.volunteer_id.in_(select(Volunteer.id).where(Volunteer.community_id == actor.community_id)),
        )
    return HourEntry.project_id.in_(_projects_of(actor))


def visible_signups(actor: Actor):
    """Sign-ups an actor may see: their own; those of activities in projects they work with."""
    if actor.role in READ_ALL:
        return None
    if actor.role == Role.VOLUNTEER.value:
        return Signup.volunteer_id == actor.volunteer_id if actor.volunteer_id else false()
    return Signup.activity_id.in_(select(Activity.id).where(Activity.project_id.in_(_projects_of(actor))))


def may_see(session, actor: Actor, model, object_id: int) -> bool:
    """Whether one row of `model` passes the actor's read condition for it."""
    condition = READ_CONDITIONS[model.__name__](actor)
    query = select(model.id).where(model.id == object_id)
    return session.scalar(query if condition is None else query.where(condition)) is not None


READ_CONDITIONS = {"Volunteer": visible_volunteers, "HourEntry": visible_hours, "Signup": visible_signups}


# -- fields -----------------------------------------------------------------------------------
# Which fields of a visible volunteer an actor sees whole. Default masked: the phone whole only
# for the person, and for an organization's staff during the window of an activity the volunteer
# signed up to with that organization; the ID number never. Admins and auditors see it whole
# only by a reveal with a reason (audited, shown to the person). The table is in docs/security.md.
PHONE_WINDOW = timedelta(hours=2)  # before the activity starts and after it ends
REVEALERS = (Role.ADMIN.value, Role.AUDITOR.value)
REVEALABLE = ("phone", "id_number")


def whole_phones(session, actor: Actor, volunteer_ids, now: datetime) -> set[int]:
    """Of these volunteers, the ones whose whole phone `actor` sees without a reveal."""
    ids = set(volunteer_ids)
    if actor.role == Role.VOLUNTEER.value:
        return ids & {actor.volunteer_id}
    if actor.role != Role.ORG_STAFF.value or actor.organization_id is None or not ids:
        return set()
    in_window = (
        select(Signup.volunteer_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .join(Project, Project.id == Activity.project_id)
        .where(
            Signup.volunteer_id.in_(ids),
            Signup.status.notin_(("cancelled", "waitlisted")),  # a waiting volunteer's phone is not needed yet
            Activity.cancelled.is_(False),
            Project.organization_id == actor.organization_id,
            Activity.starts_at <= now + PHONE_WINDOW,
            Activity.ends_at >= now - PHONE_WINDOW,
        )
    )
    return set(session.scalars(in_window))


def whole_home(actor: Actor, volunteer_id: int) -> bool:
    """A volunteer's home coordinates to the metre: to themselves only; everyone else who may see the
    volunteer sees them coarse (linkage.privacy.coarse), and match lists only a distance band."""
    return actor.role == Role.VOLUNTEER.value and actor.volunteer_id == volunteer_id


def require_revealer(actor: Actor) -> None:
    """Seeing a whole phone or ID number on purpose: the district and auditors, with a reason."""
    if actor.role not in REVEALERS:
        _deny("perm.reveal")


def whole_name_in_matches(actor: Actor, kind: str, provider_id: int) -> bool:
    """Match lists name organizations, social workers and resources whole; a volunteer only to
    themselves: to everyone else (the district included) surname + masked given name."""
    return kind != "volunteer" or (actor.role == Role.VOLUNTEER.value and actor.volunteer_id == provider_id)


def may_see_disclosures(actor: Actor) -> None:
    """A person's own record of who revealed their data: the volunteer's alone."""
    if actor.role != Role.VOLUNTEER.value or actor.volunteer_id is None:
        _deny("perm.disclosures")


def require_audit_reader(actor: Actor) -> None:
    """The audit trail and its chain are for auditors and district staff."""
    if actor.role not in (Role.ADMIN.value, Role.AUDITOR.value):
        _deny("perm.audit")
