"""The platform's wiring: settings, database, security helpers; shared by web and workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from linkage.audit import AuditContext
from linkage.config import Settings
from linkage.db import make_engine, make_session_factory
from linkage.models.base import utcnow
from linkage.security import FieldCipher, Passwords, Tokens
from linkage.signing import Signer
from linkage.uow import UnitOfWork


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    read_sessions: sessionmaker
    write_sessions: sessionmaker
    passwords: Passwords
    tokens: Tokens
    cipher: FieldCipher
    source: str = "linkage-web"
    extras: dict = field(default_factory=dict)
    # Who is acting, for the audit trail: the web layer installs a provider reading the request;
    # workers install one naming themselves.
    audit_context: Callable[[], AuditContext | None] | None = None
    # "Now" for the abuse limits (login failures, request rates): tests move it instead of sleeping.
    clock: Callable[[], datetime] = utcnow

    @cached_property
    def signer(self) -> Signer:
        """The platform's Ed25519 key pair (record-transfer exports), made from the settings once."""
        return Signer(self.settings.signing_key, self.settings.secret_key)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.write_sessions, source=self.source, audit=self.audit_context)

    def read_session(self) -> Session:
        return self.read_sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def build_platform(settings: Settings, source: str = "linkage-web") -> Platform:
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(settings.field_key)
    read_sessions, write_sessions = make_session_factory(engine), make_session_factory(engine, writing=True)
    # Rules that read an encrypted field inside a service (a minor's age at sign-up, from the ID
    # number: services/eligibility.py) find the cipher in their session's info.
    for factory in (read_sessions, write_sessions):
        factory.configure(info={"cipher": cipher})
    return Platform(
        settings=settings,
        engine=engine,
        read_sessions=read_sessions,
        write_sessions=write_sessions,
        passwords=Passwords(settings.password_time_cost, settings.password_memory_kib),
        tokens=Tokens(settings.secret_key, settings.token_ttl_seconds),
        cipher=cipher,
        source=source,
    )
