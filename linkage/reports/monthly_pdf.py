"""The report (报表) as an A4 PDF: the workbook's sections as tables, with bar charts of needs by category
and hours by month, set in the embedded Chinese font (linkage/reports/fonts.py) so it renders anywhere."""

from __future__ import annotations

import io
import math
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from linkage.reports import report_xlsx as layout
from linkage.reports.fonts import chinese_font

SECTIONS = ("一、政策指标", "二、分区指标", "三、需求分类", "四、志愿服务", "五、项目状态", "六、资金")
CHART_WIDTH = 170 * mm
CHART_HEIGHT = 62 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=26, alignment=1),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10, leading=15, alignment=1),
        "h": ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=font, fontSize=8, leading=11, textColor=colors.grey, wordWrap="CJK"),
    }


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _table(font: str, styles: dict, headers: tuple, rows: list[tuple], totals: tuple | None = None) -> Table:
    body = [[Paragraph(str(h), styles["cell"]) for h in headers]]
    body += [[Paragraph(_number(v), styles["cell"]) for v in row] for row in rows]
    if totals is not None:
        body.append([Paragraph(_number(v), styles["cell"]) for v in totals])
    table = Table(body, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if totals is not None:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")))
    table.setStyle(TableStyle(style))
    return table


def _sums(rows: list[tuple], columns: range) -> list[Any]:
    return [sum(row[i] for row in rows) for i in columns]


def bar_chart(font: str, title: str, labels: list[str], series: list[list[float]], names: list[str]) -> Drawing:
    """A vertical bar chart, its labels in the Chinese font (a legend line under the title)."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT, initialFontName=font)  # else the renderer starts in Helvetica
    drawing.add(String(0, CHART_HEIGHT - 12, title, fontName=font, fontSize=10))
    palette = (
        colors.HexColor("#4e79a7"),
        colors.HexColor("#f28e2b"),
        colors.HexColor("#59a14f"),
        colors.HexColor("#e15759"),
    )
    x = CHART_WIDTH - 60 * len(names)
    for index, name in enumerate(names):  # the legend: a swatch in the bars' colour, then the name
        drawing.add(
            Rect(x + 60 * index, CHART_HEIGHT - 12, 8, 8, fillColor=palette[index % len(palette)], strokeColor=None)
        )
        drawing.add(String(x + 60 * index + 11, CHART_HEIGHT - 11, name, fontName=font, fontSize=8))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 28, CHART_WIDTH - 40, CHART_HEIGHT - 50
    chart.data = [values or [0] for values in series] if labels else [[0]]
    chart.categoryAxis.categoryNames = labels or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max((v for values in series for v in values), default=0)
    chart.valueAxis.valueMax = max(top * 1.15, 1)
    chart.valueAxis.valueStep = (
        max(1, math.ceil(top / 5)) if all(float(v).is_integer() for values in series for v in values) else None
    )  # counts: whole steps
    chart.barSpacing = 1
    for index in range(len(chart.data)):
        chart.bars[index].fillColor = palette[index % len(palette)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    return drawing


def render_report_pdf(report: dict[str, Any]) -> bytes:
    """The report (services/reports.compile_report) as PDF bytes."""
    font = chinese_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    title = f"{layout.report_title(report)}（{report['period']['title']}）"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="五社联动平台",
        initialFontName=font,
    )
    period = report["period"]
    story: list[Any] = [
        Paragraph(layout.report_title(report), styles["title"]),
        Paragraph(f"统计范围：{layout.scope_label(report)}　　统计期间：{period['title']}", styles["sub"]),
        Paragraph(
            f"起止：{layout.local_time(period['start'])} 至 {layout.local_time(period['end'])}（北京时间）"
            f"　　生成时间：{layout.local_time(report['generated_at'])}",
            styles["sub"],
        ),
        Spacer(1, 4 * mm),
    ]
    figures = report["stats"]
    values = figures["indicators"]

    story.append(Paragraph(SECTIONS[0], styles["h"]))
    rows = [
        (
            label,
            figures["attainment"][name]["value"],
            figures["attainment"][name]["target"],
            f"{figures['attainment'][name]['ratio']:.0%}",
            "达标" if figures["attainment"][name]["met"] else "未达标",
        )
        for name, label in layout.TARGET_LABELS.items()
    ]
    story.append(_table(font, styles, ("指标", "数值", "目标", "达成率", "是否达标"), rows))
    story.append(Spacer(1, 2 * mm))
    story.append(
        Paragraph(
            f"社会组织 {values['organizations']} 个，社工 {values['social_workers']} 名，志愿者 {values['volunteers']} 名，"
            f"本期活跃志愿者 {values['volunteers_active']} 名；本期发布需求 {values['needs_posted']} 个，"
            f"已匹配 {values['needs_matched']} 个，已完成 {values['needs_completed']} 个。"
            + "".join(f"{label} {values[key]} 个，" for label, key in layout.GROWTH_COUNTS).rstrip("，")
            + "（本年自北京时间1月1日起至本期末）。",
            styles["cell"],
        )
    )

    story.append(Paragraph(SECTIONS[1], styles["h"]))
    unit_rows = [
        (
            name,
            v["population"],
            v["organizations"],
            v["social_workers"],
            v["volunteers"],
            v["needs_posted"],
            v["needs_completed"],
            round(layout.hours(v["volunteer_minutes_verified"]), 2),
        )
        for name, v in layout.units(report)
    ]
    story.append(
        _table(
            font,
            styles,
            ("单位", "常住人口", "社会组织", "社工", "志愿者", "发布需求", "已完成", "核实时长（小时）"),
            unit_rows,
            ("合计", *_sums(unit_rows, range(1, 8))),
        )
    )
    growth_rows = [(name, *(v[key] for _, key in layout.GROWTH_COUNTS)) for name, v in layout.units(report)]
    story.append(Spacer(1, 2 * mm))
    story.append(
        _table(
            font,
            styles,
            ("单位", *(label for label, _ in layout.GROWTH_COUNTS)),
            growth_rows,
            ("合计", *_sums(growth_rows, range(1, 1 + len(layout.GROWTH_COUNTS)))),
        )
    )

    cats = report["categories"]
    cat_rows = [(c["category"], c["posted"], c["matched"], c["claimed"], c["completed"]) for c in cats]
    story.append(
        KeepTogether(
            [  # the section's title, chart and table on one page
                Paragraph(SECTIONS[2], styles["h"]),
                bar_chart(
                    font,
                    "各类别需求（本期发布 / 已完成）",
                    [c["category"] for c in cats],
                    [[c["posted"] for c in cats], [c["completed"] for c in cats]],
                    ["发布需求", "已完成"],
                ),
                _table(
                    font,
                    styles,
                    ("服务类别", "发布需求", "已匹配", "已认领", "已完成（已服务）"),
                    cat_rows,
                    ("合计", *_sums(cat_rows, range(1, 5))),
                ),
            ]
        )
    )

    trailing = report["hours_trailing"]
    month_rows = [
        (
            m["month"],
            round(layout.hours(m["minutes_recorded"]), 2),
            round(layout.hours(m["minutes_verified"]), 2),
            m["volunteers_active"],
        )
        for m in report["hours_by_month"]
    ]
    story.append(
        KeepTogether(
            [
                Paragraph(SECTIONS[3], styles["h"]),
                bar_chart(
                    font,
                    "近十二个月志愿服务时长（小时）",
                    [m["month"][2:] for m in trailing],
                    [
                        [round(layout.hours(m["minutes_recorded"]), 1) for m in trailing],
                        [round(layout.hours(m["minutes_verified"]), 1) for m in trailing],
                    ],
                    ["记录时长", "核实时长"],
                ),
                _table(
                    font,
                    styles,
                    ("月份", "记录时长（小时）", "核实时长（小时）", "活跃志愿者（人）"),
                    month_rows,
                    ("合计", *_sums(month_rows, range(1, 3)), values["volunteers_active"]),
                ),
            ]
        )
    )

    story.append(Paragraph(SECTIONS[4], styles["h"]))
    project_rows = [(layout.PROJECT_STATES.get(p["status"], p["status"]), p["count"]) for p in report["projects"]]
    story.append(
        _table(font, styles, ("项目状态", "项目数"), project_rows, ("合计", *_sums(project_rows, range(1, 2))))
    )

    story.append(Paragraph(SECTIONS[5], styles["h"]))
    fund_rows = [
        (
            name,
            layout.yuan(v["funds_awarded_fen"]),
            layout.yuan(v["funds_disbursed_fen"]),
            layout.yuan(v["funds_spent_fen"]),
        )
        for name, v in layout.units(report)
    ]
    story.append(
        _table(
            font,
            styles,
            ("单位", "资助金额（元）", "已拨付（元）", "已支出（元）"),
            fund_rows,
            ("合计", *_sums(fund_rows, range(1, 4))),
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            "口径：需求按发布时间计入期间，其匹配、认领、完成情况截至生成时；服务时长按服务开始时间计入；"
            "资金按台账记账时间计入，已冲销的不计；组织、社工、志愿者为期末前登记且仍在册者。",
            styles["note"],
        )
    )
    doc.build(story)
    return buffer.getvalue()
