"""The certificate PDF carries its own Chinese font: every font embedded (pdffonts), the text readable (pdftotext)."""

from __future__ import annotations

import subprocess

from tests.integration.api.test_hours import log, past_activity, project_id, review  # noqa: F401 (fixture)


def pdf_fonts(path) -> list[dict]:
    """pdffonts' table as rows: name, then the emb / sub / uni columns (counted from the right: names may hold spaces)."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:  # a header line and a rule
        parts = line.split()
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def test_the_certificate_embeds_a_subset_of_a_chinese_font_and_its_text_reads_back(world, project_id, tmp_path):  # noqa: F811
    volunteer = world.ids["volunteer"]
    review(world, log(world, past_activity(world, project_id, days_ago=2), 90).json["id"])
    issued = world.call(
        "POST",
        f"/api/v1/volunteers/{volunteer}/certificates",
        "volunteer",
        json={},
        headers={"Accept": "application/pdf"},
    )
    assert issued.status_code == 201 and issued.mimetype == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(issued.data)

    fonts = pdf_fonts(path)
    assert fonts, "the certificate names no font"
    # A viewer without a Chinese font of its own shows blanks for a font that is not embedded.
    assert [f for f in fonts if f["emb"] != "yes"] == [], fonts
    assert all(f["sub"] == "yes" and f["uni"] == "yes" for f in fonts), fonts  # a subset, mapped to Unicode
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("志愿服务记录证明", "李明", "1.5 小时", "一、志愿者身份信息", "出具单位"):
        assert expected in text, (expected, text)
    # Its QR code, drawn in the same font-free way, still reads as the check link.
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")], capture_output=True, text=True, check=True
    ).stdout.split()
    base = world.platform.settings.public_base_url.rstrip("/")
    assert scanned == [f"{base}/verify/{issued.headers['X-Certificate-Code']}"]
