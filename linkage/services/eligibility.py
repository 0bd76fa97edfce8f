"""Who may take a shift: the qualification (资质) it requires, accident insurance (意外保险), a guardian's consent for a minor.

The one rule both sign-up paths (the volunteer's own, an organization's walk-in) go through:
`require_eligible`. A minor (under 18 on the activity's first day, from the birth date in their
resident ID number) always needs a guardian's consent on file, whatever the activity: the
志愿服务条例 (art. 15) asks for it for every activity a minor joins. An activity with
`requires_insurance` needs a policy whose dates cover the activity's days, in local time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, FieldErrors
from linkage.models import Activity, GuardianConsent, Insurance, Volunteer
from linkage.security import FieldCipher
from linkage.services.consents import age_on
from linkage.services.qualifications import require_qualification

ADULT_AGE = 18  # 完全民事行为能力 (民法典 art. 17)


def _cipher(session: Session) -> FieldCipher:
    cipher: FieldCipher | None = session.info.get("cipher")
    if cipher is None:  # the platform's session factories carry it (linkage.platform.build_platform)
        raise RuntimeError("session without the field cipher: open it from the platform")
    return cipher


def is_minor_on(session: Session, volunteer: Volunteer, day: date) -> bool:
    """Whether the volunteer is under 18 on `day` (their ID number's birth date); False when unknown."""
    age = age_on(_cipher(session).read(volunteer, "id_number"), day)
    return age is not None and age < ADULT_AGE


def problems(session: Session, volunteer: Volunteer, activity: Activity) -> list[str]:
    """Why `volunteer` may not sign up to `activity` for safety's sake, as message codes; [] when eligible."""
    first_day = activity.starts_at.astimezone(LOCAL_TZ).date()
    last_day = activity.ends_at.astimezone(LOCAL_TZ).date()
    found = []
    if activity.requires_insurance:
        policy = session.scalars(select(Insurance).where(Insurance.volunteer_id == volunteer.id)).first()
        if policy is None:
            found.append("eligibility.no_insurance")
        elif policy.ends_on < last_day:
            found.append("eligibility.insurance_expired")
        elif policy.starts_on > first_day:
            found.append("eligibility.insurance_not_started")
    if (
        is_minor_on(session, volunteer, first_day)
        and session.scalars(select(GuardianConsent.id).where(GuardianConsent.volunteer_id == volunteer.id)).first()
        is None
    ):
        found.append("eligibility.guardian_consent_missing")
    return found


def require_eligible(session: Session, volunteer: Volunteer, activity: Activity) -> None:
    """Refuse (409) a sign-up that lacks the shift's qualification, or the insurance or the guardian's
    consent it needs, saying which."""
    require_qualification(session, volunteer, activity)
    found = problems(session, volunteer, activity)
    if found:
        errors: FieldErrors = {"volunteer_id": [code for code in found]}
        raise Conflict(found[0], errors)
