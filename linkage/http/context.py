"""Per-request access to the platform: the caller, a read session, a unit of work."""
from __future__ import annotations

from flask import current_app, g, request

from linkage.errors import Unauthenticated
from linkage.permissions import Actor
from linkage.platform import Platform
from linkage.services.accounts import actor_from_token


def platform() -> Platform:
    return current_app.extensions["linkage"]


def session():
    if "db" not in g:
        g.db = platform().read_session()
    return g.db


def close_session(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def optional_actor() -> Actor | None:
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            g.actor = None
        else:
            try:
                g.actor = actor_from_token(session(), platform().tokens, token.strip())
            finally:
                # End the read transaction: on SQLite it pins a snapshot, and a write later in this
                # request must be visible to the reads that follow it.
                session().rollback()
    return g.actor


def actor() -> Actor:
    """The authenticated caller, or 401."""
    who = optional_actor()
    if who is None:
        raise Unauthenticated("token.required")
    return who


def audit_context():
    """The audit trail's view of the current request: who, what, from where."""
    from flask import has_request_context

    from linkage.audit import AuditContext
    if not has_request_context():
        return None
    who = g.get("actor")
    return AuditContext(user_id=who.user_id if who else None,
                        username=who.username if who else "anonymous",
                        role=who.role if who else "public",
                        action=f"{request.method} {request.path}",
                        remote_addr=request.remote_addr or "", request_id=g.get("request_id", ""))
