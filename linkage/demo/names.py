"""Chinese personal names and identifiers that pass the platform's checks: mobiles, ID numbers, USCCs."""
from __future__ import annotations

import random
from datetime import date, timedelta

from linkage.validators import id_number_check_char, uscc_check_char

# The most common surnames, roughly in order of frequency; a few compound ones at the end.
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕"
    "丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱"
    "戴严莫孔向常"
) + ("欧阳", "司马", "上官")
_SURNAME_WEIGHTS = tuple(1.0 / (rank + 4) for rank in range(len(SURNAMES)))

# Given names differ by generation: 建国/秀英 for people born in the 1950s, 子涵/浩然 later.
_GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("older", "m"): tuple("建国 建军 国强 志刚 永明 德福 文华 海平 庆林 学军 春生 国庆 振华 树林 宝山 玉成 长青 卫东 红旗 志强 伟 军 勇 强 明 斌 平 刚".split()),
    ("older", "f"): tuple("秀英 桂兰 淑珍 玉兰 凤英 秀兰 桂芳 丽华 翠云 素芬 春梅 玉梅 爱华 淑琴 金凤 秀珍 红霞 美玲 慧敏 丽萍 敏 静 丽 艳 红 霞 燕 芳".split()),
    ("younger", "m"): tuple("浩然 子轩 宇航 博文 俊杰 一鸣 皓天 泽宇 思远 嘉豪 梓恒 昊天 逸凡 明哲 家乐 晨阳 子豪 天佑 宇轩 俊熙 浩 磊 鹏 帅 超 杰 阳 凯".split()),
    ("younger", "f"): tuple("子涵 欣怡 梓萱 诗雨 思琪 雅婷 佳怡 梦瑶 若曦 语嫣 欣妍 雨桐 紫涵 可馨 静怡 晓彤 佳琪 雨欣 思彤 婉清 婷 璐 颖 琳 倩 洁 萌 悦".split()),
}


def person_name(rng: random.Random, *, female: bool, born: int) -> str:
    surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    return surname + rng.choice(_GIVEN[("older" if born < 1978 else "younger", "f" if female else "m")])


# Mobile prefixes in use by the three carriers (and a few virtual operators).
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177",
                    "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
                    "198", "199")


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def birth_date(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    span = (date(last_year, 12, 31) - start).days
    return start + timedelta(days=rng.randrange(span + 1))


def resident_id(rng: random.Random, region6: str, born: date, *, female: bool) -> str:
    """18-digit 居民身份证号码: region, birth date, sequence (odd for men), ISO 7064 check."""
    sequence = rng.randrange(0, 500) * 2 + (0 if female else 1)
    first17 = f"{region6}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


# GB 11714 organization code: 8 body characters and a check; letters count from A=10.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code_check(body: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_CODE_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def social_org_uscc(rng: random.Random, region6: str, org_type: str) -> str:
    """统一社会信用代码 of a social organization registered with 民政 (authority code 5).

    org_type: "1" 社会团体 (associations), "2" 民办非企业单位 / 社会服务机构, "3" 基金会.
    Codes issued by civil-affairs bureaus since 2016 start their organization code with "MJ".
    """
    body = "MJ" + "".join(rng.choice(_ORG_BODY_ALPHABET) for _ in range(6))
    first17 = f"5{org_type}{region6}{body}{_org_code_check(body)}"
    return first17 + uscc_check_char(first17)
