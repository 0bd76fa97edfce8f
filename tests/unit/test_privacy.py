"""Masking names, phones, ID numbers, and distances as bands (linkage.privacy)."""
from __future__ import annotations

import pytest

from linkage.privacy import distance_band, distance_band_zh, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize("name, shown", [
    ("张三", "张*"), ("张三丰", "张**"), ("欧阳修", "欧阳*"), ("欧阳娜娜", "欧阳**"), ("司马相如", "司马**"),
    ("欧阳", "欧*"),  # a two-character name: the given name is 阳, not a compound surname with none
    ("爱新觉罗溥仪", "爱新觉罗**"), ("买买提·艾力", "买**·**"), ("王", "*"), ("", "*"), (" 李明 ", "李*"),
])
def test_a_name_keeps_its_surname_and_masks_the_given_name(name, shown):
    assert mask_name(name) == shown


def test_phones_and_id_numbers_keep_only_their_ends():
    assert mask_phone("13800000001") == "138****0001"
    assert mask_id_number("120116198501010013") == "1201**********0013"
    assert mask_phone("123") == "****" and mask_id_number("12345") == "****"


@pytest.mark.parametrize("km, band, zh", [
    (0.0, "<1 km", "1 公里内"), (0.999, "<1 km", "1 公里内"), (1.0, "1–3 km", "1–3 公里"),
    (2.99, "1–3 km", "1–3 公里"), (3.0, "3–5 km", "3–5 公里"), (5.0, ">5 km", "5 公里以上"),
    (120.0, ">5 km", "5 公里以上"), (None, None, ""),
])
def test_a_distance_is_told_only_as_its_band(km, band, zh):
    assert distance_band(km) == band and distance_band_zh(km) == zh
