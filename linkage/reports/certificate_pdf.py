"""The 志愿服务记录证明 as a one-page A4 PDF: an embedded subset of a Chinese font, a QR code of the check link."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from linkage.reports import qr
from linkage.reports.fonts import chinese_font


def render_certificate(snapshot: dict) -> bytes:
    """`snapshot` holds everything printed (see services/certificates.py); returns PDF bytes."""
    from linkage import formats  # hours and dates as on the pages: 2.5 小时, 2026年12月3日

    buffer = io.BytesIO()
    font = chinese_font()
    page = canvas.Canvas(buffer, pagesize=A4, initialFontName=font)
    page.setTitle(f"志愿服务记录证明 {snapshot['code']}")
    width, height = A4
    y = height - 30 * mm

    page.setFont(font, 22)
    page.drawCentredString(width / 2, y, "志愿服务记录证明")
    y -= 10 * mm
    page.setFont(font, 10)
    page.drawCentredString(width / 2, y, f"证明编号：{snapshot['code']}")
    y -= 14 * mm

    def section(title: str, rows: list[tuple[str, str]]):
        nonlocal y
        page.setFont(font, 13)
        page.drawString(20 * mm, y, title)
        y -= 7 * mm
        page.setFont(font, 11)
        for label, value in rows:
            page.drawString(26 * mm, y, f"{label}：{value}")
            y -= 6.5 * mm
        y -= 3 * mm

    person = snapshot["volunteer"]
    section(
        "一、志愿者身份信息",
        [
            ("姓名", person["name"]),
            ("证件类型", person["document_type"]),
            ("证件号码", person["document_number_masked"]),
            ("志愿者编号", person["volunteer_code"]),
        ],
    )
    service = snapshot["service"]
    section(
        "二、志愿服务信息",
        [
            ("累计志愿服务时间", f"{formats.hours(service['minutes'])}（均已核实）"),
            *(
                [
                    (
                        "其中",
                        f"信用时长 {formats.hours(service['credit_minutes'])}（签到签退记录），"
                        f"荣誉时长 {formats.hours(service['honour_minutes'])}（补录及自行申报）",
                    )
                ]
                if "credit_minutes" in service  # certificates issued before the two kinds were told apart
                else []
            ),
            (
                "服务期间",
                f"{formats.day(service['first_date'], always_year=True)} 至 "
                f"{formats.day(service['last_date'], always_year=True)}",
            ),
        ],
    )
    page.setFont(font, 10)
    for item in service["items"][:18]:
        page.drawString(
            26 * mm,
            y,
            f"{formats.day(item['date'], always_year=True)}  {item['project'][:24]}  "
            f"{item['content'][:20]}  {formats.hours(round(item['hours'] * 60))}",
        )
        y -= 5.5 * mm
    if len(service["items"]) > 18:
        page.drawString(26 * mm, y, f"…… 另有 {len(service['items']) - 18} 条记录，详见核验链接")
        y -= 5.5 * mm
    y -= 4 * mm
    issuer = snapshot["issuer"]
    section(
        "三、出具单位信息",
        [
            ("出具单位", issuer["name"]),
            ("负责人", issuer["person_in_charge"]),
            ("经办人", issuer["handler"]),
            ("联系方式", issuer["contact"]),
        ],
    )
    section(
        "四、证明信息",
        [("证明编号", snapshot["code"]), ("出具日期", formats.day(snapshot["issued_on"], always_year=True))],
    )

    page.setFont(font, 9)
    page.drawString(
        20 * mm, 22 * mm, "本证明依据志愿服务记录出具，记录如有更正以核验结果为准。扫描二维码或访问链接核验："
    )
    page.drawString(20 * mm, 16 * mm, snapshot["verify_url"])
    qr.draw(page, snapshot["verify_url"], width - 52 * mm, 30 * mm, 32 * mm)
    page.showPage()
    page.save()
    return buffer.getvalue()
