"""Lists as spreadsheets (导出): the columns of every exportable list, defined once, with Chinese
headers and Chinese labels for the codes the pages show in Chinese; the rows are the list's own JSON
items (already filtered, permitted and masked by the service and its schema), never re-read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from linkage.clock import LOCAL_TZ
from linkage.i18n import DEFAULT_LOCALE, known, text
from linkage.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Sheet, write_csv, write_xlsx
from linkage.taxonomy import (
    CERTIFICATE_LEVELS,
    QUALIFICATION_KINDS,
    REGISTRATION,
    RESOURCE_KINDS,
    TARGET_GROUPS,
    URGENCY,
)

# An export holds every matching row up to this many; past it the file says so (a 说明 sheet in
# xlsx, the X-Export-Truncated header on both) and the caller narrows the filters.
EXPORT_CAP = 10_000
FORMATS = ("xlsx", "csv")

Label = Callable[[Any], Any]


def zh(code: str) -> str:
    """A catalogue code in Chinese (exports are Chinese documents whatever the reader's language)."""
    return text(code, None, DEFAULT_LOCALE)


def status(value: Any) -> Any:
    """A status code as the pages show it (状态: 待审核, 已完成, …); an unknown code stays as it is."""
    return zh(f"status_{value}") if value and known(f"status_{value}") else value


def prefixed(prefix: str) -> Label:
    """A code looked up as `prefix + code` in the catalogue (e.g. role_, invitation_status_)."""

    def label(value: Any) -> Any:
        return zh(f"{prefix}{value}") if value and known(f"{prefix}{value}") else value

    return label


def pairs(table: dict[str, tuple[str, str]]) -> Label:
    """A code (or a list of codes) of a taxonomy catalogue as its Chinese name."""

    def label(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [table[v][0] if v in table else v for v in value]
        return table[value][0] if value in table else value

    return label


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def when(value: Any) -> Any:
    """An ISO date-time of the JSON as China's wall clock, to the minute (2026-12-03 09:30)."""
    if isinstance(value, datetime):
        moment = value.astimezone(LOCAL_TZ) if value.tzinfo else value
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and _ISO.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return when(moment)
    return value


def yuan(value: Any) -> Any:
    """Money kept in fen (分) as yuan (元) with two decimals."""
    return (Decimal(value) / 100).quantize(Decimal("0.01")) if isinstance(value, int) else value


def yes_no(value: Any) -> Any:
    return {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else value


@dataclass(frozen=True)
class Column:
    """One column: the JSON item's key, its Chinese header, and how a value reads in the file."""

    key: str
    header: str
    label: Label | None = None

    def value(self, item: dict[str, Any]) -> Any:
        raw = item.get(self.key)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # 5 km, not 5.0, in both formats
        return self.label(raw) if self.label is not None and raw is not None else raw


@dataclass(frozen=True)
class Table:
    """An exportable list: its Chinese title (the sheet's and the file's name) and its columns."""

    title: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def rows(self, items: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
        for item in items:
            yield [column.value(item) for column in self.columns]


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    filename: str
    mimetype: str
    rows: int
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > self.rows


def export_file(table: Table, items: Sequence[dict[str, Any]], total: int, fmt: str, stamp: str) -> ExportFile:
    """`items` (at most EXPORT_CAP of the `total` that match) as an xlsx or csv named
    `<title>-<stamp>.<fmt>`; a cut-short xlsx says so on a 说明 sheet."""
    items = list(items)[:EXPORT_CAP]
    filename = f"{table.title}-{stamp}.{fmt}"
    if fmt == "csv":
        return ExportFile(write_csv(table.headers, table.rows(items)), filename, CSV_MIMETYPE, len(items), total)
    sheets = [Sheet(table.title, table.headers, table.rows(items), widths=[14] * len(table.columns))]
    if total > len(items):
        sheets.append(
            Sheet(
                "说明",
                ["说明"],
                [
                    [
                        f"共 {total} 条符合条件，本文件只含前 {len(items)} 条"
                        f"（导出上限 {EXPORT_CAP} 条）；请缩小筛选范围后分批导出。"
                    ]
                ],
            )
        )
    return ExportFile(write_xlsx(sheets), filename, XLSX_MIMETYPE, len(items), total)


# ---- the lists -------------------------------------------------------------------------------

group = pairs(TARGET_GROUPS)
qualification = pairs(QUALIFICATION_KINDS)

NEEDS = Table(
    "需求列表",
    (
        Column("id", "编号"),
        Column("title", "标题"),
        Column("community_name", "社区"),
        Column("category", "服务类别"),
        Column("status", "状态", status),
        Column("urgency", "紧急程度", pairs(URGENCY)),
        Column("target_groups", "服务对象", group),
        Column("skills", "所需技能"),
        Column("qualification_required", "所需资质", qualification),
        Column("starts_at", "开始时间", when),
        Column("ends_at", "结束时间", when),
        Column("volunteers_needed", "所需志愿者人数"),
        Column("hours_estimate", "预计时长（小时）"),
        Column("budget_fen", "预算（元）", yuan),
        Column("description", "说明"),
        Column("created_at", "发布时间", when),
    ),
)

PROJECTS = Table(
    "项目列表",
    (
        Column("id", "编号"),
        Column("title", "项目名称"),
        Column("category", "服务类别"),
        Column("status", "状态", status),
        Column("need_id", "需求编号"),
        Column("organization_id", "社会组织编号"),
        Column("community_id", "社区编号"),
        Column("lead_social_worker_id", "负责社工编号"),
        Column("created_at", "创建时间", when),
        Column("started_at", "开始时间", when),
        Column("completed_at", "完成时间", when),
        Column("cancel_reason", "取消原因"),
    ),
)

COMMUNITIES = Table(
    "社区列表",
    (
        Column("id", "编号"),
        Column("code", "社区代码"),
        Column("name", "社区名称"),
        Column("district", "区"),
        Column("street", "街道"),
        Column("households", "户数"),
        Column("population", "人口"),
    ),
)

ORGANIZATIONS = Table(
    "社会组织名录",
    (
        Column("id", "编号"),
        Column("name", "名称"),
        Column("uscc", "统一社会信用代码"),
        Column("registration", "登记方式", pairs(REGISTRATION)),
        Column("categories", "服务类别"),
        Column("skills", "专长"),
        Column("district", "区"),
        Column("community_id", "社区编号"),
        Column("service_radius_km", "服务半径（公里）"),
        Column("capacity", "服务能力"),
        Column("contact_name", "联系人"),
        Column("contact_phone", "联系电话"),
        Column("active", "在册", yes_no),
    ),
)

SOCIAL_WORKERS = Table(
    "社会工作者名录",
    (
        Column("id", "编号"),
        Column("name", "姓名"),
        Column("certificate_level", "职业水平", pairs(CERTIFICATE_LEVELS)),
        Column("specialties", "专长"),
        Column("organization_id", "所属社会组织编号"),
        Column("service_radius_km", "服务半径（公里）"),
        Column("active", "在册", yes_no),
    ),
)

VOLUNTEERS = Table(
    "志愿者名册",
    (
        Column("id", "编号"),
        Column("code", "志愿者编号"),
        Column("name", "姓名"),
        Column("phone", "手机号"),
        Column("id_number_masked", "身份证号"),
        Column("skills", "技能"),
        Column("community_id", "社区编号"),
        Column("travel_radius_km", "服务半径（公里）"),
        Column("active", "在册", yes_no),
    ),
)

RESOURCES = Table(
    "慈善资源名录",
    (
        Column("id", "编号"),
        Column("name", "名称"),
        Column("donor", "捐赠方"),
        Column("kind", "类型", pairs(RESOURCE_KINDS)),
        Column("amount_fen", "金额（元）", yuan),
        Column("remaining_fen", "剩余金额（元）", yuan),
        Column("quantity", "数量"),
        Column("remaining_quantity", "剩余数量"),
        Column("unit", "单位"),
        Column("restricted_categories", "限定服务类别"),
        Column("available_from", "可用起始", when),
        Column("available_until", "可用截止", when),
        Column("description", "说明"),
        Column("active", "在册", yes_no),
    ),
)

PROVIDERS = {
    "organization": ORGANIZATIONS,
    "social_worker": SOCIAL_WORKERS,
    "volunteer": VOLUNTEERS,
    "resource": RESOURCES,
}

HOURS = Table(
    "志愿服务记录",
    (
        Column("id", "记录编号"),
        Column("volunteer_id", "志愿者编号"),
        Column("organization_id", "社会组织编号"),
        Column("project_id", "项目编号"),
        Column("activity_id", "活动编号"),
        Column("starts_at", "开始时间", when),
        Column("ends_at", "结束时间", when),
        Column("minutes", "时长（分钟）"),
        Column("content", "服务内容"),
        Column("status", "状态", status),
        Column("reason", "说明"),
    ),
)

NOTIFICATIONS = Table(
    "通知",
    (
        Column("id", "编号"),
        Column("text", "内容"),
        Column("created_at", "时间", when),
        Column("read_at", "已读时间", when),
    ),
)

AUDIT = Table(
    "审计日志",
    (
        Column("id", "编号"),
        Column("at", "时间", when),
        Column("username", "用户"),
        Column("role", "角色", prefixed("role_")),
        Column("action", "操作"),
        Column("object_type", "对象类型"),
        Column("object_id", "对象编号"),
        Column("change", "变更"),
        Column("fields", "字段"),
        Column("reason", "原因"),
        Column("remote_addr", "来源地址"),
        Column("request_id", "请求编号"),
    ),
)

# A funding round's public ledger (公示台账): exactly the figures of /funding/<id>/public — the
# round's totals, each grant's award, disbursements (拨付) and spending (支出), and its budget lines.
LEDGER = Table(
    "公益创投公示台账",
    (
        Column("kind", "类型"),
        Column("title", "项目"),
        Column("organization", "社会组织"),
        Column("community", "社区"),
        Column("category", "服务类别"),
        Column("status", "状态"),
        Column("line", "预算科目"),
        Column("budget_fen", "预算（元）", yuan),
        Column("awarded_fen", "资助金额（元）", yuan),
        Column("disbursed_fen", "已拨付（元）", yuan),
        Column("spent_fen", "已支出（元）", yuan),
        Column("milestones", "里程碑（已验收/共）"),
    ),
)


def ledger_items(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of LEDGER from linkage.services.funding.supervision.public_summary (nothing else)."""
    items: list[dict[str, Any]] = [
        {
            "kind": "活动合计",
            "title": summary["name"],
            "status": prefixed("round_")(summary["status"]),
            "budget_fen": summary["budget_fen"],
            "awarded_fen": summary["awarded_fen"],
            "disbursed_fen": summary["disbursed_fen"],
            "spent_fen": summary["spent_fen"],
        }
    ]
    for grant in summary["grants"]:
        shared = {
            "title": grant["title"],
            "organization": grant["organization"],
            "community": grant["community"],
            "category": grant["category"],
        }
        items.append(
            {
                **shared,
                "kind": "项目",
                "status": prefixed("grant_")(grant["status"]),
                "awarded_fen": grant["awarded_fen"],
                "disbursed_fen": grant["disbursed_fen"],
                "spent_fen": grant["spent_fen"],
                "milestones": f"{grant['milestones_accepted']}/{grant['milestones']}",
            }
        )
        items.extend(
            {
                **shared,
                "kind": "预算科目",
                "line": line["name"],
                "budget_fen": line["budget_fen"],
                "disbursed_fen": line["disbursed_fen"],
                "spent_fen": line["spent_fen"],
            }
            for line in grant["lines"]
        )
    return items


# ---- lists only the pages show (their rows are built from the page's own query results) --------

ACTIVITIES = Table(
    "活动列表",
    (
        Column("id", "编号"),
        Column("title", "活动名称"),
        Column("place", "地点"),
        Column("role", "岗位"),
        Column("starts_at", "开始时间", when),
        Column("ends_at", "结束时间", when),
        Column("slots", "名额"),
        Column("taken", "已报名"),
        Column("distance_km", "距离（公里）"),
        Column("cancelled", "已取消", yes_no),
        Column("my_status", "我的报名", status),
    ),
)


def activity_items(rows: Iterable[dict[str, Any]], mine: dict[int, Any]) -> list[dict[str, Any]]:
    """/activities' rows ({"activity", "distance_km", "taken"}) and the reader's own sign-ups."""
    items = []
    for row in rows:
        activity = row["activity"]
        signup = mine.get(activity.id)
        items.append(
            {
                "id": activity.id,
                "title": activity.title,
                "place": activity.place,
                "role": activity.role,
                "starts_at": activity.starts_at,
                "ends_at": activity.ends_at,
                "slots": activity.slots,
                "taken": row.get("taken"),
                "distance_km": row.get("distance_km"),
                "cancelled": activity.cancelled,
                "my_status": signup.status if signup else None,
            }
        )
    return items


SIGNUPS = Table(
    "我的报名",
    (
        Column("activity_id", "活动编号"),
        Column("title", "活动名称"),
        Column("place", "地点"),
        Column("starts_at", "开始时间", when),
        Column("ends_at", "结束时间", when),
        Column("status", "状态", status),
        Column("position", "候补位次"),
    ),
)


def signup_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """/me/signups' rows ({"signup", "activity", "position"})."""
    return [
        {
            "activity_id": r["activity"].id,
            "title": r["activity"].title,
            "place": r["activity"].place,
            "starts_at": r["activity"].starts_at,
            "ends_at": r["activity"].ends_at,
            "status": r["signup"].status,
            "position": r["position"],
        }
        for r in rows
    ]


INVITATIONS = Table(
    "我的邀请",
    (
        Column("id", "编号"),
        Column("need", "需求"),
        Column("activity", "活动"),
        Column("message", "留言"),
        Column("status", "状态", prefixed("invitation_status_")),
        Column("created_at", "邀请时间", when),
        Column("answered_at", "答复时间", when),
    ),
)


def invitation_items(
    rows: Iterable[Any], needs: dict[int, Any], activities: dict[int, Any], closed: set[int]
) -> list[dict[str, Any]]:
    """/invitations' rows; a pending one whose need or activity closed reads 已过期, as on the page."""
    return [
        {
            "id": i.id,
            "need": needs[i.need_id].title if i.need_id in needs else None,
            "activity": activities[i.activity_id].title if i.activity_id in activities else None,
            "message": i.message,
            "status": "expired" if i.id in closed else i.status,
            "created_at": i.created_at,
            "answered_at": i.answered_at,
        }
        for i in rows
    ]


ROUNDS = Table(
    "公益创投活动",
    (
        Column("id", "编号"),
        Column("name", "活动名称"),
        Column("status", "状态", prefixed("round_")),
        Column("budget_fen", "预算（元）", yuan),
        Column("cap_fen", "单个项目上限（元）", yuan),
        Column("priority_categories", "优先服务类别"),
        Column("created_at", "发布时间", when),
    ),
)


def round_items(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """/funding's rounds (public: the page shows them to everyone)."""
    return [
        {
            "id": r.id,
            "name": r.name,
            "status": r.status,
            "budget_fen": r.budget_fen,
            "cap_fen": r.cap_fen,
            "priority_categories": list(r.priority_categories or ()),
            "created_at": r.created_at,
        }
        for r in rows
    ]


# Hour records per organization or community and month (工时汇总): linkage.services.hour_reports.
HOURS_REPORT = Table(
    "志愿服务工时汇总",
    (
        Column("id", "记录编号"),
        Column("volunteer_code", "志愿者编号"),
        Column("volunteer_name", "志愿者"),
        Column("organization_name", "社会组织"),
        Column("project_title", "项目"),
        Column("activity_id", "活动编号"),
        Column("starts_at", "开始时间", when),
        Column("ends_at", "结束时间", when),
        Column("minutes", "时长（分钟）"),
        Column("content", "服务内容"),
        Column("status", "状态", status),
    ),
)
