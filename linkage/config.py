"""Settings read once from the environment (12-factor), at the edge: factory or worker main()."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from linkage.clock import LOCAL_ZONE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Development defaults; `LINKAGE_ENV=production` refuses to start without real secrets.
_DEV_SECRET = "dev-secret-change-me"
_DEV_FIELD_KEY = "dev-field-key-change-me"


@dataclass(frozen=True)
class Settings:
    database_url: str
    kafka_bootstrap_servers: str | None  # None: the embedded broker
    secret_key: str
    field_key: str
    env: str = "development"
    # The Ed25519 key that signs record-transfer exports (linkage.signing): a base64 seed from
    # `linkage keys signing-key`; empty: derived from secret_key (stable while it is).
    signing_key: str = ""
    platform_name: str = "Linkage 志愿服务记录平台"
    token_ttl_seconds: int = 12 * 3600
    # argon2id cost: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), ~25 ms of CPU a
    # login here; argon2-cffi's default (64 MiB, 3 passes) cost 153 ms, and at one login a
    # second that was a sixth of the web tier's CPU under load. Tests lower it further.
    password_time_cost: int = 2
    password_memory_kib: int = 19456
    timezone: str = LOCAL_ZONE
    public_base_url: str = "http://127.0.0.1:8000"
    embedded_broker_port: int = 19092
    # The largest request body read at all (413 above it, before parsing), and how many reverse
    # proxies stand in front of the app (their X-Forwarded-For/-Proto are trusted, no more).
    max_body_bytes: int = 1024 * 1024
    max_url_bytes: int = 4096  # a longer request target (path and query) is a 414
    proxies: int = 0
    # The broker's kind: "kafka" (Apache Kafka 4, KRaft) or "tansu" (the light embedded one).
    # `linkage run` / `linkage broker` start one when KAFKA_BOOTSTRAP_SERVERS is unset
    # (docs/operations.md says why Apache Kafka is the default); producers' settings differ
    # by kind (events.producer.BROKER_PRODUCER).
    broker_kind: str = "kafka"
    # Abuse limits (docs/security.md "Limits and the edge"). Failed logins, web and API alike,
    # counted per account and per client address over a window; then refused until it passes.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 9
    login_failure_window_seconds: int = 15 * 60
    # Request rates (Flask-Limiter notation, "N per minute; M per hour"), per client address
    # (per account for sign-ups); counted in the database so every gunicorn worker shares them.
    rate_limits_enabled: bool = True
    rate_limit_login: str = "30 per minute"
    rate_limit_evaluation: str = "10 per minute; 100 per day"
    rate_limit_certificate: str = "30 per minute"
    rate_limit_signup: str = "20 per hour"
    rate_limit_public: str = "300 per minute"
    # Residents' proposals and votes (议事协商): a meeting room may share one address, so more than evaluations
    rate_limit_consultation: str = "20 per minute; 500 per day"
    # Web sessions end after this long without a request (the 12 h absolute lifetime stays).
    session_idle_seconds: int = 30 * 60
    # Retention (PIPL art. 19: no longer than needed), in days; `linkage purge` and the relay's
    # daily run delete older sent outbox rows, dead letters and failed-login rows.
    retain_outbox_days: int = 7
    retain_dead_letters_days: int = 30
    retain_login_failures_days: int = 30
    # An import's uploaded file (plain-text ID numbers and phones) previewed but not committed is
    # cleared after this many hours (the batch is failed; its findings stay).
    retain_import_uploads_hours: int = 24
    # Check-in by the venue's code (现场签到码): a position the phone sends must be this close to
    # the need's place (metres).
    checkin_radius_m: int = 500
    # Filing (备案) of a community social organization: the fewest members a group lists, and how
    # often one address may file (the public form needs no account).
    filing_min_members: int = 3
    rate_limit_filing: str = "5 per minute; 30 per day"
    # Continuing education (继续教育) a social worker owes a year, in hours: 《社会工作者继续教育办法》
    # (民发〔2009〕123号) art. 7, 每年累计不少于72小时.
    sw_ce_hours_per_year: int = 72
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def bootstrap_servers(self) -> str:
        """Where Kafka clients connect: the configured cluster, or the embedded broker's port."""
        return self.kafka_bootstrap_servers or f"127.0.0.1:{self.embedded_broker_port}"

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def default_sqlite_url() -> str:
    INSTANCE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'linkage.db'}"


