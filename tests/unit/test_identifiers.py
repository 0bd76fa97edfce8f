"""Chinese identifiers: mobile numbers, resident ID numbers, unified social credit codes, masking."""
import pytest

from linkage.validators import (id_number_check_char, is_mainland_mobile, is_resident_id, is_uscc,
                                mask_id_number, mask_phone, uscc_check_char)


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("19912345678", True), ("12812345678", False),
                                      ("1381234567", False), ("138123456789", False), ("+8613812345678", False),
                                      ("", False)])
def test_only_eleven_digit_mainland_mobiles_are_accepted(phone, ok):
    assert is_mainland_mobile(phone) is ok


def test_a_resident_id_is_accepted_only_with_its_check_digit():
    body = "11010519491231002"
    good = body + id_number_check_char(body)
    assert good == "11010519491231002X"  # the GB 11643 worked example
    assert is_resident_id(good) and is_resident_id(good.lower())
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert not is_resident_id(wrong)


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491331002X", "ABCDEFGHIJKLMNOPQR", ""])
def test_malformed_id_numbers_are_refused(value):
    assert not is_resident_id(value)


def test_a_credit_code_is_accepted_only_with_its_check_character():
    assert is_uscc("91350100M000100Y43")  # a published example
    assert not is_uscc("91350100M000100Y44")
    assert not is_uscc("91350100M000100Y4")
    assert not is_uscc("91350100M000100YI3")  # I is not in the alphabet
    body = "52120116MJ1234567"
    assert is_uscc(body + uscc_check_char(body))


def test_masks_keep_only_the_ends():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
