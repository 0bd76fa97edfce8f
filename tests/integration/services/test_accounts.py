"""Accounts at the service: users bound to what they act for, logging in, too many failures, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from linkage.models import LoginFailure, User, utcnow
from linkage.permissions import Actor
from linkage.services.accounts import (
    LoginPolicy,
    actor_for,
    actor_from_token,
    create_user,
    log_in,
    require_settable_password,
    revoke_tokens,
)
from tests.factories import ADMIN, PASSWORD

POLICY = LoginPolicy(per_account=3, per_address=5, window=timedelta(minutes=15))


def _log_in(act, platform, username, password=PASSWORD, address="10.0.0.1", now=None, policy=POLICY):
    return act(log_in, platform.passwords, platform.tokens, policy, username, password, address, now or utcnow())


def _failures(read):
    with read() as s:
        return s.scalar(select(func.count()).select_from(LoginFailure))


def test_a_user_is_bound_to_what_their_role_acts_for(build, platform, read):
    community = build.community()
    user = build.user("community_staff", community_id=community, username="xinhua-staff")
    assert (user.role, user.community_id, user.organization_id) == ("community_staff", community.id, None)
    actor = actor_for(user)
    assert (actor.user_id, actor.community_id, actor.is_admin) == (user.id, community.id, False)
    # Bindings a role does not take are dropped.
    auditor = build.user("auditor", community_id=community)
    assert auditor.community_id is None


@pytest.mark.parametrize(
    "role, bindings, field",
    [
        ("mayor", {}, "role"),
        ("org_staff", {}, "organization_id"),
        ("volunteer", {"volunteer_id": 4242}, "volunteer_id"),
    ],
)
def test_a_user_with_an_unknown_role_or_a_missing_binding_is_refused(act, platform, unchanged, role, bindings, field):
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(create_user, platform.passwords, username="someone", password=PASSWORD, role=role, **bindings)
    assert field in caught.value.errors


def test_a_weak_password_and_a_taken_username_are_refused(build, act, platform, unchanged):
    build.user("admin", username="district")
    with unchanged():
        with pytest.raises(InvalidInput) as caught:
            act(create_user, platform.passwords, username="newbie", password="123456", role="admin")
        assert "password" in caught.value.errors
        with pytest.raises(Conflict):
            act(create_user, platform.passwords, username="district", password=PASSWORD, role="admin")
    with pytest.raises(InvalidInput):
        require_settable_password("district", "district")


def test_the_right_password_logs_in_and_the_token_names_the_actor(build, act, platform, read):
    org = build.organization()
    user = build.user("org_staff", organization_id=org, username="leling")
    token, logged_in = _log_in(act, platform, "leling")
    assert logged_in.id == user.id
    with read() as s:
        actor = actor_from_token(s, platform.tokens, token)
    assert actor == Actor(user_id=user.id, role="org_staff", username="leling", organization_id=org.id)
    assert _failures(read) == 0


def test_a_wrong_password_or_unknown_user_fails_and_is_counted(build, act, platform, read):
    build.user("admin", username="district")
    with pytest.raises(Unauthenticated):
        _log_in(act, platform, "district", "wrong-password-1")
    with pytest.raises(Unauthenticated):
        _log_in(act, platform, "nobody-here")
    assert _failures(read) == 2


def test_too_many_failures_lock_the_account_even_with_the_right_password(build, act, platform, read):
    build.user("admin", username="district")
    now = utcnow()
    for _ in range(POLICY.per_account):
        with pytest.raises(Unauthenticated):
            _log_in(act, platform, "district", "guess-guess-1", now=now)
    with pytest.raises(TooManyRequests) as caught:
        _log_in(act, platform, "district", now=now)
    assert 0 < caught.value.retry_after <= 15 * 60
    # Once the failures age out of the window, the right password works again.
    token, _ = _log_in(act, platform, "district", now=now + timedelta(minutes=16))
    assert token


def test_too_many_failures_from_one_address_lock_that_address(build, act, platform):
    for n in range(POLICY.per_address):
        with pytest.raises(Unauthenticated):
            _log_in(act, platform, f"user-{n}", "guess-guess-1", address="10.9.9.9")
    build.user("admin", username="district")
    with pytest.raises(TooManyRequests):
        _log_in(act, platform, "district", address="10.9.9.9")
    assert _log_in(act, platform, "district", address="10.0.0.2")[1].username == "district"


def test_revoking_tokens_logs_out_everywhere(build, act, platform, read):
    user = build.user("admin", username="district")
    token, _ = _log_in(act, platform, "district")
    act(revoke_tokens, actor_for(user))
    with read() as s, pytest.raises(Unauthenticated):
        actor_from_token(s, platform.tokens, token)


def test_only_the_district_revokes_another_user_s_tokens(build, act, read, unchanged):
    victim = build.user("auditor")
    other = build.actor("auditor")
    with unchanged(), pytest.raises(Forbidden):
        act(revoke_tokens, other, victim.id)
    assert act(revoke_tokens, ADMIN, victim.id).token_version == victim.token_version + 1
    with pytest.raises(NotFound):
        act(revoke_tokens, ADMIN, 8888)


def test_a_deactivated_user_s_token_and_a_forged_one_are_refused(build, act, platform, read):
    user = build.user("auditor")
    token = platform.tokens.issue(user.id, user.token_version)
    with platform.uow() as uow:
        uow.session.get(User, user.id).active = False
        uow.commit()
    with read() as s:
        with pytest.raises(Unauthenticated):
            actor_from_token(s, platform.tokens, token)
        with pytest.raises(Unauthenticated):
            actor_from_token(s, platform.tokens, "not-a-token")
    with pytest.raises(Unauthenticated):  # a deactivated user does not log in either
        _log_in(act, platform, user.username)


def test_the_login_policy_comes_from_the_settings(platform):
    policy = LoginPolicy.from_settings(platform.settings)
    assert policy.per_account == platform.settings.login_failures_per_account
    assert policy.window == timedelta(seconds=platform.settings.login_failure_window_seconds)
