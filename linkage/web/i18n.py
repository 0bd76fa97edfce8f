"""The pages' `t(key)`, backed by the Babel catalogues: Chinese by default, English on request (session)."""

from __future__ import annotations

from flask import session

from linkage.i18n import PAGE_LOCALES, known, render_message, text
from linkage.taxonomy import CATEGORIES, QUALIFICATION_KINDS, TARGET_GROUPS, URGENCY

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def lang() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGS else "zh"


def locale() -> str:
    """The catalogue (linkage/translations) of the reader's language."""
    return PAGE_LOCALES[lang()]


def t(key: str, **values) -> str:
    """The page text of `key` in the reader's language, from the Babel catalogues."""
    return text(key, values, locale())


def localize(message, within: str | None = None) -> str:
    """A message code (or a library's own message) in the reader's language; data written
    "中文 / English" (the funding rubric's labels) shows the half in the reader's language."""
    if isinstance(message, str) and (" / " in message or "」/ " in message):
        zh, _, en = message.partition(" / ") if " / " in message else message.partition("/ ")
        return zh.strip() if lang() == "zh" else en.strip()
    return render_message(message, locale(), within)


def field_label(name: str) -> str:
    """A form field's label in the reader's language, or "" for a field without one (never its code name)."""
    return t(name) if known(name) else ""


def wait_in_words(seconds: int) -> str:
    """A wait as a person reads it: seconds under a minute, else whole minutes (rounded up)."""
    return t("wait.seconds", n=seconds) if seconds < 60 else t("wait.minutes", n=-(-seconds // 60))


def status_label(status: str | None) -> str:
    return t(f"status_{status}") if status and known(f"status_{status}") else (status or "")


def category_label(name: str) -> str:
    return name if lang() == "zh" else CATEGORIES.get(name, name)


def group_label(code: str) -> str:
    pair = TARGET_GROUPS.get(code)
    return code if pair is None else pair[0 if lang() == "zh" else 1]


def qualification_label(code: str) -> str:
    pair = QUALIFICATION_KINDS.get(code)
    return code if pair is None else pair[0 if lang() == "zh" else 1]


def urgency_label(code: str) -> str:
    pair = URGENCY.get(code)
    return code if pair is None else pair[0 if lang() == "zh" else 1]
