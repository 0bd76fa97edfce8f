"""Filing (备案) services: the confirmed group is registered as a filed organization and the matcher
ranks it with 已备案社区社会组织 among its reasons; a refusal writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import Filing, Need, Organization
from linkage.services import filings
from linkage.services.needs import need_record
from linkage.services.providers import provider_records
from matching import ProviderIndex, load_weights
from tests.factories import ADMIN
from tests.factories_filings import filing_body


def _file(act, platform, community, **over):
    return act(filings.file_group, platform.cipher, filing_body(community.id, **over), min_members=3)


def test_story_20_1_services_a_confirmed_filing_is_ranked_with_its_filed_reason(build, act, read, platform):
    community = build.community()
    filing = _file(act, platform, community)
    staff = build.community_staff(community)
    act(filings.review_filing, staff, filing.id, "accept")
    confirmed = act(filings.confirm_filing, ADMIN, platform.cipher, filing.id, "confirm")
    with read() as s:
        org = s.get(Organization, confirmed.organization_id)
        assert (org.registration, org.uscc, org.community_id) == ("filed", None, community.id)
        assert org.contact_phone == "13912345678" and org.categories == ["文体"]
    need = build.need(community, category="文体", skills=[])
    index = ProviderIndex(load_weights())
    with read() as s:
        for kind, record in provider_records(s):
            index.upsert(kind, record)
        ranked = index.rank(need_record(s.get(Need, need.id)))
    [entry] = [e for e in ranked["organization"] if e["provider_id"] == org.id]
    assert "已备案社区社会组织" in entry["reasons"]


def test_refusals_write_nothing(build, act, read, platform, unchanged):
    community = build.community()
    _file(act, platform, community)
    with unchanged():
        with pytest.raises(InvalidInput):
            act(filings.file_group, platform.cipher, filing_body(community.id, name="乙队"), min_members=4)
        with pytest.raises(Conflict):
            _file(act, platform, community, name="海棠 舞蹈队")
        with pytest.raises(InvalidInput):
            _file(act, platform, community, name="丙队", community_id=community.id + 1000)
    with read() as s:
        assert len(s.scalars(select(Filing)).all()) == 1


def test_another_communitys_staff_find_nothing_and_only_the_street_confirms(build, act, platform):
    community, other = build.community(), build.community(code="120116099", name="福州里社区")
    filing = _file(act, platform, community)
    with pytest.raises(NotFound):
        act(filings.review_filing, build.community_staff(other), filing.id, "accept")
    with pytest.raises(Forbidden):
        act(filings.review_filing, ADMIN, filing.id, "accept")
    act(filings.review_filing, build.community_staff(community), filing.id, "accept")
    with pytest.raises(Forbidden):
        act(filings.confirm_filing, build.community_staff(community), platform.cipher, filing.id, "confirm")


def test_two_filings_of_one_group_racing_past_the_look_up_store_one(build, act, read, platform, monkeypatch):
    """Both requests of a double tap pass the look-up before either commits: the database's partial unique
    index (uq_filings_standing_group) refuses the second insert, answered as the same Conflict."""
    community = build.community()
    _file(act, platform, community)
    monkeypatch.setattr(filings, "_check_same_group", lambda *args: None)  # the look-up saw nothing yet
    with pytest.raises(Conflict):
        _file(act, platform, community, name="海棠舞蹈队")
    with read() as s:
        assert len(s.scalars(select(Filing)).all()) == 1


def test_a_returned_filing_leaves_the_name_free_to_file_again(build, act, read, platform):
    community = build.community()
    first = _file(act, platform, community)
    act(filings.review_filing, build.community_staff(community), first.id, "return", "成员名单不全，请补充后重新备案")
    again = _file(act, platform, community)
    with read() as s:
        assert {f.status for f in s.scalars(select(Filing))} == {"returned", "pending_community"}
        assert again.id != first.id
