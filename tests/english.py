"""English left on a zh-CN page: the one detector the browser tests share (tour, crawl, stories)."""

from __future__ import annotations

import re

# Latin words a Chinese page may show: names of things, units and codes, not sentences.
ALLOWED = {
    "linkage",
    "pdf",
    "qr",
    "id",
    "api",
    "uscc",
    "kafka",
    "json",
    "csv",
    "xlsx",
    "excel",  # 导出 Excel: the file format's name, as on every Chinese office's menu
    "gbk",  # the encoding Excel in China saves csv in (the import page names it)
    "url",
    "http",
    "https",
    "english",
    "cc",
    "by",
    "km",
    "am",
    "pm",
    "ai",
    "app",
    "wifi",
    "sms",
    "email",
    "ok",
    "vs",
    # the demo's account names and its people's login names, shown where a person is named
    "admin",
    "shequ",
    "zuzhi",
    "shegong",
    "zhiyuan",
    "shenji",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def english_words(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The Latin words of three or more letters in `text` that are neither allowed here nor in `allowed`.

    Codes (letters mixed with digits, e.g. a certificate number) and e-mail/URL fragments are skipped."""
    found = []
    for token in re.split(r"\s+", text):
        if any(ch.isdigit() for ch in token) or "@" in token or "://" in token or token.startswith("/"):
            continue
        for word in WORD.findall(token):
            bare = word.strip("'’-").lower()
            if bare and bare not in ALLOWED and bare not in allowed:
                found.append(word)
    return found
