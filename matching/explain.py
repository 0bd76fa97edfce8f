"""Short Chinese reasons a community worker can read off a ranked entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Hashable, Mapping, TypeVar

from linkage import formats
from linkage.taxonomy import QUALIFICATION_KINDS
from matching import features as F
from matching.store import LEAVES, Card

if TYPE_CHECKING:
    from matching.scorer import Query

T = TypeVar("T")
Phrases = dict[tuple[int, str], str]  # (slot mask, week) -> "本周六上午有空": many volunteers share a few masks
Serves = dict[int, str]  # shared label bits -> "擅长服务老年人"
Said = Mapping[int, "str | None"]  # profile -> its matched-tags phrase, for one need's tags
Builder = Callable[[list[list[float]], list[float], list[Card], Said, "Context"], list[list[str]]]

DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
PART_NAMES = ("上午", "下午", "晚上")
LEVEL_NAMES = {1.0: "高级社会工作师", 0.75: "社会工作师", 0.5: "助理社会工作师"}
EXPIRED_CERTIFICATE = "社工证已过期"  # said instead of the level when it expires before the need starts
SUPERVISED = "督导中"  # a current supervisor (督导) and a session both confirmed in the last 90 days
KIND_NAMES = ("资金", "物资", "场地", "服务")
INF = float("inf")


@dataclass
class Context:
    """What every entry of one rank() call shares: worked out once, not per entry."""

    slots: int
    week: str  # 本 / 下 / '' before a weekday name
    category: str
    budget: float
    group_mask: int
    labels: list[str]
    group_names: Mapping[str, str]
    phrases: Phrases
    serves: Serves
    start: float = 0.0  # the need's window, as leave is checked against it
    end: float = 0.0
    holds: str = ""  # "持有效急救证" when the need requires a qualification: every ranked entry has it
    now: float = 0.0  # when the ranking runs: 督导中 is read against it

    @classmethod
    def of(
        cls, q: Query, labels: list[str], group_names: Mapping[str, str], phrases: Phrases, serves: Serves
    ) -> Context:
        """`phrases` and `serves` are the index's memos: they outlive one rank() (bounded there)."""
        a = datetime.fromtimestamp(q.start, F.CHINA_TZ).isocalendar()
        b = datetime.fromtimestamp(q.now, F.CHINA_TZ).isocalendar()
        weeks = (a.year - b.year) * 53 + a.week - b.week
        start, end = q.start, q.end if q.end != INF else q.start + 3600
        name = QUALIFICATION_KINDS.get(q.qualification, (q.qualification,))[0] if q.qualification else ""
        return cls(
            q.slots,
            {0: "本", 1: "下"}.get(weeks, ""),
            str(q.need.get("category") or ""),
            q.budget,
            q.group_mask,
            labels,
            group_names,
            phrases,
            serves,
            start,
            end,
            f"持有效{name}" if name else "",
            q.now,
        )

    def free(self, mask: int) -> str:
        got = self.phrases.get((mask, self.week))
        if got is None:
            got = self.phrases[mask, self.week] = f"{_slots(mask, self.week)}有空" if mask else "需求时段未登记空闲"
        return got


def _slots(mask: int, prefix: str) -> str:
    names = [f"{prefix}{DAY_NAMES[b // 3]}{PART_NAMES[b % 3]}" for b in range(21) if mask >> b & 1]
    return "、".join(names[:2]) + ("等" if len(names) > 2 else "")


# --- cards: what a provider's reasons say whatever the need, worked out once per provider --
# A card is a tuple of the values the need-dependent phrases still read and the phrases that
# depend on the provider alone; the index makes it when the provider arrives and keeps it
# with the row (rows never change: a changed provider gets a new row). Each takes the raw
# values in store.EXPLAINED order.

_MEMO_LIMIT = 1 << 16  # phrases per memo; cleared when full (values repeat: ratings, counts)
_CLOSINGS: dict[tuple[float, ...], tuple[str, ...]] = {}
_PHRASES: dict[tuple[Any, ...], Any] = {}


def _memo(memo: dict[Any, T], key: Hashable, make: Callable[[], T]) -> T:
    """A phrase from a value-keyed memo; the memo is emptied when full rather than grown."""
    got = memo.get(key)
    if got is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        got = memo[key] = make()
    return got


