"""HTML forms through the API's marshmallow schemas, so a page shows the same errors the API returns."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError

from linkage.clock import LOCAL_TZ
from linkage.errors import DomainError
from linkage.web.i18n import localize


class FormError(Exception):
    """Field errors to show next to their inputs, and a message for the top of the form."""

    def __init__(self, errors: dict[str, list[str]], message: str = ""):
        super().__init__(message)
        self.errors, self.message = errors, message


def _flatten(messages) -> dict[str, list[str]]:
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in (messages if isinstance(messages, list) else [messages])]}
    flat = {}
    for field, value in messages.items():
        # list items ({"0": [...]}) and nested objects ({"0": {"slots": [...]}}) -> the field's own messages
        flat[field] = [localize(str(m)) for m in _leaves(value)]
    return flat


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [m for inner in value.values() for m in _leaves(inner)]
    if isinstance(value, list):
        return [m for inner in value for m in _leaves(inner)]
    return [value]


def load(schema: Schema, form, *, lists: tuple[str, ...] = (), multi: tuple[str, ...] = (),
         rename: dict[str, str] | None = None, extra: dict | None = None) -> dict:
    """Form fields -> schema input: empty inputs are left out, `lists` split on commas, `multi` checkboxes."""
    data: dict = {}
    for name in schema.fields:
        if schema.fields[name].dump_only:
            continue
        if name in multi:
            values = [v for v in form.getlist(name) if v]
            if values:
                data[name] = values
            continue
        raw = form.get(name, "").strip()
        if raw == "":
            continue
        data[name] = [p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()] \
            if name in lists else raw
    data.update(extra or {})
    try:
        return schema.load(data)
    except ValidationError as err:
        errors = _flatten(err.messages)
        for source, target in (rename or {}).items():
            if source in errors:
                errors[target] = errors.pop(source)
        raise FormError(errors) from None


def domain_form_error(err: DomainError, rename: dict[str, str] | None = None) -> FormError:
    errors = _flatten(err.errors) if err.errors else {}
    for source, target in (rename or {}).items():
        if source in errors:
            errors[target] = errors.pop(source)
    return FormError(errors, err.message)  # in the reader's language already


def local_input(moment: datetime | None) -> str:
    """A UTC datetime as the value of an <input type=datetime-local> in Beijing time."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""


def yuan_to_fen(form, name: str = "budget_yuan") -> dict:
    raw = form.get(name, "").strip()
    if not raw:
        return {}
    try:
        return {"budget_fen": round(float(raw) * 100)}
    except ValueError:
        raise FormError({name: [localize("form.amount")]}) from None


def fen_of(raw: str) -> int | None:
    """"2,000.50" yuan -> 200050 fen, exactly (no float); None if empty; ValueError if not an amount
    with at most two decimals."""
    raw = (raw or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(raw)
    return int(amount * 100)


def yuan_input(fen: int | None) -> str:
    """Fen as the value of a yuan input: 200000 -> "2000", 200050 -> "2000.50"."""
    if fen is None:
        return ""
    sign, fen = ("-" if fen < 0 else ""), abs(fen)
    return f"{sign}{fen // 100}" + (f".{fen % 100:02d}" if fen % 100 else "")