_LIMIT_SETTINGS = {  # environment variable -> Settings field (its type from the default)
    "LINKAGE_LOGIN_FAILURES_PER_ACCOUNT": "login_failures_per_account",
    "LINKAGE_LOGIN_FAILURES_PER_ADDRESS": "login_failures_per_address",
    "LINKAGE_LOGIN_FAILURE_WINDOW_SECONDS": "login_failure_window_seconds",
    "LINKAGE_RATE_LIMITS": "rate_limits_enabled",
    "LINKAGE_RATE_LIMIT_LOGIN": "rate_limit_login",
    "LINKAGE_RATE_LIMIT_EVALUATION": "rate_limit_evaluation",
    "LINKAGE_RATE_LIMIT_CERTIFICATE": "rate_limit_certificate",
    "LINKAGE_RATE_LIMIT_SIGNUP": "rate_limit_signup",
    "LINKAGE_RATE_LIMIT_PUBLIC": "rate_limit_public",
    "LINKAGE_RATE_LIMIT_CONSULTATION": "rate_limit_consultation",
    "LINKAGE_SESSION_IDLE_SECONDS": "session_idle_seconds",
    "LINKAGE_CHECKIN_RADIUS_M": "checkin_radius_m",
    "LINKAGE_FILING_MIN_MEMBERS": "filing_min_members",
    "LINKAGE_RATE_LIMIT_FILING": "rate_limit_filing",
    "LINKAGE_SW_CE_HOURS_PER_YEAR": "sw_ce_hours_per_year",
}


def _limits_from_env(env: Mapping[str, str]) -> dict:
    values: dict = {}
    for name, attr in _LIMIT_SETTINGS.items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        default = Settings.__dataclass_fields__[attr].default
        if isinstance(default, bool):
            values[attr] = raw.strip().lower() not in ("0", "false", "no", "off")
        else:
            values[attr] = type(default)(raw)
    return values


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("LINKAGE_ENV", "development")
    secret = env.get("SECRET_KEY") or (_DEV_SECRET if mode != "production" else "")
    field_key = env.get("LINKAGE_FIELD_KEY") or (_DEV_FIELD_KEY if mode != "production" else "")
    if mode == "production" and (not secret or not field_key):
        raise RuntimeError("LINKAGE_ENV=production needs SECRET_KEY and LINKAGE_FIELD_KEY")
    values = dict(
        database_url=env.get("DATABASE_URL") or default_sqlite_url(),
        kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        secret_key=secret or secrets.token_hex(32),
        field_key=field_key,
        signing_key=env.get("LINKAGE_SIGNING_KEY", ""),
        platform_name=env.get("LINKAGE_PLATFORM_NAME") or "Linkage 志愿服务记录平台",
        env=mode,
        public_base_url=env.get("LINKAGE_PUBLIC_URL", "http://127.0.0.1:8000"),
        embedded_broker_port=int(env.get("LINKAGE_BROKER_PORT", "19092")),
        broker_kind=env.get("LINKAGE_BROKER") or "kafka",
        max_body_bytes=int(env.get("LINKAGE_MAX_BODY_BYTES", str(1024 * 1024))),
        max_url_bytes=int(env.get("LINKAGE_MAX_URL_BYTES", "4096")),
        proxies=int(env.get("LINKAGE_PROXIES", "0")),
        **_limits_from_env(env),
        retain_outbox_days=int(env.get("LINKAGE_RETAIN_OUTBOX_DAYS", "7")),
        retain_dead_letters_days=int(env.get("LINKAGE_RETAIN_DEAD_LETTERS_DAYS", "30")),
        retain_login_failures_days=int(env.get("LINKAGE_RETAIN_LOGIN_FAILURES_DAYS", "30")),
        retain_import_uploads_hours=int(env.get("LINKAGE_RETAIN_IMPORT_UPLOADS_HOURS", "24")),
        # Matching weights and parameters, handed to matching.load_weights by the matcher.
        extra={k: v for k, v in env.items() if k.startswith(("LINKAGE_WEIGHT_", "LINKAGE_MATCHING_"))},
    )
    values.update(overrides)
    return Settings(**values)