def _closing(r_sum: float, r_cnt: float, done: float, cancel: float) -> tuple[str, ...]:
    """Rating and completion, the phrases every kind closes with."""
    out: tuple[str, ...] = ()
    if r_cnt > 0:
        out += (f"满意度 {r_sum / r_cnt:.1f}（{r_cnt:.0f} 次评价）",)
    if done + cancel > 0:
        out += (f"完成率 {done / (done + cancel):.0%}",)
    return out


def _until_phrase(t_until: float) -> str:
    """An expiry date always with its year: 12月31日 of next year would read as already past."""
    return f"有效期至 {formats.day(datetime.fromtimestamp(t_until, F.CHINA_TZ), always_year=True)}"


# Phrases come from value-keyed memos: many providers share a rating, a count or a date.


def volunteer_card(
    r_sum: float, r_cnt: float, done: float, cancel: float, slots: int, minutes: float, leave: int = 0
) -> tuple[int, int, tuple[str, ...]]:
    closing = _memo(_CLOSINGS, (r_sum, r_cnt, done, cancel), lambda: _closing(r_sum, r_cnt, done, cancel))
    if minutes >= 60:
        closing = _memo(
            _PHRASES, ("hours", minutes, closing), lambda: (f"已认证服务 {minutes / 60:.0f} 小时",) + closing
        )
    return int(slots), int(leave), closing


FILED = "已备案社区社会组织"  # a community social organization filed (备案) with its community, no USCC yet


def organization_card(
    r_sum: float, r_cnt: float, done: float, cancel: float, cap: int, open_: int, reg: float = 0.0
) -> tuple[str, tuple[str, ...]]:
    cap, open_ = int(cap), int(open_)
    room = _memo(
        _PHRASES,
        ("room", cap, open_),
        lambda: f"在办项目 {open_}/{cap}，尚有余力" if open_ < cap else f"已满负荷（{open_}/{cap}）",
    )
    closing = _memo(_CLOSINGS, (r_sum, r_cnt, done, cancel), lambda: _closing(r_sum, r_cnt, done, cancel))
    if reg == F.REGISTRATION["filed"]:
        closing = _memo(_PHRASES, ("filed", closing), lambda: (FILED,) + closing)
    return room, closing


def social_worker_card(
    r_sum: float,
    r_cnt: float,
    done: float,
    cancel: float,
    level: float,
    labels: int,
    cert_until: float = INF,
    sup_until: float = -INF,
) -> tuple[str, int, float, float, tuple[str, ...]]:
    return (
        LEVEL_NAMES.get(level, "社会工作者"),
        labels,
        cert_until,
        sup_until,
        _memo(_CLOSINGS, (r_sum, r_cnt, done, cancel), lambda: _closing(r_sum, r_cnt, done, cancel)),
    )


def resource_card(
    r_sum: float,
    r_cnt: float,
    done: float,
    cancel: float,
    rkind: int,
    remaining: float,
    restricted: bool,
    t_until: float,
    unit: str = "",
) -> tuple[bool, float, str, bool, tuple[str, ...]]:
    rkind = int(rkind)
    fund = rkind == 0
    left = _memo(
        _PHRASES,
        ("left", rkind, remaining, unit),
        lambda: (
            f"剩余资金 {formats.yuan(int(remaining))}"
            if fund
            else f"{KIND_NAMES[rkind]}剩余 {formats.quantity(remaining, unit)}"
        ),
    )
    closing = _memo(_CLOSINGS, (r_sum, r_cnt, done, cancel), lambda: _closing(r_sum, r_cnt, done, cancel))
    if t_until != INF:
        closing = _memo(_PHRASES, ("until", t_until, closing), lambda: (_until_phrase(t_until),) + closing)
    return fund, remaining, left, bool(restricted), closing


CARDS: dict[str, Callable[..., tuple[Any, ...]]] = {
    "volunteer": volunteer_card,
    "organization": organization_card,
    "social_worker": social_worker_card,
    "resource": resource_card,
}


