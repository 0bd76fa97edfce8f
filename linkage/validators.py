"""Checks for Chinese identifiers: mobile numbers, resident ID numbers, unified social credit codes."""
from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_mainland_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value or ""))


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def is_resident_id(value: str) -> bool:
    """An 18-digit 居民身份证号码 whose last character matches its ISO 7064 check."""
    value = (value or "").upper()
    if not _ID18.match(value):
        return False
    month, day = int(value[10:12]), int(value[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return id_number_check_char(value[:17]) == value[17]


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_uscc(value: str) -> bool:
    """A 统一社会信用代码 with a valid check character."""
    value = (value or "").upper()
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


# Masking lives in linkage.privacy; these names stay importable from here for older callers.
from linkage.privacy import mask_id_number, mask_phone  # noqa: E402,F401
