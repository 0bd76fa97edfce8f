"""Chinese identifiers: phone numbers, resident ID numbers, unified social credit codes, masking."""
from datetime import date, timedelta

import pytest

from linkage.validators import (
    id_number_check_char,
    is_mainland_mobile,
    is_resident_id,
    is_uscc,
    mask_id_number,
    mask_phone,
    normalise_mobile,
    normalise_phone,
    normalise_resident_id,
    resident_id_problem,
    uscc_check_char,
)


def with_check(first17: str) -> str:
    return first17 + id_number_check_char(first17)


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


@pytest.mark.parametrize("first17,problem", [
    ("11010519900230001", "birth"),    # 30 February 1990, with a correct check digit
    ("11010519890229001", "birth"),    # 1989 was not a leap year
    ("11010519921301001", "birth"),    # month 13
    ("99999919850101001", "region"),   # no province 99
    ("12019919850101001", "region"),   # Tianjin has no county 0199 (stdnum 2.2 raises KeyError here)
    ("11010519491231002", None),       # GB 11643's worked example
    ("12011619850101001", None),       # 滨海新区 (code from 2009) on a number of someone born in 1985
    ("61011319550101123", None),       # 雁塔区 (code from 1983), born 1955
    ("12010019920229001", None),       # a leap day
])
def test_id_numbers_are_checked_for_a_real_date_and_region_with_python_stdnum(first17, problem):
    number = with_check(first17)
    assert resident_id_problem(number) == problem
    assert is_resident_id(number) is (problem is None)


def test_an_id_number_with_a_wrong_check_digit_or_a_future_birth_date_is_refused():
    good = with_check("11010519491231002")
    assert resident_id_problem(good[:-1] + "1") == "check"
    tomorrow = date.today() + timedelta(days=1)
    assert resident_id_problem(with_check(f"110105{tomorrow:%Y%m%d}001")) == "birth"
    assert resident_id_problem("1101051949123100") == "format"


def test_an_id_number_is_stored_trimmed_and_with_a_capital_x():
    assert normalise_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert is_resident_id(" 11010519491231002x ") and not is_resident_id("110105 19491231 002X")


@pytest.mark.parametrize("value,stored", [
    ("022-25321234", "022-25321234"), ("02225321234", "022-25321234"), ("022 2532 1234", "022-25321234"),
    ("(022)25321234", "022-25321234"), ("+86 22 2532 1234", "022-25321234"),
    ("010-12345678", "010-12345678"), ("0571-87654321", "0571-87654321"), ("057187654321", "0571-87654321"),
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
])
def test_organization_phones_take_landlines_and_mobiles_in_one_stored_form(value, stored):
    assert normalise_phone(value) == stored


@pytest.mark.parametrize("value", ["12345", "0755-8888888", "12812345678", "23800001234", "4008001234",
                                   "95588", "+85291234567", "022-2532123x", ""])
def test_what_is_neither_a_mainland_landline_nor_a_mobile_is_refused(value):
    assert normalise_phone(value) is None


@pytest.mark.parametrize("value", [
    "022-25321234-8001", "022-25321234转8001", "022-25321234 转 8001", "022 2532 1234 分机 8001",
    "022-25321234 ext 8001", "022-25321234 ext. 8001", "02225321234x8001", "022-25321234#8001",
    "(022)25321234-8001", "+86 22 2532 1234 ext 8001",
])
def test_a_landline_may_carry_an_extension_stored_after_one_more_dash(value):
    assert normalise_phone(value) == "022-25321234-8001"


@pytest.mark.parametrize("value", [
    "13812345678-8001", "13812345678转8001", "13812345678 ext 8001",  # a mobile takes no extension
    "022-25321234-1234567",  # an extension is 1-6 digits
    "022-25321234转", "022-25321234转abc", "12345转8001", "0755-8888888-8001",
])
def test_what_is_not_a_landline_with_an_extension_is_refused(value):
    assert normalise_phone(value) is None


def test_a_volunteer_phone_is_a_mobile_only():
    assert normalise_mobile("+86 199 1234 5678") == "19912345678"
    assert normalise_mobile("022-25321234") is None and normalise_mobile("02225321234") is None
    assert normalise_mobile("14012345678") is None  # a number range that is not allocated
    assert normalise_mobile("022-25321234-8001") is None and normalise_mobile("13812345678-8001") is None


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
