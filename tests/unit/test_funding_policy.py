"""Who may act on funding (公益创投): the policy's funding section, asked without a database."""
from types import SimpleNamespace

import pytest

from linkage.permissions import Actor
from linkage.policy import funding as funding_policy

ADMIN = Actor(user_id=1, role="admin")
AUDITOR = Actor(user_id=2, role="auditor")
GRANTEE = Actor(user_id=3, role="org_staff", organization_id=10)
OTHER_ORG = Actor(user_id=4, role="org_staff", organization_id=11)
ITS_COMMUNITY = Actor(user_id=5, role="community_staff", community_id=20)
OTHER_COMMUNITY = Actor(user_id=6, role="community_staff", community_id=21)
VOLUNTEER = Actor(user_id=7, role="volunteer", volunteer_id=30)
GRANT = SimpleNamespace(id=1, organization_id=10, community_id=20)


def test_the_district_and_its_auditors_oversee_every_round():
    assert funding_policy.is_funding_overseer(ADMIN) and funding_policy.is_funding_overseer(AUDITOR)
    assert not any(funding_policy.is_funding_overseer(a) for a in (GRANTEE, ITS_COMMUNITY, VOLUNTEER))


def test_only_an_organizations_staff_apply_and_only_with_their_organization():
    assert funding_policy.may_apply_for_funding(GRANTEE)
    assert not funding_policy.may_apply_for_funding(Actor(user_id=8, role="org_staff", organization_id=None))
    assert not funding_policy.may_apply_for_funding(ADMIN)


@pytest.mark.parametrize("actor, sees", [(ADMIN, True), (AUDITOR, True), (GRANTEE, True), (ITS_COMMUNITY, True),
                                         (OTHER_ORG, False), (OTHER_COMMUNITY, False), (VOLUNTEER, False)])
def test_a_grant_is_seen_by_its_organization_its_community_and_the_district(actor, sees):
    assert funding_policy.may_view_grant(actor, GRANT) is sees


def test_milestones_are_accepted_by_the_district_or_the_needs_community_never_the_grantee():
    assert funding_policy.may_accept_milestone(ADMIN, GRANT) and funding_policy.may_accept_milestone(ITS_COMMUNITY, GRANT)
    assert not funding_policy.may_accept_milestone(GRANTEE, GRANT)
    assert not funding_policy.may_accept_milestone(AUDITOR, GRANT)
    assert not funding_policy.may_accept_milestone(OTHER_COMMUNITY, GRANT)


def test_the_grantee_or_the_district_closes_a_grant():
    assert funding_policy.may_close_grant(GRANTEE, GRANT) and funding_policy.may_close_grant(ADMIN, GRANT)
    assert not funding_policy.may_close_grant(OTHER_ORG, GRANT) and not funding_policy.may_close_grant(ITS_COMMUNITY, GRANT)


def test_supervision_shows_each_side_its_own_grants_and_nothing_to_volunteers():
    grants = [GRANT, SimpleNamespace(id=2, organization_id=11, community_id=21)]
    assert funding_policy.supervised_grants(AUDITOR, grants) == grants
    assert funding_policy.supervised_grants(GRANTEE, grants) == [GRANT]
    assert funding_policy.supervised_grants(OTHER_COMMUNITY, grants) == [grants[1]]
    assert funding_policy.supervised_grants(VOLUNTEER, grants) is None


def test_an_application_is_hidden_from_another_organization_and_community():
    application = SimpleNamespace(id=1, organization_id=10, community_id=20)
    assert funding_policy.may_view_application(None, GRANTEE, application)
    assert funding_policy.may_view_application(None, ITS_COMMUNITY, application)
    assert funding_policy.may_view_application(None, AUDITOR, application)
    assert not funding_policy.may_view_application(None, OTHER_ORG, application)
    assert not funding_policy.may_view_application(None, OTHER_COMMUNITY, application)


def test_the_district_runs_the_rounds_and_nobody_else_nor_an_anonymous_visitor():
    assert funding_policy.runs_funding(ADMIN)
    assert not any(funding_policy.runs_funding(a) for a in (AUDITOR, GRANTEE, ITS_COMMUNITY, VOLUNTEER, None))
