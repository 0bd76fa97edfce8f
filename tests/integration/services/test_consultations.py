"""Residents' voice (议事协商): a community opens a consultation, residents propose and vote with one-time codes,
the count is checked against public receipts, and the winner becomes a need through the needs service."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import ConsultationCode, ConsultationItem, ConsultationVote, Need, OutboxEvent, utcnow
from linkage.services import consultations as service


@pytest.fixture
def scene(build):
    community, other = build.community(), build.community()
    return {
        "community": community,
        "staff": build.community_staff(community),
        "other_staff": build.community_staff(other),
        "other": other,
    }


def _open(act, who, community, **over):
    now = utcnow()
    body = {
        "community_id": community.id,
        "title": "楼道加装扶手还是办老年餐桌",
        "description": "请每户投一票",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "max_proposals": 5,
        **over,
    }
    return act(service.open_consultation, who, body)


def test_1_thirty_households_vote_once_each_and_the_winner_becomes_a_linked_need(scene, act, read, unchanged):
    staff = scene["staff"]
    consultation = _open(act, staff, scene["community"])
    codes = act(service.issue_codes, staff, consultation.id, 30)
    assert len(codes) == len(set(codes)) == 30
    with read() as s:
        stored = set(s.scalars(select(ConsultationCode.code_digest)))
    assert not stored & set(codes), "only hashes are kept"

    rail = act(service.propose_item, consultation.id, codes[0], "楼道加装扶手", "3号楼老人多，上下楼不便")
    table = act(service.propose_item, consultation.id, codes[1].lower(), "老年餐桌", "")
    receipts = [
        act(service.cast_vote, consultation.id, code, rail.id if i < 18 else table.id) for i, code in enumerate(codes)
    ]
    assert len(set(receipts)) == 30 and not set(receipts) & set(codes)

    with unchanged():  # a reused code: refused, nothing stored
        with pytest.raises(Conflict) as refused:
            act(service.cast_vote, consultation.id, codes[5], table.id)
    assert refused.value.code == "consultation.code_used" and "code" in refused.value.errors

    with read() as s:
        shown = service.result(s, service.public_consultation(s, consultation.id))
    assert [(i["title"], i["votes"]) for i in shown["items"]] == [("楼道加装扶手", 18), ("老年餐桌", 12)]
    assert shown["votes"] == sum(len(i["receipts"]) for i in shown["items"]) == 30
    assert sorted(r for i in shown["items"] for r in i["receipts"]) == sorted(receipts)
    assert shown["items"][0]["leading"] and shown["codes_issued"] == shown["codes_voted"] == 30

    with pytest.raises(Conflict):  # not while residents may still vote
        act(service.item_to_need, staff, rail.id, {"category": "养老"})
    act(service.close_consultation, staff, consultation.id)
    need = act(service.item_to_need, staff, rail.id, {"category": "养老"})
    with read() as s:
        stored_need = s.get(Need, need.id)
        item = s.get(ConsultationItem, rail.id)
        assert (stored_need.title, stored_need.community_id) == ("楼道加装扶手", scene["community"].id)
        assert item.need_id == need.id and service.item_of_need(s, need.id).id == rail.id
        posted = [
            json.loads(e.envelope)
            for e in s.scalars(
                select(OutboxEvent).where(OutboxEvent.topic == Topics.NEEDS, OutboxEvent.key == str(need.id))
            )
        ]
        shown = service.result(s, service.public_consultation(s, consultation.id))
    assert [e["type"] for e in posted] == [Types.NEED_POSTED]  # the matcher ranks it as any other need
    assert shown["items"][0]["need_id"] == need.id and shown["items"][0]["need_status"] == "open"
    with unchanged(), pytest.raises(Conflict):  # one need per item
        act(service.item_to_need, staff, rail.id, {"category": "养老"})


def test_2_refused_votes_and_proposals_store_nothing(scene, act, unchanged):
    staff = scene["staff"]
    consultation = _open(act, staff, scene["community"], max_proposals=1)
    elsewhere = _open(act, staff, scene["community"])
    codes = act(service.issue_codes, staff, consultation.id, 4)
    foreign = act(service.issue_codes, staff, elsewhere.id, 1)
    item = act(service.propose_item, consultation.id, codes[0], "楼道加装扶手", "")
    act(service.cast_vote, consultation.id, codes[1], item.id)
    other_item = act(service.propose_item, elsewhere.id, foreign[0], "老年餐桌", "")
    with unchanged():
        for verb, args, error, code in (
            (service.cast_vote, (consultation.id, "ZZZZZZZZ", item.id), InvalidInput, "consultation.unknown_code"),
            (service.cast_vote, (consultation.id, foreign[0], item.id), InvalidInput, "consultation.unknown_code"),
            (service.cast_vote, (consultation.id, codes[1], item.id), Conflict, "consultation.code_used"),
            (service.cast_vote, (consultation.id, codes[2], other_item.id), InvalidInput, "consultation.invalid"),
            (
                service.propose_item,
                (consultation.id, codes[0], "再提一个", ""),
                Conflict,
                "consultation.proposals_full",
            ),
            (
                service.propose_item,
                (consultation.id, codes[2], "第二个议题", ""),
                Conflict,
                "consultation.proposals_full",
            ),
            (service.cast_vote, (987654, codes[2], item.id), NotFound, "consultation.not_found"),
        ):
            with pytest.raises(error) as refused:
                act(verb, *args)
            assert refused.value.code == code, (verb.__name__, args, refused.value.code)
    act(service.close_consultation, staff, consultation.id)
    with unchanged():
        with pytest.raises(Conflict) as refused:
            act(service.cast_vote, consultation.id, codes[2], item.id)
        assert refused.value.code == "consultation.closed"
        with pytest.raises(Conflict):
            act(service.issue_codes, staff, consultation.id, 3)
        with pytest.raises(Conflict):
            act(service.close_consultation, staff, consultation.id)


def test_3_a_consultation_not_yet_open_takes_nothing_and_bad_windows_are_refused(scene, act, unchanged):
    staff, now = scene["staff"], utcnow()
    later = _open(act, staff, scene["community"], opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    codes = act(service.issue_codes, staff, later.id, 1)
    with unchanged():
        with pytest.raises(Conflict) as refused:
            act(service.propose_item, later.id, codes[0], "楼道加装扶手", "")
        assert refused.value.code == "consultation.not_open"
        with pytest.raises(InvalidInput) as bad:
            _open(act, staff, scene["community"], opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1))
        assert "closes_at" in bad.value.errors


def test_4_another_communitys_staff_are_told_nothing(scene, act, read, build, unchanged):
    consultation = _open(act, scene["staff"], scene["community"])
    codes = act(service.issue_codes, scene["staff"], consultation.id, 1)
    item = act(service.propose_item, consultation.id, codes[0], "楼道加装扶手", "")
    act(service.close_consultation, scene["staff"], consultation.id)
    stranger, auditor = scene["other_staff"], build.auditor()
    with unchanged():
        for verb, args in (
            (service.issue_codes, (consultation.id, 2)),
            (service.close_consultation, (consultation.id,)),
            (service.item_to_need, (item.id, {"category": "养老"})),
        ):
            with pytest.raises(NotFound):
                act(verb, stranger, *args)
        with pytest.raises(Forbidden):
            _open(act, stranger, scene["community"])
        with pytest.raises(Forbidden):  # an auditor reads, never runs
            act(service.issue_codes, auditor, consultation.id, 2)
    with read() as s:
        with pytest.raises(NotFound):
            service.staff_consultation(s, stranger, consultation.id)
        assert service.list_consultations(s, stranger) == []
        assert [c.id for c in service.list_consultations(s, scene["staff"])] == [consultation.id]
        assert service.public_consultation(s, consultation.id).id == consultation.id  # residents' page: public


def test_5_a_vote_keeps_no_link_to_its_code(scene, act, read):
    consultation = _open(act, scene["staff"], scene["community"])
    codes = act(service.issue_codes, scene["staff"], consultation.id, 2)
    item = act(service.propose_item, consultation.id, codes[0], "楼道加装扶手", "")
    act(service.cast_vote, consultation.id, codes[1], item.id)
    columns = set(ConsultationVote.__table__.columns.keys())
    assert columns == {"id", "consultation_id", "item_id", "receipt"}
