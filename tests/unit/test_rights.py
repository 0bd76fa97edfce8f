"""The pieces of the PIPL duties that need no database: the notice, ages from ID numbers, the ledger's hashed fields."""

from __future__ import annotations

from datetime import date

from linkage.models import HourEntry
from linkage.notice import current_notice, current_version
from linkage.services.consents import age_on, needs_guardian
from linkage.validators import id_number_check_char


def _id(born: str) -> str:
    body = f"120116{born}001"
    return body + id_number_check_char(body)


def test_the_hour_ledger_hashes_no_name_phone_or_id_number():
    # Erasure anonymises those fields; were any hashed, every erased volunteer's chain would break.
    personal = {"name", "phone", "id_number", "id_number_cipher", "id_number_digest", "lat", "lon", "username"}
    assert not personal & set(HourEntry.HASHED)
    assert set(HourEntry.HASHED) <= {c.name for c in HourEntry.__table__.columns}


def test_age_comes_from_the_birth_date_in_the_id_number():
    number = _id("20120615")
    assert age_on(number, date(2026, 6, 14)) == 13 and needs_guardian(number, date(2026, 6, 14))
    assert age_on(number, date(2026, 6, 15)) == 14 and not needs_guardian(number, date(2026, 6, 15))
    assert age_on("not an id number") is None and not needs_guardian("not an id number")


def test_the_current_notice_has_a_version_and_a_chinese_text():
    notice = current_notice()
    assert notice["version"] == current_version() and notice["title"]
    assert "监护人" in notice["text"] and "删除" in notice["text"]
