"""The report (报表) as an xlsx workbook: a cover, then one sheet per section with Chinese headers and a
totals row of real =SUM formulas a clerk can check, written through linkage/spreadsheets.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linkage.clock import LOCAL_TZ
from linkage.spreadsheets import SUM, Sheet, write_xlsx

LEVELS = {"all": "全部辖区", "district": "区", "street": "街道", "community": "社区"}
PROJECT_STATES = {
    "approved": "已立项",
    "in_progress": "实施中",
    "completed": "已完成",
    "evaluated": "已结项",
    "cancelled": "已取消",
}
TARGET_LABELS = {
    "organizations_per_10k": "每万人社会组织数",
    "social_workers_per_community": "每社区社工数",
    "community_organizations_per_community": "每社区社区社会组织数",
    # the seeds' growth targets (services/stats.py GROWTH_TARGETS; organizations_per_10k is above)
    "new_community_organizations_per_community": "每社区本年新培育社区社会组织数",
    "brand_organizations_per_district": "每区品牌社会组织数",
    "organizations_with_social_workers_per_street": "每街道本年引入社工的社会组织数",
}
# The growth counts behind those ratios, summed over the units (分区指标) like the other counts.
GROWTH_COUNTS = (
    ("本年新培育社区社会组织", "new_community_organizations"),
    ("品牌社会组织", "brand_organizations"),
    ("本年引入社工的社会组织", "organizations_with_social_workers"),
)
SHEETS = ("封面", "政策指标", "分区指标", "需求分类", "志愿服务", "项目状态", "资金")
HOURS = "0.00"
YUAN = "#,##0.00"


def report_title(report: dict[str, Any]) -> str:
    """五社联动月报 or 年报, as the cover and the PDF call it."""
    return "五社联动年报" if report["period"]["kind"] == "year" else "五社联动月报"


def scope_label(report: dict[str, Any]) -> str:
    """e.g. 街道：和平街道 (the level, then the place)."""
    scope = report["scope"]
    if scope["level"] == "all":
        return LEVELS["all"]
    return f"{LEVELS[scope['level']]}：{scope['name']}"


def local_time(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def hours(minutes: int) -> float:
    return minutes / 60


def yuan(fen: int) -> float:
    return fen / 100


def units(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The rows under the scope (its streets, communities, …), or the scope itself when it has none."""
    figures = report["stats"]
    if figures["breakdown"]:
        return [(row["name"], row["indicators"]) for row in figures["breakdown"]]
    return [(report["scope"]["name"], figures["indicators"])]


def _cover(report: dict[str, Any]) -> Sheet:
    period = report["period"]
    rows = [
        ("报表名称", report_title(report)),
        ("统计范围", scope_label(report)),
        ("统计期间", f"{period['title']}（{period['label']}）"),
        ("起止时间", f"{local_time(period['start'])} 至 {local_time(period['end'])}（北京时间，不含止时）"),
        ("包含社区数", report["scope"]["communities"]),
        ("生成时间", f"{local_time(report['generated_at'])}（北京时间）"),
        ("数据来源", "联动平台业务记录，与数据看板（/stats/linkage?period=）同源同口径"),
        ("说明", "各分表末行“合计”为 Excel 公式，可自行核对"),
    ]
    return Sheet("封面", ("项目", "内容"), rows, widths=(16, 60))


def _indicators(report: dict[str, Any]) -> Sheet:
    figures = report["stats"]
    values = figures["indicators"]
    rows: list[tuple[Any, ...]] = []
    for name, label in TARGET_LABELS.items():
        got = figures["attainment"][name]
        rows.append((label, got["value"], got["target"], got["ratio"], "达标" if got["met"] else "未达标"))
    plain = (
        ("常住人口", "population"),
        ("社会组织数", "organizations"),
        ("社工数", "social_workers"),
        ("社区社会组织数", "community_organizations"),
        ("志愿者数", "volunteers"),
        ("每万人志愿者数", "volunteers_per_10k"),
        ("活跃志愿者数（本期有服务时长）", "volunteers_active"),
        ("本期发布需求", "needs_posted"),
        ("其中已匹配", "needs_matched"),
        ("其中已认领", "needs_claimed"),
        ("其中已完成（已服务）", "needs_completed"),
        ("本期评价数", "evaluations"),
        ("平均满意度", "mean_satisfaction"),
        *((f"{label}数", key) for label, key in GROWTH_COUNTS),
    )
    rows += [(label, values[key], None, None, None) for label, key in plain]
    rows.append(("本期核实服务时长（小时）", hours(values["volunteer_minutes_verified"]), None, None, None))
    return Sheet(
        "政策指标",
        ("指标", "数值", "目标", "达成率", "是否达标"),
        rows,
        widths=(32, 14, 10, 10, 10),
        number_formats={3: "0%"},
    )


