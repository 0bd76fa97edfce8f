"""Pinyin keys of names: full pinyin and initials, surname readings of 多音字, what a query is normalised to."""

import pytest

from linkage.pinyin import normalised_query, pinyin_keys


@pytest.mark.parametrize(
    "name,person,keys",
    [
        ("张三", True, ("zhangsan", "zs")),
        ("单雄信", True, ("shanxiongxin", "sxx")),  # 单 as a surname is shan
        ("单雄信", False, ("danxiongxin", "dxx")),  # not a person's name: pypinyin's reading
        ("曾国藩", True, ("zengguofan", "zgf")),
        ("解缙", True, ("xiejin", "xj")),
        ("尉迟恭", True, ("yuchigong", "ycg")),  # a compound surname
        ("吕布", True, ("lvbu", "lb")),  # ü typed as v, as IMEs do
        ("重庆路社区", False, ("chongqinglushequ", "cqlsq")),
        ("ＡＢＣ社区１号", False, ("abcshequ1hao", "abcsq1h")),  # full-width letters and digits kept
        ("", True, ("", "")),
    ],
)
def test_the_keys_of_a_name(name, person, keys):
    assert pinyin_keys(name, person) == keys


def test_a_long_name_is_cut_to_the_column():
    full, initials = pinyin_keys("张" * 100)
    assert len(full) == 200 and len(initials) == 100


@pytest.mark.parametrize(
    "typed,key", [("Zhang San", "zhangsan"), ("zhang'san", "zhangsan"), ("LÜ", "lv"), ("Ｚｓ", "zs"), ("%_", "")]
)
def test_a_typed_query_is_normalised_like_the_keys(typed, key):
    assert normalised_query(typed) == key
