"""How personal data is shown masked: names, phones, ID numbers, distances (the policy says when)."""
from __future__ import annotations

# 复姓: a compound surname is kept whole, so 欧阳修 is 欧阳*, not 欧**.
COMPOUND_SURNAMES = frozenset((
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 澹台 公冶 宗政 "
    "濮阳 淳于 单于 太叔 申屠 仲孙 闻人 赫连 万俟 端木 西门 南宫 独孤 百里 呼延 东郭 第五 司空 拓跋 "
    "左丘 梁丘 公羊 谷梁 段干 巫马 亓官 羊舌 微生 乐正 子车 颛孙 壤驷 漆雕 公良 呼延 完颜 爱新觉罗"
).split())
_SEPARATORS = " ·•"  # between the parts of a transcribed name (买买提·艾力): kept

# Distance bands (km, upper bound exclusive) as the API gives them and as the pages say them.
DISTANCE_BANDS = ((1.0, "<1 km", "1 公里内"), (3.0, "1–3 km", "1–3 公里"), (5.0, "3–5 km", "3–5 公里"),
                  (float("inf"), ">5 km", "5 公里以上"))


def surname_of(name: str) -> str:
    """The surname: a compound one when the name starts with it and has a given name after it."""
    for length in (4, 2):
        if len(name) > length and name[:length] in COMPOUND_SURNAMES:
            return name[:length]
    return name[:1]


def mask_name(name: str) -> str:
    """Surname and a star per other character: 张三丰 -> 张**, 欧阳修 -> 欧阳*, 买买提·艾力 -> 买**·**."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    surname = surname_of(name) if not any(c in _SEPARATORS for c in name) else name[:1]
    return surname + "".join(c if c in _SEPARATORS else "*" for c in name[len(surname):])


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:] if len(id_number) > 8 else "****"


# A home's coordinates, for anyone but the person: rounded to 0.01° (about 1.1 km north-south, 0.9 km
# east-west here): the neighbourhood a volunteer serves from, not their door.
COARSE_DEGREES = 2


def coarse(degrees: float) -> float:
    return round(degrees, COARSE_DEGREES)


def distance_band(km: float | None) -> str | None:
    """The band a distance falls in ("<1 km", "1–3 km", "3–5 km", ">5 km"); never the distance itself."""
    return None if km is None else next(code for upper, code, _ in DISTANCE_BANDS if km < upper)


def distance_band_zh(km: float | None) -> str:
    return "" if km is None else next(label for upper, _, label in DISTANCE_BANDS if km < upper)
