"""Checks for Chinese identifiers: phone numbers, resident ID numbers, unified social credit codes."""
from __future__ import annotations

import re
from datetime import date

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as NumberError

# -- phone numbers: Google's libphonenumber metadata (the `phonenumbers` package), region CN ----------
_MOBILE_TYPES = (PhoneNumberType.MOBILE,)
_LANDLINE_TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _parse_cn(value: str):
    """A valid mainland number as libphonenumber reads it (national or +86 forms), or None."""
    try:
        number = phonenumbers.parse(value or "", "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.extension or phonenumbers.region_code_for_number(number) != "CN" \
            or not phonenumbers.is_valid_number(number):
        return None
    return number


def normalise_mobile(value: str) -> str | None:
    """A mainland mobile in its stored form, 11 digits ("+86 138 1234 5678" -> "13812345678"); None
    when `value` is not an allocated mainland mobile number."""
    number = _parse_cn(value)
    if number is None or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return phonenumbers.national_significant_number(number)


# An extension (分机) as people write it after a landline: 转8001, 分机8001, -8001, ext 8001, x8001, #8001
_EXTENSION = re.compile(r"^(?P<number>.+?)\s*(?:转|轉|分机|分機|ext\.?|x|#|-|,)\s*(?P<ext>[0-9]{1,6})$", re.IGNORECASE)


def _landline(value: str) -> str | None:
    """A mainland landline without an extension as "022-25321234" (area code with its 0), or None."""
    number = _parse_cn(value)
    if number is None or phonenumbers.number_type(number) not in _LANDLINE_TYPES:
        return None
    digits = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_geographical_area_code(number)
    return f"0{digits[:area]}-{digits[area:]}" if area else None


def normalise_phone(value: str) -> str | None:
    """A mainland mobile or landline (固定电话) in its stored form: a mobile as 11 digits, a landline
    as area code with its leading 0, a dash, the local number ("02225321234" -> "022-25321234"),
    and a landline's extension (分机, 1-6 digits, written 转8001 / 分机8001 / -8001 / ext 8001 / x8001 /
    #8001) after one more dash ("022-25321234-8001"); None when it is none of these. A mobile takes
    no extension."""
    value = (value or "").strip()
    mobile = normalise_mobile(value)
    if mobile is not None:
        return mobile
    whole = _landline(value)
    if whole is not None:
        return whole
    split = _EXTENSION.match(value)
    if split is None:
        return None
    landline = _landline(split["number"])
    return f"{landline}-{split['ext']}" if landline is not None else None


def is_mainland_mobile(value: str) -> bool:
    """`value` is a mainland mobile already in its stored form (11 digits)."""
    return normalise_mobile(value) == value


# -- resident ID numbers: python-stdnum's cn.ric (GB 11643) --------------------------------------------
ID_NUMBER_PROBLEMS = {
    "format": "id_number.format", "check": "id_number.check", "birth": "id_number.birth", "region": "id_number.region",
}


def _region_known(code: str) -> bool:
    """A county-level code (行政区划代码) stdnum's table has ever listed."""
    parts = numdb.get("cn/loc").info(code)
    return len(parts) == 2 and bool(parts[1][1].get("county"))


def resident_id_problem(value: str) -> str | None:
    """Why `value` is not a 居民身份证号码, as a key of ID_NUMBER_PROBLEMS; None when it is one.

    python-stdnum checks the length, the check digit (ISO 7064), the birth date and the region
    code. Its region check also wants the county to have existed in the birth year; that is not
    kept here: a number keeps the code it was first issued under, so people born before their
    district was created (雁塔区 1983, 滨海新区 2009, ...) hold numbers with its code.
    """
    number = ric.compact(value or "")
    try:
        ric.validate(number)
    except (InvalidLength, InvalidFormat):
        return "format"
    except InvalidChecksum:
        return "check"
    except (InvalidComponent, KeyError):  # stdnum 2.2 raises KeyError for some unknown counties
        try:
            ric.get_birth_date(number)
        except NumberError:
            return "birth"
        if not _region_known(number[:6]):
            return "region"
    except NumberError:
        return "format"
    if ric.get_birth_date(number) > date.today():
        return "birth"
    return None


def is_resident_id(value: str) -> bool:
    """An 18-digit 居民身份证号码: check digit, a real birth date (not in the future), a real region."""
    return resident_id_problem(value) is None


def normalise_resident_id(value: str) -> str:
    """The stored form of a valid ID number: no spaces, a capital X."""
    return ric.compact(value)


def id_number_check_char(first17: str) -> str:
    """The check character of the first 17 digits (for building test and demo numbers)."""
    return ric.calc_check_digit(first17 + "0")


def uscc_check_char(first17: str) -> str:
    """The check character of a 统一社会信用代码's first 17 characters (GB 32100, python-stdnum)."""
    return uscc.calc_check_digit(first17)


def is_uscc(value: str) -> bool:
    """A 统一社会信用代码 with a valid check character (python-stdnum's cn.uscc)."""
    return uscc.is_valid((value or "").upper())


# Masking lives in linkage.privacy; these names stay importable from here for older callers.
from linkage.privacy import mask_id_number, mask_phone  # noqa: E402,F401
