"""Short Chinese reasons a community worker can read off a ranked entry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from matching import features as F

DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
PART_NAMES = ("上午", "下午", "晚上")
LEVEL_NAMES = {1.0: "高级社会工作师", 0.75: "社会工作师", 0.5: "助理社会工作师"}
KIND_NAMES = ("资金", "物资", "场地", "服务")
INF = float("inf")


@dataclass
class Context:
    """What every entry of one rank() call shares: worked out once, not per entry."""

    slots: int
    week: str            # 本 / 下 / '' before a weekday name
    category: str
    budget: float
    group_mask: int
    labels: list[str]
    group_names: Mapping[str, str]
    phrases: dict = None  # slot mask -> "本周六上午有空": many volunteers share a few masks
    serves: dict = None   # shared label bits -> "擅长服务老年人"

    @classmethod
    def of(cls, q, labels: list[str], group_names: Mapping[str, str]) -> "Context":
        a = datetime.fromtimestamp(q.start, F.CHINA_TZ).isocalendar()
        b = datetime.fromtimestamp(q.now, F.CHINA_TZ).isocalendar()
        weeks = (a.year - b.year) * 53 + a.week - b.week
        return cls(q.slots, {0: "本", 1: "下"}.get(weeks, ""), str(q.need.get("category") or ""),
                   q.budget, q.group_mask, labels, group_names, {}, {})

    def free(self, mask: int) -> str:
        got = self.phrases.get(mask)
        if got is None:
            got = self.phrases[mask] = f"{_slots(mask, self.week)}有空" if mask else "需求时段未登记空闲"
        return got


def _km(d: float) -> str:
    return f"距离 {int(round(d * 1000, -1))} 米" if d < 1 else f"距离 {d:.1f} 公里"


def _slots(mask: int, prefix: str) -> str:
    names = [f"{prefix}{DAY_NAMES[b // 3]}{PART_NAMES[b % 3]}" for b in range(21) if mask >> b & 1]
    return "、".join(names[:2]) + ("等" if len(names) > 2 else "")


# --- batch builders: the same phrases for a whole top-k list, with no call per phrase -----
# Each takes (rounded factor lists in FACTORS order, raw rows in index.RAW_COLUMNS order,
# matched tags per entry, km per entry, context) and returns one reason list per entry.

_MEMO_LIMIT = 1 << 16  # phrases per memo; cleared when full (values repeat: ratings, counts)
_RATINGS: dict = {}
_COMPLETION: dict = {}
_HOURS: dict = {}
_UNTIL: dict = {}


def _memo(memo: dict, key, make) -> str:
    """A phrase from a value-keyed memo; the memo is emptied when full rather than grown."""
    got = memo.get(key)
    if got is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        got = memo[key] = make()
    return got


def _rating(r_sum: float, r_cnt: float, done: float, cancel: float, spread: float, out: list) -> list:
    """The closing phrases; value-keyed memos, as many providers share a rating or a count."""
    if r_cnt > 0:
        out.append(_memo(_RATINGS, (r_sum, r_cnt), lambda: f"满意度 {r_sum / r_cnt:.1f}（{r_cnt:.0f} 次评价）"))
    if done + cancel > 0:
        out.append(_memo(_COMPLETION, (done, cancel), lambda: f"完成率 {done / (done + cancel):.0%}"))
    if spread < 0.7:
        out.append("近期已获较多推荐")
    return out


def _until_phrase(t_until: float) -> str:
    until = datetime.fromtimestamp(t_until, F.CHINA_TZ)
    return f"有效期至 {until.month}月{until.day}日"


def _hours(minutes: float) -> str:
    return _memo(_HOURS, minutes, lambda: f"已认证服务 {minutes / 60:.0f} 小时")


def volunteers(facs, raws, matched, kms, ctx: Context) -> list[list[str]]:
    res = []
    slots_on, free = ctx.slots, ctx.free
    for fac, (r_sum, r_cnt, done, cancel, slots, minutes), tags, km in zip(facs, raws, matched, kms):
        dist = f"距离 {int(round(km * 1000, -1))} 米" if km < 1 else f"距离 {km:.1f} 公里"
        if tags:
            out = ["技能相符：" + "、".join(tags[:4]), dist]
        else:
            out = ["技能相近", dist] if fac[0] >= 0.3 else [dist]
        if slots_on:
            out.append(free(slots & slots_on))
        if minutes >= 60:
            out.append(_hours(minutes))
        res.append(_rating(r_sum, r_cnt, done, cancel, fac[-1], out))
    return res


def organizations(facs, raws, matched, kms, ctx: Context) -> list[list[str]]:
    res = []
    serves = f"服务领域含{ctx.category}"
    for fac, (r_sum, r_cnt, done, cancel, cap, open_), tags, km in zip(facs, raws, matched, kms):
        dist = f"距离 {int(round(km * 1000, -1))} 米" if km < 1 else f"距离 {km:.1f} 公里"
        if tags:
            out = ["技能相符：" + "、".join(tags[:4]), dist]
        else:
            out = ["技能相近", dist] if fac[0] >= 0.3 else [dist]
        out.append(f"在办项目 {open_}/{cap}，尚有余力" if open_ < cap else f"已满负荷（{open_}/{cap}）")
        if fac[3] >= 0.7:
            out.append(serves)
        res.append(_rating(r_sum, r_cnt, done, cancel, fac[-1], out))
    return res


def social_workers(facs, raws, matched, kms, ctx: Context) -> list[list[str]]:
    res = []
    mask, labels, names, serves = ctx.group_mask, ctx.labels, ctx.group_names, ctx.serves
    for fac, (r_sum, r_cnt, done, cancel, lab, level), tags, km in zip(facs, raws, matched, kms):
        dist = f"距离 {int(round(km * 1000, -1))} 米" if km < 1 else f"距离 {km:.1f} 公里"
        if tags:
            out = ["技能相符：" + "、".join(tags[:4]), dist]
        else:
            out = ["技能相近", dist] if fac[0] >= 0.3 else [dist]
        out.append(LEVEL_NAMES.get(level, "社会工作者"))
        both = lab & mask
        if both:
            got = serves.get(both)
            if got is None:
                groups = [labels[b] for b in range(len(labels)) if both >> b & 1]
                got = serves[both] = "擅长服务" + "、".join(names.get(g, g) for g in groups[:3])
            out.append(got)
        res.append(_rating(r_sum, r_cnt, done, cancel, fac[-1], out))
    return res


def resources(facs, raws, matched, kms, ctx: Context) -> list[list[str]]:
    res = []
    budget, earmark = ctx.budget, f"定向用于{ctx.category}"
    for fac, (r_sum, r_cnt, done, cancel, rkind, remaining, restricted, t_until), tags, km in zip(facs, raws, matched, kms):
        dist = f"距离 {int(round(km * 1000, -1))} 米" if km < 1 else f"距离 {km:.1f} 公里"
        if tags:
            out = ["用途相符：" + "、".join(tags[:4]), dist]
        else:
            out = ["技能相近", dist] if fac[0] >= 0.3 else [dist]
        if rkind == 0:
            cover = "，覆盖预算" if budget and remaining >= budget else ""
            out.append(f"剩余资金 {remaining / 100:,.0f} 元{cover}")
        else:
            out.append(f"{KIND_NAMES[rkind]}剩余 {remaining:g}")
        if restricted:
            out.append(earmark)
        if t_until != INF:
            out.append(_memo(_UNTIL, t_until, lambda: _until_phrase(t_until)))
        res.append(_rating(r_sum, r_cnt, done, cancel, fac[-1], out))
    return res


BATCH = {"volunteer": volunteers, "organization": organizations, "social_worker": social_workers,
         "resource": resources}
