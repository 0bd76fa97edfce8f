"""Every message code the code raises, and every page key it shows, has its text in both catalogues."""
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from linkage.errors import Conflict, Message
from linkage.i18n import LOCALES, TRANSLATIONS, render, text

ROOT = Path(__file__).resolve().parents[2]
# Migrations name tables and columns (["projects.id"]), never messages: left out of the scan.
SOURCES = [*sorted(p for p in (ROOT / "linkage").rglob("*.py") if "migrations" not in p.parts),
           *sorted((ROOT / "schemas").rglob("*.py")), ROOT / "app.py"]
TEMPLATES = sorted((ROOT / "linkage" / "web" / "templates").rglob("*.html"))
CODE = r"([a-z_]+\.[a-z_0-9]+(?:\.[a-z_0-9]+)*)"
# A code where a message is given: raised, wrapped in a Message, denied, listed as a field's error,
# or a constant holding one (AUDITOR_MAY_NOT = "perm.auditor").
RAISED = [
    re.compile(r"\b(?:InvalidInput|Unauthenticated|Forbidden|NotFound|Conflict|TooManyRequests|DomainError|"
               r"Message|_deny|localize|error_body\(\d+,)\(\s*\"" + CODE + "\""),
    re.compile(r"error_body\(\d+, \"" + CODE + "\""),
    re.compile(r"\[\"" + CODE + r"\"\]"),
    re.compile(r"^[A-Z_]+ = \"" + CODE + "\"", re.M),
    re.compile(r"\"[a-z_]+\": \"(id_number\.[a-z]+|perm\.[a-z_]+)\""),
]
PAGE_KEY = re.compile(r"\bt\(\s*['\"]([a-z_0-9.]+)['\"]")


def _catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _codes_in_sources() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        for pattern in RAISED:
            found.update(match for match in pattern.findall(source) if not match.endswith((".py", ".html")))
    return found


def _page_keys() -> set[str]:
    return {key for path in [*SOURCES, *TEMPLATES] for key in PAGE_KEY.findall(path.read_text(encoding="utf-8"))
            if not key.endswith("_")}  # t("status_" + x): a prefix, its keys are checked where they are known


def test_the_scan_finds_the_codes_it_should():
    """The scan itself works: a few codes known to be raised, wrapped, denied and listed are found."""
    found = _codes_in_sources()
    assert {"hours.overlap", "hours.overlaps_record", "perm.auditor", "field.required", "id_number.check",
            "request.invalid_input", "login.locked"} <= found
    assert len(found) > 150


@pytest.mark.parametrize("locale", LOCALES)
def test_every_code_raised_and_every_page_key_has_an_entry(locale):
    ids = {message.id for message in _catalogue(locale) if message.id}
    missing = (_codes_in_sources() | _page_keys()) - ids
    assert not missing, f"{locale} lacks {sorted(missing)}"


def test_both_catalogues_have_the_same_entries_with_the_same_placeholders():
    zh, en = (_catalogue(locale) for locale in ("zh_CN", "en"))
    assert {m.id for m in zh if m.id} == {m.id for m in en if m.id}
    placeholder = re.compile(r"%\((\w+)\)s")
    worded_apart = {"login.locked"}  # minutes in Chinese, seconds in English: both are passed
    for message in zh:
        if not message.id:
            continue
        assert message.string and en[message.id].string, f"no text for {message.id}"
        if message.id not in worded_apart:
            # Chinese may leave a parameter out (e.g. zxcvbn's English reason), never use one English lacks.
            assert set(placeholder.findall(message.string)) <= set(placeholder.findall(en[message.id].string)), \
                message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogues_are_those_of_the_po_files(locale):
    """The committed .mo files are what `pybabel compile -d linkage/translations` makes of the .po files."""
    compiled = BytesIO()
    write_mo(compiled, _catalogue(locale))
    compiled.seek(0)
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        committed = read_mo(handle)
    fresh = read_mo(compiled)
    assert {m.id: m.string for m in committed if m.id} == {m.id: m.string for m in fresh if m.id}


def test_a_domain_error_renders_in_either_language_with_its_code_as_the_reason():
    err = Conflict("hours.overlap", {"starts_at": [Message("hours.overlaps_record", record=7)]})
    assert render(err, "zh_CN") == {"message": "与该志愿者的另一条服务记录时间重叠", "reason": "hours.overlap",
                                    "errors": {"starts_at": ["与记录 7 重叠"]}}
    assert render(err, "en") == {"message": "this overlaps another record of this volunteer",
                                 "reason": "hours.overlap", "errors": {"starts_at": ["overlaps record 7"]}}


def test_text_that_is_not_a_code_stays_as_it_is_and_library_messages_get_chinese():
    assert text("Not a valid integer.", locale="en") == "Not a valid integer."
    assert text("Not a valid integer.", locale="zh_CN") == "请输入整数"
    assert text("100% of it", {"x": 1}, "zh_CN") == "100% of it"
    assert text("cofunding_pct", locale="zh_CN") == "配套资金比例（%）"


def test_an_unknown_id_of_any_model_has_a_message():
    """uow.get_or_404 names the model: its own code when the catalogue has one, else the general one."""
    assert text("need.not_found", {"what": "need", "id": 3}, "zh_CN") == "需求 3 不存在"
    assert text("hour_entry.not_found", {"what": "hour entry", "id": 3}, "en") == "hour entry 3 does not exist"


STATE_MESSAGES = [
    (Conflict("claim.decided", status="approved"), "这个认领已处于「已立项」状态"),
    (Conflict("need.not_claimable", status="claimed"), "处于「已认领」状态的需求不能认领"),
    (Conflict("hours.not_reviewable", status="verified"), "处于「已核实」状态的记录不能审核"),
    (Conflict("grant.not_active", status="closed"), "该资助处于「已结束」状态"),
    (Conflict("round.applications_closed", status="reviewing"), "本轮处于「评审中」阶段，已停止申报"),
]


@pytest.mark.parametrize(("error", "expected"), STATE_MESSAGES, ids=[e.code for e, _ in STATE_MESSAGES])
def test_a_state_named_in_a_message_reads_as_its_chinese_word(error, expected):
    assert render(error, "zh_CN")["message"] == expected


def test_a_state_in_a_nested_message_reads_as_the_word_of_the_errors_machine():
    """A round's "open" is 申报中 in the round's own error and in the field message under it, not a need's 待匹配."""
    error = Conflict("round.transition", {"to": [Message("transition.not_from", current="open")]},
                     current="open", target="closed")
    assert render(error, "zh_CN") == {"message": "处于「申报中」阶段的创投活动不能转为「已结项」", "reason": "round.transition",
                                      "errors": {"to": ["当前阶段「申报中」不能进行此操作"]}}


def test_no_chinese_message_names_a_state_by_its_code():
    """Every state a message may name has a Chinese word: the states of every lifecycle."""
    from linkage.models.funding import ApplicationStatus, GrantStatus, RoundStatus
    from linkage.models.hours import RecordStatus
    from linkage.models.needs import NeedStatus
    from linkage.models.projects import ClaimStatus, ProjectStatus, SignupStatus

    for machine in (ApplicationStatus, GrantStatus, RecordStatus, NeedStatus, ClaimStatus, ProjectStatus, SignupStatus):
        for state in machine:
            assert "「" + state.value + "」" not in render(Conflict("need.already", status=state.value), "zh_CN")["message"]
    for state in RoundStatus:
        assert state.value not in render(Conflict("round.not_awardable", status=state.value), "zh_CN")["message"]
