"""Check-in at the venue (现场签到): rotating signed codes the organizer shows, and the volunteer's own check-in/out."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyotp
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, Forbidden, InvalidInput, Message
from linkage.geo import haversine_km
from linkage.models import Activity, HourEntry, Need, Signup, SignupStatus, utcnow
from linkage.permissions import Actor
from linkage.policy.parties import is_volunteer
from linkage.policy.service import require_organizer
from linkage.services.activities import ACTIVE, CHECK_IN_EARLY, CHECK_OUT_LATE, check_in, check_out, get_activity
from linkage.uow import UnitOfWork

STEP_SECONDS = 30  # a code rotates this often; the previous step's code is still taken (who scans late)
DIGITS = 6  # the code the organizer reads out when a phone cannot scan (TOTP, RFC 6238)
SALT = "linkage.checkin-code.v1"
CODE_REFUSED = "checkin.code_refused"
STEPS = ("check_in", "check_out")


@dataclass(frozen=True)
class ShownCode:
    """What the organizer's page shows for one step: the signed token (in the QR's URL) and the digits."""

    activity_id: int
    step: int
    token: str
    digits: str
    valid_until: datetime  # the end of the next step: the code is taken until then


def step_of(at: datetime) -> int:
    """The 30-second step `at` falls in (Unix time // 30, as TOTP counts)."""
    return int(at.timestamp()) // STEP_SECONDS


def _refused(reason: str) -> InvalidInput:
    return InvalidInput(CODE_REFUSED, {"code": [reason]})


class CheckinCodes:
    """Signs and reads the codes of activities with the platform's secret key; keeps no state."""

    def __init__(self, secret_key: str):
        self._secret = secret_key.encode()
        self._signer = URLSafeSerializer(secret_key, salt=SALT)

    def token(self, activity_id: int, step: int) -> str:
        """The QR's code: [activity id, step] signed (HMAC-SHA1 by itsdangerous), URL-safe."""
        return self._signer.dumps([activity_id, step])

    def _totp(self, activity_id: int) -> pyotp.TOTP:
        """The activity's TOTP, its secret derived from the app's secret by HMAC (stored nowhere)."""
        key = hmac.new(self._secret, f"{SALT}:totp:{activity_id}".encode(), hashlib.sha256).digest()[:20]
        return pyotp.TOTP(base64.b32encode(key).decode(), digits=DIGITS, interval=STEP_SECONDS)

    def digits(self, activity_id: int, step: int) -> str:
        return self._totp(activity_id).at(step * STEP_SECONDS)

    def shown(self, activity_id: int, now: datetime) -> ShownCode:
        step = step_of(now)
        until = datetime.fromtimestamp((step + 2) * STEP_SECONDS, tz=now.tzinfo)
        return ShownCode(activity_id, step, self.token(activity_id, step), self.digits(activity_id, step), until)

    def read_token(self, token: str, activity_id: int, now: datetime) -> int:
        """The step of a scanned code for this activity; refused if forged, of another activity, or
        older than the previous step (a code from the future is not one this server signed yet)."""
        try:
            payload = self._signer.loads(token)
        except BadSignature:
            raise _refused("checkin.code_forged") from None
        if not (isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)):
            raise _refused("checkin.code_forged")
        code_activity, step = payload
        if code_activity != activity_id:
            raise _refused("checkin.code_other_activity")
        if not step_of(now) - 1 <= step <= step_of(now):
            raise _refused("checkin.code_expired")
        return int(step)

    def read_digits(self, digits: str, activity_id: int, now: datetime) -> int:
        """The step of the 6 digits read out: this step's, or one either side (pyotp's valid_window=1)."""
        digits = digits.strip()
        totp = self._totp(activity_id)
        if not totp.verify(digits, for_time=now, valid_window=1):
            raise _refused("checkin.digits_wrong")
        here = step_of(now)
        return next(s for s in (here, here - 1, here + 1) if hmac.compare_digest(self.digits(activity_id, s), digits))


def replayed(code_step: int, checked_in_at: datetime | None) -> bool:
    """A check-out's code is one already used if it is of the check-in's step or earlier (a code is
    for one step of a sign-up: the check-in's code, replayed, does not check out)."""
    return checked_in_at is not None and code_step <= step_of(checked_in_at)


