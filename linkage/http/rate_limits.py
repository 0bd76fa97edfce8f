"""Request rate limits (Flask-Limiter), counted in the app's own database so every worker shares them."""
from __future__ import annotations

import hashlib
import itertools
import math
import time
from typing import Callable

from flask import Flask, current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from linkage.config import Settings
from linkage.errors import Message, Unauthenticated
from linkage.models import RateLimitCounter

# Which requests count against which limit: (limit, endpoints, methods, whom it counts). A limit
# shared by several endpoints keeps one counter for them (the API and its page count together).
LIMITED = (
    ("login", ("auth.issue_token", "web.login"), ("POST",), "address"),
    ("evaluation", ("projects.Evaluations", "web.evaluate"), ("POST",), "address"),
    ("certificate", ("hours.check_certificate", "web.verify_certificate"), ("GET",), "address"),
    ("signup", ("activities.ActivitySignups", "web.sign_up"), ("POST",), "account"),
    ("filing", ("filings.Filings", "web.new_filing"), ("POST",), "address"),
    # residents' proposals and votes (议事协商): a one-time code guessed per address, as evaluations
    ("consultation", ("consultations.Proposals", "consultations.Votes", "web.consult_propose", "web.consult_vote"),
     ("POST",), "address"),
)
# Never limited: probes, metrics and static files (cheap, and watched by machines, not people).
EXEMPT = ("meta.healthz", "meta.readyz", "metrics", "static", "web.static", "meta.docs_assets")
STORAGE_URI = "linkage+db://"
TOO_MANY_PAGE = "linkage_too_many_page"  # app.extensions key: the pages' 429 (wait in seconds -> HTML)


class DatabaseStorage(Storage):
    """A `limits` storage over one table (`rate_limit_counters`): fixed windows, atomic upserts.

    No Redis or memcached runs beside the platform, and the in-memory store would give each gunicorn
    worker its own counters; the database every worker already shares is the honest shared store."""

    STORAGE_SCHEME = ["linkage+db"]
    _PURGE_EVERY = 500  # increments between sweeps of expired counters

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *, engine=None,
                 clock: Callable[[], float] | None = None, **options):
        if engine is None:
            raise ConfigurationError("linkage+db:// needs the platform's engine in storage_options")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine = engine
        self._clock = clock or time.time
        self._table = RateLimitCounter.__table__
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._increments = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _fit(key: str) -> str:
        return key if len(key) <= 255 else key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now, c = self._clock(), self._table.c
        lapsed = c.expires_at <= now
        stmt = self._insert(self._table).values(key=self._fit(key), count=amount, expires_at=now + expiry)
        stmt = stmt.on_conflict_do_update(index_elements=[c.key], set_={
            "count": case((lapsed, amount), else_=c.count + amount),
            "expires_at": case((lapsed, now + expiry), else_=c.expires_at),
        }).returning(c.count)
        with self._engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            if next(self._increments) % self._PURGE_EVERY == 0:
                conn.execute(delete(self._table).where(c.expires_at <= now))
        return count

    def get(self, key: str) -> int:
        c = self._table.c
        with self._engine.connect() as conn:
            found = conn.execute(select(c.count).where(c.key == self._fit(key), c.expires_at > self._clock()))
            return found.scalar() or 0

    def get_expiry(self, key: str) -> float:
        c = self._table.c
        now = self._clock()
        with self._engine.connect() as conn:
            found = conn.execute(select(c.expires_at).where(c.key == self._fit(key), c.expires_at > now))
            return found.scalar() or now

    def check(self) -> bool:
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine.begin() as conn:
            return conn.execute(delete(self._table)).rowcount

    def clear(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(self._table).where(self._table.c.key == self._fit(key)))


def _account_or_address() -> str:
    """Sign-ups count per account (a volunteer behind a shared address is not their neighbour)."""
    who = g.get("actor")
    if who is None and request.path.startswith("/api/"):
        from linkage.http.context import optional_actor
        who = optional_actor()
    if who is None and session.get("uid") is not None:
        return f"user:{session['uid']}"
    return f"user:{who.user_id}" if who is not None and who.user_id else get_remote_address()


def _signed_in() -> bool:
    """Public-page limits are for people without an account: a signed-in request is exempt."""
    if request.path.startswith("/api/"):
        from linkage.http.context import optional_actor
        try:
            return optional_actor() is not None
        except Unauthenticated:  # a revoked token counts as public; _require_token answers it elsewhere
            return False
    return session.get("uid") is not None


def _too_many(err: RateLimitExceeded):
    """429: the JSON error shape on the API, a Chinese page elsewhere (when the pages are served:
    linkage.web gives it under TOO_MANY_PAGE); Retry-After on both."""
    from linkage.http.errors import error_body
    limiter: Limiter = current_app.extensions["linkage_limiter"]
    wait = retry_after(limiter)
    page = current_app.extensions.get(TOO_MANY_PAGE)
    if request.path.startswith("/api/") or page is None:
        response = error_body(429, Message("request.too_many", wait=wait))
    else:
        response = current_app.make_response((page(wait), 429))
    response.headers["Retry-After"] = str(wait)
    return response


def retry_after(limiter: Limiter) -> int:
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, math.ceil(limit.window[0] - current_app.extensions["linkage"].clock().timestamp()))


def init_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """After every route is registered: wraps the limited endpoints, sets the public default."""
    platform = app.extensions["linkage"]
    app.config.update(RATELIMIT_ENABLED=settings.rate_limits_enabled)
    limiter = Limiter(get_remote_address, app=app, storage_uri=STORAGE_URI, strategy="fixed-window",
                      storage_options={"engine": platform.engine,
                                       "clock": lambda: platform.clock().timestamp()},
                      # One counter per address over every public request (not one per page).
                      application_limits=[settings.rate_limit_public],
                      application_limits_exempt_when=_signed_in)
    for endpoint in EXEMPT:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.exempt(app.view_functions[endpoint])
    for name, endpoints, methods, whom in LIMITED:
        shared = limiter.shared_limit(getattr(settings, f"rate_limit_{name}"), scope=name,
                                      methods=list(methods),
                                      key_func=_account_or_address if whom == "account" else get_remote_address)
        for endpoint in endpoints:
            if endpoint in app.view_functions:  # the API and the pages may each be served alone
                app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["linkage_limiter"] = limiter
    return limiter
