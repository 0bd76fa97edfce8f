"""Messages as codes: the Babel catalogues in linkage/translations turn a code into the reader's text."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask import has_request_context, request, session

from linkage.errors import DomainError, Message

TRANSLATIONS = Path(__file__).parent / "translations"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"  # the pages, and anything said outside a request
# The API has always answered in English; a client asks for Chinese with Accept-Language: zh-CN.
API_DEFAULT_LOCALE = "en"
PAGE_LOCALES = {"zh": "zh_CN", "en": "en"}  # the pages' session switch -> a catalogue

# Messages of the libraries themselves (marshmallow, English), by how they begin -> a catalogue code.
LIBRARY_MESSAGES = (
    ("Missing data for required field", "lib.required"),
    ("Field may not be null", "lib.required"),
    ("Not a valid integer", "lib.integer"),
    ("Not a valid number", "lib.number"),
    ("Not a valid datetime", "lib.datetime"),
    ("Not a valid date", "lib.date"),
    ("Must be one of", "lib.one_of"),
    ("Length must be", "lib.length"),
    ("Shorter than minimum length", "lib.too_short"),
    ("Longer than maximum length", "lib.too_long"),
    ("Must be greater than or equal to", "lib.too_small"),
    ("Must be less than or equal to", "lib.too_large"),
    ("Unknown field", "lib.unknown_field"),
)


@lru_cache(maxsize=None)
def catalogue(locale: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


def known(code: str) -> bool:
    """`code` has an entry in the default catalogue."""
    return code in catalogue(DEFAULT_LOCALE)._catalog


def locale_for_request() -> str:
    """The API follows Accept-Language (English by default); the pages follow the session's switch."""
    if request.path.startswith("/api/"):
        wanted = request.accept_languages.best_match([loc.replace("_", "-") for loc in LOCALES])
        return (wanted or API_DEFAULT_LOCALE).replace("-", "_")
    return PAGE_LOCALES.get(session.get("lang"), DEFAULT_LOCALE)


def ours(locale) -> str:
    """One of LOCALES for a Babel locale or its name ("zh_Hans_CN", "zh" -> "zh_CN")."""
    name = str(locale or "")
    if name in LOCALES:
        return name
    language = name.replace("-", "_").split("_")[0]
    return next((loc for loc in LOCALES if loc.split("_")[0] == language), DEFAULT_LOCALE)


def current_locale() -> str:
    if has_request_context():
        from flask_babel import get_locale
        found = get_locale()
        if found is not None:
            return ours(found.language)
    return DEFAULT_LOCALE


# Parameters that name a state (need.not_claimable's status="open") read as the state's word, never the
# code name: a round's states have words of their own (round_open 申报中), everything else's are
# status_* (status_open 待匹配). `within` is the code a nested message belongs to.
STATE_PARAMS = ("status", "current", "target")
ROUND_CODES = ("round.", "review.")


def _worded(params: dict, locale: str, within: str) -> dict:
    """Parameters as the reader reads them: a Message in the same language, a state as its word."""
    words = catalogue(locale)._catalog
    prefix = "round_" if within.startswith(ROUND_CODES) else "status_"
    out = {}
    for name, value in params.items():
        if isinstance(value, Message):
            value = text(value.code, value.params, locale, within)
        elif name in STATE_PARAMS and isinstance(value, str):
            state = getattr(value, "value", value)
            value = words.get(prefix + state) or words.get("status_" + state) or state
        out[name] = value
    return out


def text(code: str, params: dict | None = None, locale: str | None = None, within: str | None = None) -> str:
    """The text of `code` in `locale` (the request's when None). Text that is not a code is
    returned as it is, except a library's own message, which has its code."""
    locale = ours(locale) if locale else current_locale()
    found = catalogue(locale)._catalog.get(code)
    if found is None and code.endswith(".not_found") and params and "what" in params:
        found = catalogue(locale)._catalog.get("record.not_found")  # uow.get_or_404 of a model without its own
    if found is None:
        if locale == DEFAULT_LOCALE:
            for start, library_code in LIBRARY_MESSAGES:
                if code.startswith(start):
                    return text(library_code, None, locale)
        return code
    # catalogue text escapes a literal % as %%
    return found % (_worded(params, locale, within or code) if params else {})


def render_message(message, locale: str | None = None, within: str | None = None):
    """A code, a Message, or a nest of them (marshmallow's field errors) as text; `within`: the code
    of the error they belong to (its states' words)."""
    if isinstance(message, Message):
        return text(message.code, message.params, locale, within)
    if isinstance(message, str):
        return text(message, None, locale, within)
    if isinstance(message, dict):
        return {key: render_message(value, locale, within) for key, value in message.items()}
    if isinstance(message, (list, tuple)):
        return [render_message(value, locale, within) for value in message]
    return message


def render(error: DomainError, locale: str | None = None) -> dict:
    """A domain error's message, field errors and code, in `locale`: the body's parts (DESIGN §7)."""
    body = {"message": text(error.code, error.params, locale), "reason": error.code}
    if error.errors:
        body["errors"] = render_message(error.errors, locale, error.code)
    return body


def init_i18n(app) -> None:
    """Flask-Babel picks each request's locale; templates get its `_`/`gettext` too."""
    from flask_babel import Babel
    Babel(app, locale_selector=locale_for_request, default_locale=DEFAULT_LOCALE,
          default_translation_directories=str(TRANSLATIONS))
