"""Accounts: creating users bound to what they act for, logging in, resolving a bearer token."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.config import Settings
from linkage.errors import Conflict, InvalidInput, Message, TooManyRequests, Unauthenticated
from linkage.models import Community, LoginFailure, Organization, Role, SocialWorker, User, Volunteer
from linkage.password_policy import password_problem
from linkage.permissions import Actor
from linkage.policy.people import require_token_revoker
from linkage.security import Passwords, Tokens
from linkage.uow import UnitOfWork

# Which binding each role needs, and the model it must point at.
BINDINGS = {
    Role.COMMUNITY_STAFF.value: ("community_id", Community),
    Role.ORG_STAFF.value: ("organization_id", Organization),
    Role.VOLUNTEER.value: ("volunteer_id", Volunteer),
    Role.SOCIAL_WORKER.value: ("social_worker_id", SocialWorker),
}
BINDING_FIELDS = ("community_id", "organization_id", "volunteer_id", "social_worker_id")


def create_user(uow: UnitOfWork, passwords: Passwords, *, username: str, password: str,
                role: str, **bindings: int | None) -> User:
    if role not in {r.value for r in Role}:
        raise InvalidInput("account.unknown_role", {"role": [Message("field.one_of", choices=", ".join(r.value for r in Role))]})
    require_settable_password(password, username)
    needed = BINDINGS.get(role)
    given = {k: v for k, v in bindings.items() if k in BINDING_FIELDS and v is not None}
    if needed:
        field, model = needed
        if field not in given:
            raise InvalidInput("account.binding_required", {field: ["field.required"]}, role=role, field=field)
        if uow.session.get(model, given[field]) is None:
            raise InvalidInput("account.unknown_binding", {field: ["field.no_such_object"]}, field=field)
        given = {field: given[field]}
    else:
        given = {}
    user = User(username=username, password_hash=passwords.hash(password), role=role, **given)
    uow.session.add(user)
    try:
        uow.session.flush()
    except IntegrityError as exc:
        uow.rollback()
        raise Conflict("account.username_taken", {"username": ["field.already_taken"]}) from exc
    uow.commit()
    return user


def require_settable_password(password: str, username: str = "") -> None:
    """Every place a password is set asks this (linkage.password_policy): 422 naming `password`."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidInput("account.password_refused", {"password": [problem]})


def actor_for(user: User | Row[*tuple[Any, ...]]) -> Actor:  # a row of _ACTOR_ROW will do
    return Actor(user_id=user.id, role=user.role, username=user.username,
                 community_id=user.community_id, organization_id=user.organization_id,
                 volunteer_id=user.volunteer_id, social_worker_id=user.social_worker_id)


@dataclass(frozen=True)
class LoginPolicy:
    """Password guessing (docs/security.md "Limits"): failed logins, web and API alike, are counted
    per account and per client address over a window; at the threshold either count refuses
    further tries, even with the right password, until enough failures age out of the window."""

    per_account: int  # the defaults are Settings' (linkage.config), read from the environment
    per_address: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(per_account=settings.login_failures_per_account,
                   per_address=settings.login_failures_per_address,
                   window=timedelta(seconds=settings.login_failure_window_seconds))

    def seconds_to_wait(self, session: Session, username: str, address: str, now: datetime) -> int:
        """0 when a login may be tried; else the seconds until both counts are under their threshold."""
        return max(self._wait(session, LoginFailure.username == username[:50], self.per_account, now),
                   self._wait(session, LoginFailure.remote_addr == address[:64], self.per_address, now)
                   if address else 0)

    def _wait(self, session: Session, whose: ColumnElement[bool], threshold: int, now: datetime) -> int:
        # The threshold-th newest failure in the window: once it leaves, fewer than threshold remain.
        newest = session.scalars(select(LoginFailure.at).where(whose, LoginFailure.at > now - self.window)
                                 .order_by(LoginFailure.at.desc()).limit(threshold)).all()
        if len(newest) < threshold:
            return 0
        return max(1, math.ceil((newest[-1] + self.window - now).total_seconds()))


def log_in(uow: UnitOfWork, passwords: Passwords, tokens: Tokens, policy: LoginPolicy, username: str,
           password: str, address: str, now: datetime) -> tuple[str, User]:
    """The one login of the web form and the API: refused while too many tries failed, and a
    failure is recorded (committed) before it is reported."""
    wait = policy.seconds_to_wait(uow.session, username, address, now)
    if wait:
        raise TooManyRequests("login.locked", retry_after=wait, minutes=math.ceil(wait / 60), seconds=wait)
    user = uow.session.scalars(select(User).where(User.username == username)).first()
    # Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
    stored = user.password_hash if user else _dummy_hash(passwords)
    if not passwords.verify(stored, password) or user is None or not user.active:
        uow.session.add(LoginFailure(username=username[:50], remote_addr=address[:64], at=now))
        uow.commit()
        raise Unauthenticated("login.failed")
    return tokens.issue(user.id, user.token_version), user


def revoke_tokens(uow: UnitOfWork, actor: Actor, user_id: int | None = None) -> User:
    """Log out everywhere: every token issued so far stops working. Admins may do it for anyone."""
    target = user_id or actor.user_id
    require_token_revoker(actor, target)
    user = uow.get_or_404(User, target)
    user.token_version += 1
    uow.commit()
    return user


_DUMMY: dict[int, str] = {}


def _dummy_hash(passwords: Passwords) -> str:
    key = id(passwords)
    if key not in _DUMMY:
        _DUMMY[key] = passwords.hash("not-a-real-password")
    return _DUMMY[key]


# Every authenticated request runs this: one prebuilt Core statement (its cache key is
# computed once) and no ORM object, about half the CPU of session.get(User, …).
_users = User.__table__.c
_ACTOR_ROW = select(_users.id, _users.role, _users.username, _users.community_id,
                    _users.organization_id, _users.volunteer_id, _users.social_worker_id,
                    _users.active, _users.token_version).where(_users.id == bindparam("uid"))


def actor_from_token(session: Session, tokens: Tokens, token: str) -> Actor:
    payload = tokens.read(token)
    if payload is None or not isinstance(payload.get("uid"), int):
        raise Unauthenticated("token.invalid")
    user = session.execute(_ACTOR_ROW, {"uid": payload["uid"]}).first()
    if user is None or not user.active or user.token_version != payload.get("v"):
        raise Unauthenticated("token.revoked")
    return actor_for(user)
