"""The venue's check-in codes: signed, bound to the activity and the 30-second step, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from linkage.errors import InvalidInput
from linkage.services.checkin_codes import STEP_SECONDS, CheckinCodes, step_of

NOW = datetime(2026, 12, 3, 6, 0, 10, tzinfo=UTC)
codes = CheckinCodes("a-secret-for-tests")


def _reason(call) -> str:
    with pytest.raises(InvalidInput) as caught:
        call()
    return str(caught.value.errors["code"][0])


def test_a_code_is_taken_in_its_step_and_the_next_only():
    token = codes.token(7, step_of(NOW))
    assert codes.read_token(token, 7, NOW) == step_of(NOW)
    assert codes.read_token(token, 7, NOW + timedelta(seconds=STEP_SECONDS)) == step_of(NOW)
    assert (
        _reason(lambda: codes.read_token(token, 7, NOW + timedelta(seconds=2 * STEP_SECONDS))) == "checkin.code_expired"
    )
    assert (
        _reason(lambda: codes.read_token(token, 7, NOW - timedelta(seconds=STEP_SECONDS))) == "checkin.code_expired"
    )  # not yet signed by this server: a code of the future is no code


def test_a_code_of_another_activity_or_a_forged_one_is_refused():
    token = codes.token(7, step_of(NOW))
    assert _reason(lambda: codes.read_token(token, 8, NOW)) == "checkin.code_other_activity"
    other_key = CheckinCodes("another-secret").token(7, step_of(NOW))
    assert _reason(lambda: codes.read_token(other_key, 7, NOW)) == "checkin.code_forged"
    payload, signature = token.rsplit(".", 1)
    tampered = codes.token(8, step_of(NOW)).rsplit(".", 1)[0] + "." + signature
    assert _reason(lambda: codes.read_token(tampered, 8, NOW)) == "checkin.code_forged"
    for junk in ("", "abc", payload):
        assert _reason(lambda junk=junk: codes.read_token(junk, 7, NOW)) == "checkin.code_forged"


def test_the_digits_rotate_per_step_and_activity_and_allow_one_step_either_side():
    here = step_of(NOW)
    digits = codes.digits(7, here)
    assert len(digits) == 6 and digits.isdigit()
    assert digits != codes.digits(8, here) or codes.digits(7, here + 1) != codes.digits(8, here + 1)
    assert codes.read_digits(digits, 7, NOW) == here
    assert codes.read_digits(digits, 7, NOW + timedelta(seconds=STEP_SECONDS)) == here
    assert codes.read_digits(codes.digits(7, here - 1), 7, NOW) == here - 1
    late = NOW + timedelta(seconds=3 * STEP_SECONDS)
    if digits not in {codes.digits(7, step_of(late) + d) for d in (-1, 0, 1)}:  # a 1-in-10^6 collision aside
        assert _reason(lambda: codes.read_digits(digits, 7, late)) == "checkin.digits_wrong"
    assert _reason(lambda: codes.read_digits("12345", 7, NOW)) == "checkin.digits_wrong"


def test_the_shown_code_carries_both_forms_of_the_same_step():
    shown = codes.shown(7, NOW)
    assert (shown.step, shown.digits) == (step_of(NOW), codes.digits(7, step_of(NOW)))
    assert codes.read_token(shown.token, 7, shown.valid_until - timedelta(seconds=1)) == shown.step
    assert _reason(lambda: codes.read_token(shown.token, 7, shown.valid_until)) == "checkin.code_expired"


def test_a_check_out_needs_a_code_later_than_the_check_in_s():
    from linkage.services.checkin_codes import replayed

    here = step_of(NOW)
    assert replayed(here, NOW) and replayed(here - 1, NOW)
    assert not replayed(here + 1, NOW)
    assert not replayed(here, None)  # never checked in by a code of this step: nothing to replay
