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

    @classmethod
    def of(cls, q, labels: list[str], group_names: Mapping[str, str]) -> "Context":
        a = datetime.fromtimestamp(q.start, F.CHINA_TZ).isocalendar()
        b = datetime.fromtimestamp(q.now, F.CHINA_TZ).isocalendar()
        weeks = (a.year - b.year) * 53 + a.week - b.week
        return cls(q.slots, {0: "本", 1: "下"}.get(weeks, ""), str(q.need.get("category") or ""),
                   q.budget, q.group_mask, labels, group_names, {})

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


def _opening(label: str, f: Mapping[str, float], matched: list[str], km: float) -> list[str]:
    if matched:
        return [label + "、".join(matched[:4]), _km(km)]
    return ["技能相近", _km(km)] if f["skill"] >= 0.3 else [_km(km)]


def _closing(out: list[str], f: Mapping[str, float], r_sum: float, r_cnt: float, done: float, cancel: float) -> list[str]:
    if r_cnt > 0:
        out.append(f"满意度 {r_sum / r_cnt:.1f}（{r_cnt:.0f} 次评价）")
    if done + cancel > 0:
        out.append(f"完成率 {done / (done + cancel):.0%}")
    if f["spread"] < 0.7:
        out.append("近期已获较多推荐")
    return out


# Each takes (factors, raw columns in index.RAW_COLUMNS order, matched tags, km, context).
def volunteer(f, raw, matched, km, ctx: Context) -> list[str]:
    r_sum, r_cnt, done, cancel, slots, minutes = raw
    out = _opening("技能相符：", f, matched, km)
    if ctx.slots:
        out.append(ctx.free(slots & ctx.slots))
    if minutes >= 60:
        out.append(f"已认证服务 {minutes / 60:.0f} 小时")
    return _closing(out, f, r_sum, r_cnt, done, cancel)


def organization(f, raw, matched, km, ctx: Context) -> list[str]:
    r_sum, r_cnt, done, cancel, cap, open_ = raw
    out = _opening("技能相符：", f, matched, km)
    out.append(f"在办项目 {open_}/{cap}，尚有余力" if open_ < cap else f"已满负荷（{open_}/{cap}）")
    if f["professional"] >= 0.7:
        out.append(f"服务领域含{ctx.category}")
    return _closing(out, f, r_sum, r_cnt, done, cancel)


def social_worker(f, raw, matched, km, ctx: Context) -> list[str]:
    r_sum, r_cnt, done, cancel, labels, level = raw
    out = _opening("技能相符：", f, matched, km)
    out.append(LEVEL_NAMES.get(level, "社会工作者"))
    both = labels & ctx.group_mask
    if both:
        groups = [ctx.labels[b] for b in range(len(ctx.labels)) if both >> b & 1]
        out.append("擅长服务" + "、".join(ctx.group_names.get(g, g) for g in groups[:3]))
    return _closing(out, f, r_sum, r_cnt, done, cancel)


def resource(f, raw, matched, km, ctx: Context) -> list[str]:
    r_sum, r_cnt, done, cancel, rkind, remaining, restricted, t_until = raw
    out = _opening("用途相符：", f, matched, km)
    if rkind == 0:
        cover = "，覆盖预算" if ctx.budget and remaining >= ctx.budget else ""
        out.append(f"剩余资金 {remaining / 100:,.0f} 元{cover}")
    else:
        out.append(f"{KIND_NAMES[rkind]}剩余 {remaining:g}")
    if restricted:
        out.append(f"定向用于{ctx.category}")
    if t_until != INF:
        until = datetime.fromtimestamp(t_until, F.CHINA_TZ)
        out.append(f"有效期至 {until.month}月{until.day}日")
    return _closing(out, f, r_sum, r_cnt, done, cancel)


REASONS = {"volunteer": volunteer, "organization": organization, "social_worker": social_worker,
           "resource": resource}
