"""The hour ledger's rules, without a database: replaying entries into statuses, star levels."""
from datetime import datetime, timedelta, timezone

from linkage.models import HourEntry, RecordStatus, record_states
from linkage.stars import minutes_to_next, star_level, thresholds_for

T0 = datetime(2026, 11, 1, 1, tzinfo=timezone.utc)


def entry(id, action, target=None, minutes=60, window=True):
    return HourEntry(id=id, action=action, target_id=target, minutes=minutes,
                     starts_at=T0 if window else None, ends_at=T0 + timedelta(minutes=minutes) if window else None)


def test_a_record_is_pending_until_reviewed_and_the_last_review_wins():
    assert record_states([entry(1, "record")]) == {1: RecordStatus.PENDING}
    assert record_states([entry(1, "record"), entry(2, "reject", 1)])[1] is RecordStatus.REJECTED
    assert record_states([entry(1, "record"), entry(2, "reject", 1), entry(3, "dispute", 1),
                          entry(4, "verify", 1)])[1] is RecordStatus.VERIFIED


def test_a_correction_supersedes_its_target_and_starts_pending_itself():
    states = record_states([entry(1, "record"), entry(2, "verify", 1), entry(3, "correct", 1, minutes=30)])
    assert states == {1: RecordStatus.SUPERSEDED, 3: RecordStatus.PENDING}


def test_a_correction_without_time_reverses_and_is_not_a_record():
    states = record_states([entry(1, "record"), entry(2, "correct", 1, minutes=0, window=False)])
    assert states == {1: RecordStatus.REVERSED}


def test_reviews_cannot_revive_a_superseded_record():
    states = record_states([entry(1, "record"), entry(2, "correct", 1), entry(3, "verify", 1)])
    assert states[1] is RecordStatus.SUPERSEDED


def test_star_levels_follow_the_national_scheme_to_the_minute():
    national = thresholds_for(None)
    assert national == [100, 300, 600, 1000, 1500]
    assert star_level(100 * 60 - 1, national) == 0
    assert star_level(100 * 60, national) == 1
    assert star_level(1500 * 60, national) == 5


def test_how_far_the_next_star_level_is_to_the_minute():
    national = thresholds_for(None)
    assert minutes_to_next(0, national) == (1, 6000)
    assert minutes_to_next(90, national) == (1, 5910)
    assert minutes_to_next(100 * 60, national) == (2, 200 * 60)  # one star reached: two stars at 300 h
    assert minutes_to_next(600 * 60 - 750, national) == (3, 750)  # 再服务 12.5 小时可达三星
    assert minutes_to_next(1500 * 60, national) is None  # the top: nothing further


def test_a_district_may_run_its_own_scheme():
    assert thresholds_for("张家港市") == [30, 60, 100, 200, 300]
    assert thresholds_for("滨海新区") == [100, 300, 600, 1000, 1500]
    assert star_level(30 * 60, thresholds_for("张家港市")) == 1
