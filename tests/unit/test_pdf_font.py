"""The PDFs' Chinese font: the package the code names is the one the scripts and the image install."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage.reports import fonts

ROOT = Path(__file__).resolve().parents[2]


def test_bootstrap_and_the_image_install_the_package_that_holds_the_font_file():
    bootstrap = (ROOT / "scripts" / "bootstrap").read_text(encoding="utf-8")
    assert f"[ -f {fonts.FONT_FILE} ] || missing+=({fonts.PACKAGE})" in bootstrap
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"apt-get install -y --no-install-recommends {fonts.PACKAGE}" in dockerfile


def test_a_missing_font_is_named_with_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_FILE", tmp_path / "absent.ttc")
    fonts.chinese_font.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match=f"apt-get install {fonts.PACKAGE}"):
            fonts.chinese_font()
    finally:
        fonts.chinese_font.cache_clear()