def _units(report: dict[str, Any]) -> Sheet:
    total = report["stats"]["indicators"]
    rows = [
        (
            name,
            v["population"],
            v["organizations"],
            v["social_workers"],
            v["community_organizations"],
            v["volunteers"],
            v["needs_posted"],
            v["needs_matched"],
            v["needs_claimed"],
            v["needs_completed"],
            hours(v["volunteer_minutes_verified"]),
            v["organizations_per_10k"],
            v["social_workers_per_community"],
            *(v[key] for _, key in GROWTH_COUNTS),
        )
        for name, v in units(report)
    ]
    return Sheet(
        "分区指标",
        (
            "单位",
            "常住人口",
            "社会组织",
            "社工",
            "社区社会组织",
            "志愿者",
            "发布需求",
            "已匹配",
            "已认领",
            "已完成",
            "核实时长（小时）",
            "每万人社会组织",
            "每社区社工",
            *(label for label, _ in GROWTH_COUNTS),
        ),
        rows,
        widths=(22,) + (12,) * 12 + (16,) * len(GROWTH_COUNTS),
        totals=(
            "合计",
            *([SUM] * 10),
            total["organizations_per_10k"],
            total["social_workers_per_community"],
            *([SUM] * len(GROWTH_COUNTS)),
        ),
        number_formats={10: HOURS},
    )


def _categories(report: dict[str, Any]) -> Sheet:
    rows = [(c["category"], c["posted"], c["matched"], c["claimed"], c["completed"]) for c in report["categories"]]
    return Sheet(
        "需求分类",
        ("服务类别", "发布需求", "已匹配", "已认领", "已完成（已服务）"),
        rows,
        widths=(16, 12, 12, 12, 16),
        totals=("合计", SUM, SUM, SUM, SUM),
    )


def _hours(report: dict[str, Any]) -> Sheet:
    rows = [
        (m["month"], hours(m["minutes_recorded"]), hours(m["minutes_verified"]), m["volunteers_active"])
        for m in report["hours_by_month"]
    ]
    # Active volunteers do not add up over months (one person serves in several): the period's own count.
    active = report["stats"]["indicators"]["volunteers_active"]
    return Sheet(
        "志愿服务",
        ("月份", "记录时长（小时）", "核实时长（小时）", "活跃志愿者（人）"),
        rows,
        widths=(12, 18, 18, 18),
        totals=("合计", SUM, SUM, active),
        number_formats={1: HOURS, 2: HOURS},
    )


def _projects(report: dict[str, Any]) -> Sheet:
    rows = [(PROJECT_STATES.get(p["status"], p["status"]), p["count"]) for p in report["projects"]]
    return Sheet("项目状态", ("项目状态", "项目数"), rows, widths=(16, 12), totals=("合计", SUM))


def _funds(report: dict[str, Any]) -> Sheet:
    rows = [
        (name, yuan(v["funds_awarded_fen"]), yuan(v["funds_disbursed_fen"]), yuan(v["funds_spent_fen"]))
        for name, v in units(report)
    ]
    return Sheet(
        "资金",
        ("单位", "资助金额（元）", "已拨付（元）", "已支出（元）"),
        rows,
        widths=(22, 18, 18, 18),
        totals=("合计", SUM, SUM, SUM),
        number_formats={1: YUAN, 2: YUAN, 3: YUAN},
    )


def render_workbook(report: dict[str, Any]) -> bytes:
    """The report (services/reports.compile_report) as xlsx bytes, sheets in SHEETS order."""
    return write_xlsx(
        [
            _cover(report),
            _indicators(report),
            _units(report),
            _categories(report),
            _hours(report),
            _projects(report),
            _funds(report),
        ]
    )
