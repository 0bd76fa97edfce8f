"""Unit of work: one session, and the outbox rows written in the same transaction."""

from __future__ import annotations

import re
import uuid
from typing import Any, Callable, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from linkage.audit import AuditContext, write_audit_entries
from linkage.catalogue import check_outgoing
from linkage.errors import NotFound
from linkage.messages import encode, make_envelope
from linkage.models import OutboxEvent

TOMBSTONE = "tombstone"  # the outbox row's type for a null value
T = TypeVar("T")


def get_or_404(session: Session, model: type[T], ident: Any, what: str | None = None) -> T:
    """The row of `model` with this primary key, or NotFound naming it (DESIGN §7: 404 for an unknown id)."""
    return _found(session.get(model, ident), model, ident, what)


def lock_or_404(session: Session, model: type[T], ident: Any, what: str | None = None) -> T:
    """As get_or_404, with the row locked (SELECT ... FOR UPDATE) until the transaction ends."""
    return _found(session.get(model, ident, with_for_update=True), model, ident, what)  # a lock is always read anew


def _found(row: T | None, model: type[T], ident: Any, what: str | None) -> T:
    if row is None:
        label = what or _label(model)  # "need" -> the catalogue's "need.not_found" ("record.not_found" if none)
        raise NotFound(f"{label.replace(' ', '_')}.not_found", what=label, id=ident)
    return row


def _label(model: type) -> str:
    """HourEntry -> "hour entry": the name a 404 message gives a row."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


class UnitOfWork:
    """`with uow: ...; uow.commit()` — leaving the block without commit rolls everything back."""

    def __init__(
        self,
        session_factory: sessionmaker,
        source: str = "linkage-web",
        audit: Callable[[], "AuditContext | None"] | None = None,
    ):
        self._factory = session_factory
        self.source = source
        self._audit = audit
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> Session:
        """The open session; only inside `with uow:` (outside is a bug, not a state to handle)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `with uow:`")
        return self._session

    def __enter__(self) -> "UnitOfWork":
        self._session = self._factory()
        context = self._audit() if self._audit else None
        if context is not None:
            self.session.info["audit"] = context
        return self

    def __exit__(self, *exc) -> None:
        # close() rolls back whatever was not committed and detaches objects without expiring
        # them, so a route can still serialize what the service returned.
        self.session.close()
        self._session = None

    def commit(self) -> None:
        write_audit_entries(self.session)  # same transaction: no change without its audit row
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def get_or_404(self, model: type[T], ident: Any, what: str | None = None) -> T:
        return get_or_404(self.session, model, ident, what)

    def rollback(self) -> None:
        self.session.rollback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def emit(
        self, *, topic: str, key: str, type: str, subject: str, data: dict[str, Any], event_id: str | None = None
    ) -> dict[str, Any]:
        """Record an event to publish; it is sent only if this unit of work commits.

        The type must be catalogued (linkage.catalogue), on its own topic, with its data fields."""
        type = check_outgoing(type, topic, data).value
        envelope = make_envelope(type=type, source=self.source, subject=subject, data=data, event_id=event_id)
        context = self.session.info.get("audit")
        if context is not None and context.request_id:
            # CloudEvents extension attribute: the request that caused this event (docs/events.md).
            envelope["linkagerequestid"] = context.request_id
        self.session.add(
            OutboxEvent(event_id=envelope["id"], topic=topic, key=key, type=type, envelope=encode(envelope))
        )
        return envelope

    def tombstone(self, *, topic: str, key: str) -> None:
        """Record a key with a null value: a compacted topic then forgets everything under the key."""
        self.session.add(OutboxEvent(event_id=str(uuid.uuid4()), topic=topic, key=key, type=TOMBSTONE, envelope=None))