# --- batch builders: the reasons of a whole top-k list, with no call per phrase ---------
# Each takes (rounded factor lists in FACTORS order, the entry's distance_km (the one distance
# its reason reads), cards as the index keeps
# them: (name, profile, card), the matched-tags phrase per profile, context) and returns one
# reason list per entry. The opening phrases are written out in each loop: a helper call
# per entry would cost more than the phrases.

BUSY = "近期已获较多推荐"  # only where the fairness term cost the entry a place: the index adds it
NEAR = "技能相近"
ON_LEAVE = "该时段不便（请假中）"  # the volunteer's leave overlaps the need's window: availability counts 0


def _entries(
    facs: list[list[float]],
    kms: list[float],
    cards: list[Card],
    said: Said,
    middle: Callable[[list[float], tuple[Any, ...]], list[str]],
) -> list[list[str]]:
    """The reasons every kind gives alike (tags or nearness, distance, closing words), around
    the kind's own middle part, which `middle` builds from the entry's factors and card details."""
    res = []
    for fac, km, (_, prof, details) in zip(facs, kms, cards):
        dist = "距离 " + formats.distance(km)
        tags = said[prof]
        out = [tags, dist] if tags else [NEAR, dist] if fac[0] >= 0.3 else [dist]
        out += middle(fac, details)
        out += details[-1]
        res.append(out)
    return res


def volunteers(
    facs: list[list[float]], kms: list[float], cards: list[Card], said: Said, ctx: Context
) -> list[list[str]]:
    slots_on, free, start, end = ctx.slots, ctx.free, ctx.start, ctx.end
    first = [ctx.holds] if ctx.holds else []

    def middle(fac: list[float], details: tuple[Any, ...]) -> list[str]:
        if details[1] and F.on_leave(LEAVES.items[details[1]], start, end):
            return first + [ON_LEAVE]
        return first + [free(details[0] & slots_on)] if slots_on else first

    return _entries(facs, kms, cards, said, middle)


def organizations(
    facs: list[list[float]], kms: list[float], cards: list[Card], said: Said, ctx: Context
) -> list[list[str]]:
    serves = f"服务领域含{ctx.category}"

    def middle(fac: list[float], details: tuple[Any, ...]) -> list[str]:
        return [details[0], serves] if fac[3] >= 0.7 else [details[0]]

    return _entries(facs, kms, cards, said, middle)


def social_workers(
    facs: list[list[float]], kms: list[float], cards: list[Card], said: Said, ctx: Context
) -> list[list[str]]:
    mask, labels, names, serves = ctx.group_mask, ctx.labels, ctx.group_names, ctx.serves
    start, now = ctx.start, ctx.now
    # 社工证 is the level they hold: it says so already
    first = [ctx.holds] if ctx.holds and ctx.holds != "持有效社工证" else []

    def middle(fac: list[float], details: tuple[Any, ...]) -> list[str]:
        lab, cert_until, sup_until = details[1], details[2], details[3]
        level = first + [details[0] if start < cert_until else EXPIRED_CERTIFICATE]
        if sup_until >= now:
            level.append(SUPERVISED)
        both = lab & mask
        if not both:
            return level
        got = serves.get(both)
        if got is None:
            groups = [labels[b] for b in range(len(labels)) if both >> b & 1]
            got = serves[both] = "擅长服务" + "、".join(names.get(g, g) for g in groups[:3])
        return level + [got]

    return _entries(facs, kms, cards, said, middle)


def resources(
    facs: list[list[float]], kms: list[float], cards: list[Card], said: Said, ctx: Context
) -> list[list[str]]:
    budget, earmark = ctx.budget, f"定向用于{ctx.category}"

    def middle(fac: list[float], details: tuple[Any, ...]) -> list[str]:
        fund, remaining, left, restricted = details[:4]
        out = [left + "，覆盖预算" if fund and budget and remaining >= budget else left]
        return out + [earmark] if restricted else out

    return _entries(facs, kms, cards, said, middle)


BATCH: dict[str, Builder] = {
    "volunteer": volunteers,
    "organization": organizations,
    "social_worker": social_workers,
    "resource": resources,
}
TAGS_SAY = {"resource": "用途相符："}  # what the matched tags are called; skills elsewhere
