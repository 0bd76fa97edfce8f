"""Domain errors; the web layer maps each to its HTTP status in one place (DESIGN §7)."""
from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


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

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, *, retry_after: int = 60):
        super().__init__(message, errors)
        self.retry_after = retry_after  # seconds, for the Retry-After header and the form's message
