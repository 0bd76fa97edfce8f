"""The record-transfer export (转移接续) as an A4 PDF: the signed document's data and the signature's fingerprint."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from linkage.reports.fonts import chinese_font

KIND = {"credit": "信用时长", "honour": "荣誉时长"}


def signature_fingerprint(signature: str) -> str:
    """SHA-256 of the base64 signature text, first 32 hex digits in groups of four: what the PDF prints
    so a reader can match it with the JSON export's signature."""
    digest = hashlib.sha256(signature.encode()).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def render_transfer(signed: dict[str, Any]) -> bytes:
    """`signed` is services/transfer.build_export's answer; returns PDF bytes (as many pages as it takes)."""
    from linkage import formats

    document = signed["document"]
    buffer = io.BytesIO()
    font = chinese_font()
    page = canvas.Canvas(buffer, pagesize=A4, initialFontName=font)
    page.setTitle(f"志愿服务记录转移接续 {document['export_id']}")
    width, height = A4
    y = height - 28 * mm

    def line(text: str, size: float = 11, indent: float = 20, step: float = 6.5) -> None:
        nonlocal y
        if y < 30 * mm:
            page.showPage()
            y = height - 25 * mm
        page.setFont(font, size)
        page.drawString(indent * mm, y, text)
        y -= step * mm

    page.setFont(font, 20)
    page.drawCentredString(width / 2, y, "志愿服务记录转移接续凭证")
    y -= 14 * mm
    person, issuer, totals = document["volunteer"], document["issuer"], document["totals"]
    line("一、志愿者", 13)
    line(
        f"姓名：{person['name']}    证件号码：{person['id_number_masked']}    志愿者编号：{person['platform_id']}",
        indent=26,
    )
    line("二、已核实的志愿服务记录", 13)
    line(
        f"合计 {formats.hours(totals['minutes'])}（信用时长 {formats.hours(totals['credit_minutes'])}，"
        f"荣誉时长 {formats.hours(totals['honour_minutes'])}），共 {len(document['records'])} 条",
        indent=26,
    )
    for item in document["records"]:
        line(
            f"{formats.day(item['date'], always_year=True)}  {item['starts_at'][11:16]}–{item['ends_at'][11:16]}  "
            f"{formats.hours(item['minutes'])}  {KIND.get(item['kind'], item['kind'])}  "
            f"{item['organization'][:18]}  {item['activity'][:18]}",
            size=9,
            indent=26,
            step=5,
        )
        line(f"台账哈希 {item['hash']}", size=7, indent=30, step=5)
    line("三、出具平台与签名", 13)
    line(f"平台：{issuer['name']}  {issuer['url']}", indent=26)
    line(f"导出编号：{document['export_id']}    记录截至：{document['as_of'][:16].replace('T', ' ')}", indent=26)
    line(f"签名算法：{signed['algorithm']}    公钥指纹：", indent=26)
    line(issuer["key_fingerprint"], size=8, indent=30, step=5)
    line("签名指纹（签名文本的 SHA-256 前 32 位）：", indent=26)
    line(signature_fingerprint(signed["signature"]), size=9, indent=30)
    line("本凭证与同次导出的 JSON 文件及其签名文件内容一致；转入平台以 JSON 文件和签名核验为准。", size=9)
    page.showPage()
    page.save()
    return buffer.getvalue()
