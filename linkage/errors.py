"""Domain errors as codes and parameters; the edge renders them in the reader's language (DESIGN §7)."""

from __future__ import annotations


class Message:
    """A message code and its parameters (e.g. "hours.overlap", record=7): text lives in the catalogues."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, **params):
        self.code, self.params = code, params

    def __str__(self) -> str:  # in the current request's language (linkage.i18n picks it)
        from linkage.i18n import text

        return text(self.code, self.params)

    def __repr__(self) -> str:
        return f"Message({self.code!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        return hash(self.code)


# Field errors: {field: [a code, or a Message with parameters, ...]}.
FieldErrors = dict[str, list["str | Message"]]


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, errors: FieldErrors | None = None, **params):
        super().__init__(code)
        self.code, self.params = code, params
        self.errors = errors or {}

    @property
    def message(self) -> str:
        """The message in the current request's language."""
        from linkage.i18n import text

        return text(self.code, self.params)


class InvalidInput(DomainError):
    status = 422


class Unauthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, code: str, errors: FieldErrors | None = None, *, retry_after: int = 60, **params):
        super().__init__(code, errors, **params)
        self.retry_after = retry_after  # seconds, for the Retry-After header and the form's message