def window_open(activity: Activity, now: datetime) -> bool:
    """Codes are shown and taken from CHECK_IN_EARLY before the start to CHECK_OUT_LATE after the end."""
    return activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at + CHECK_OUT_LATE


def _require_window(activity: Activity, now: datetime) -> None:
    if activity.cancelled or not window_open(activity, now):
        early, late = int(CHECK_IN_EARLY.total_seconds() // 60), int(CHECK_OUT_LATE.total_seconds() // 60)
        raise Conflict("checkin.window_closed", early=early, late=late)


def current_code(
    session: Session, actor: Actor, activity_id: int, codes: CheckinCodes, now: datetime | None = None
) -> ShownCode:
    """The code the organizer's page shows now; only within the check-in/out window."""
    now = now or utcnow()
    activity = get_activity(session, activity_id)
    require_organizer(actor, activity.project)
    _require_window(activity, now)
    return codes.shown(activity.id, now)


def venue_distance_m(session: Session, activity: Activity, lat: float, lon: float) -> float:
    """How far a position is from the venue: the place of the activity's need (Activity→Project→Need)."""
    need = session.scalars(select(Need).where(Need.id == activity.project.need_id)).one()
    return haversine_km(lat, lon, need.lat, need.lon) * 1000


def self_attend(
    uow: UnitOfWork,
    actor: Actor,
    activity_id: int,
    codes: CheckinCodes,
    step: str,
    *,
    token: str = "",
    digits: str = "",
    position: tuple[float, float] | None = None,
    radius_m: float = 500,
    content: str = "",
) -> tuple[Signup, HourEntry | None]:
    """The volunteer checks in (签到) or out (签退) themself with the venue's code, now. Refused, and
    nothing recorded: a code forged, expired or of another activity, outside the window, too far from
    the venue (when the phone sends its position), not signed up, or a code already used for this
    sign-up (a check-out needs a code of a later step than the check-in's). The rules of the
    organizer's check-in/out (services.activities) apply as well."""
    now = utcnow()
    if step not in STEPS:
        raise InvalidInput("checkin.step_unknown", {"step": ["checkin.step_choice"]})
    if not is_volunteer(actor):
        raise Forbidden("checkin.volunteer_only")
    activity = get_activity(uow.session, activity_id)
    if token:
        code_step = codes.read_token(token, activity.id, now)
    elif digits:
        code_step = codes.read_digits(digits, activity.id, now)
    else:
        raise _refused("checkin.code_missing")
    _require_window(activity, now)
    if position is not None:
        distance = venue_distance_m(uow.session, activity, *position)
        if distance > radius_m:
            raise InvalidInput(
                "checkin.too_far",
                {"position": [Message("checkin.too_far_by", distance=int(distance), radius=int(radius_m))]},
            )
    signup = _own_signup(uow.session, actor, activity.id)
    if step == "check_in":
        if signup.status != SignupStatus.SIGNED_UP.value:
            raise Conflict("checkin.already_in", status=signup.status)
        return check_in(uow, actor, signup.id, now, by_code=True), None
    if signup.status != SignupStatus.CHECKED_IN.value:
        raise Conflict("checkin.not_in", status=signup.status)
    if replayed(code_step, signup.checked_in_at):
        raise _refused("checkin.code_used")
    return check_out(uow, actor, signup.id, now, content, by_code=True)


def _own_signup(session: Session, actor: Actor, activity_id: int) -> Signup:
    """The volunteer's sign-up holding a place on the activity (not cancelled, not waiting), or a conflict."""
    signup = session.scalars(
        select(Signup)
        .where(Signup.activity_id == activity_id, Signup.volunteer_id == actor.volunteer_id, Signup.status.in_(ACTIVE))
        .order_by(Signup.id.desc())
        .limit(1)
    ).first()
    if signup is None:
        raise Conflict("checkin.not_signed_up")
    return signup


def code_record(shown: ShownCode, scan_url: str, svg: str) -> dict[str, Any]:
    """What the organizer's page polls: the scan URL (the QR's text), the digits, the QR as SVG."""
    return {
        "activity_id": shown.activity_id,
        "step": shown.step,
        "scan_url": scan_url,
        "digits": shown.digits,
        "valid_until": shown.valid_until.isoformat(),
        "refresh_seconds": STEP_SECONDS // 3,
        "svg": svg,
    }
