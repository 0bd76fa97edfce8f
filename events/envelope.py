"""Reading CloudEvents 1.0 (structured JSON) off the wire: each way an event can be bad has its own error."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from linkage import codec
from linkage.catalogue import PROVIDER_KINDS, EventType, Types

REQUIRED = ("specversion", "id", "source", "type")
# Matched-event ids are derived from the need event id, so a redelivered need yields the same id.
MATCHED_NAMESPACE = uuid.UUID("5f0c7b1e-6a53-4d8e-9a53-6c1b7e0d2a91")
DEAD_LETTERED = Types.EVENT_DEADLETTERED


class EventError(Exception):
    """An event that no retry can fix: it goes to the dead-letter topic."""

    reason = "invalid"


class MalformedEvent(EventError):
    reason = "malformed"          # not UTF-8, not JSON, not a JSON object


class InvalidEnvelope(EventError):
    reason = "invalid_envelope"   # a CloudEvents attribute is missing or wrong


class UnknownEventType(EventError):
    reason = "unknown_type"


class InvalidEventData(EventError):
    reason = "invalid_data"       # the type is known but its data does not fit


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    subject: str
    time: str
    data: dict[str, Any]
    raw: dict[str, Any]


def _require(data: dict[str, Any], field: str, kinds: type | tuple[type, ...]) -> Any:
    value = data.get(field)
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise InvalidEventData(f"data.{field} must be {kinds}, got a boolean")
    if not isinstance(value, kinds):
        raise InvalidEventData(f"data.{field} is missing or not {getattr(kinds, '__name__', kinds)}")
    return value


def _number(data: dict[str, Any], field: str) -> float:
    number: float = _require(data, field, (int, float))
    return number


def check_need(data: dict[str, Any]) -> None:
    _require(data, "id", int)
    _number(data, "lat")
    _number(data, "lon")
    if not -90 <= data["lat"] <= 90 or not -180 <= data["lon"] <= 180:
        raise InvalidEventData("data.lat/lon are not WGS84 degrees")
    _require(data, "category", str)
    for field in ("skills", "target_groups"):
        if field in data and not isinstance(data[field], list):
            raise InvalidEventData(f"data.{field} must be a list")


def check_need_cancelled(data: dict[str, Any]) -> None:
    _require(data, "id", int)


def _provider_version(data: dict[str, Any]) -> None:
    """Optional: events written before providers had versions (or by hand) carry none, or null."""
    if data.get("version") is not None and (_require(data, "version", int) < 0):
        raise InvalidEventData("data.version must be a non-negative integer")


def check_provider_upserted(data: dict[str, Any]) -> None:
    if data.get("kind") not in PROVIDER_KINDS:
        raise InvalidEventData(f"data.kind must be one of {PROVIDER_KINDS}")
    provider = _require(data, "provider", dict)
    _require(provider, "id", int)
    _number(provider, "lat")
    _number(provider, "lon")
    _provider_version(data)


def check_provider_removed(data: dict[str, Any]) -> None:
    if data.get("kind") not in PROVIDER_KINDS:
        raise InvalidEventData(f"data.kind must be one of {PROVIDER_KINDS}")
    _require(data, "id", int)
    _provider_version(data)


def check_need_matched(data: dict[str, Any]) -> None:
    _require(data, "need_id", int)
    _require(data, "need_event_id", str)
    parse_time(_require(data, "ranked_at", str))
    matches = _require(data, "matches", dict)
    for kind, ranked in matches.items():
        if kind not in PROVIDER_KINDS or not isinstance(ranked, list):
            raise InvalidEventData(f"data.matches.{kind} is not a provider kind with a list")
        for entry in ranked:
            _check_ranked_entry(kind, entry)


_NUMBERS = frozenset({int, float})
_TEXT = frozenset({str})


def _check_ranked_entry(kind: str, entry: Any) -> None:
    """The shape the API serves a ranking in, as stored: checked once here, never per read.

    Exact type tests over sets of value types: 80 entries an event, so this stays a few
    microseconds an entry (bool, a subclass of int, is refused by `type(...) is`)."""
    if type(entry) is not dict:
        raise InvalidEventData(f"data.matches.{kind}[] must be an object")
    distance, factors, reasons = entry.get("distance_km"), entry.get("factors", {}), entry.get("reasons", [])
    if (type(entry.get("provider_id")) is not int or type(entry.get("name")) is not str
            or type(entry.get("score")) not in _NUMBERS
            or (distance is not None and type(distance) not in _NUMBERS)
            or type(factors) is not dict or not {type(v) for v in factors.values()} <= _NUMBERS
            or type(reasons) is not list or not {type(r) for r in reasons} <= _TEXT):
        raise InvalidEventData(f"data.matches.{kind}[] does not fit the ranked entry shape "
                               "(provider_id, name, score, distance_km, factors, reasons)")


# The types a consumer here can read, each with the check of its data (the catalogue lists its fields).
CHECKS: dict[EventType, Callable[[dict[str, Any]], None]] = {
    Types.NEED_POSTED: check_need,
    Types.NEED_UPDATED: check_need,
    Types.NEED_CANCELLED: check_need_cancelled,
    Types.PROVIDER_UPSERTED: check_provider_upserted,
    Types.PROVIDER_REMOVED: check_provider_removed,
    Types.NEED_MATCHED: check_need_matched,
}


def _catalogued_fields(found: EventType) -> Callable[[dict[str, Any]], None]:
    def check(data: dict[str, Any]) -> None:
        missing = [name for name in found.fields if name not in data]
        if missing:
            raise InvalidEventData(f"data lacks {', '.join(missing)}")
    return check


# Every other catalogued type is readable too (the notifier reads the projects and hours topics),
# checked for the fields the catalogue says its data always has; a consumer's `accept` still limits it.
for _found in EventType:
    CHECKS.setdefault(_found, _catalogued_fields(_found))


def parse(value: bytes | str | None, *, accept: tuple[str, ...] | None = None) -> Event:
    """Decode and validate one record value; `accept` limits the types this consumer handles."""
    if value is None:
        raise MalformedEvent("empty record (tombstone)")
    try:
        raw = codec.loads(value)  # bytes straight in: orjson checks the UTF-8 itself
    except ValueError as exc:
        raise MalformedEvent(f"not a UTF-8 JSON document: {exc}") from exc
    if not isinstance(raw, dict):
        raise MalformedEvent("a CloudEvent is a JSON object")
    for field in REQUIRED:
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise InvalidEnvelope(f"CloudEvents attribute '{field}' is missing or empty")
    if raw["specversion"] != "1.0":
        raise InvalidEnvelope(f"specversion {raw['specversion']!r} is not 1.0")
    content_type = raw.get("datacontenttype", "application/json")
    if not str(content_type).startswith("application/json"):
        raise InvalidEnvelope(f"datacontenttype {content_type!r} is not JSON")
    kind = raw["type"]
    if kind not in CHECKS or (accept is not None and kind not in accept):
        raise UnknownEventType(f"unknown event type {kind!r}")
    data = raw.get("data")
    if not isinstance(data, dict):
        raise InvalidEventData("data must be a JSON object")
    CHECKS[kind](data)
    return Event(id=raw["id"], type=kind, source=raw["source"], subject=str(raw.get("subject", "")),
                 time=str(raw.get("time", "")), data=data, raw=raw)


def parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEventData(f"{value!r} is not an RFC 3339 time") from exc
    if moment.tzinfo is None:
        raise InvalidEventData(f"{value!r} has no UTC offset")
    return moment


def matched_event_id(need_event_id: str) -> str:
    return str(uuid.uuid5(MATCHED_NAMESPACE, need_event_id))
