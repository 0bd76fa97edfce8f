"""Health, readiness, the taxonomy, and the interactive API docs."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from linkage.http.context import platform
from linkage.http.headers import nonce
from linkage.taxonomy import (
    AVAILABILITY_SLOTS,
    CATEGORIES,
    CERTIFICATE_LEVELS,
    REGISTRATION,
    RESOURCE_KINDS,
    TARGET_GROUPS,
    URGENCY,
)

blp = Blueprint("meta", __name__)


@blp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    checks = {"database": _database_ready()}
    probe = current_app.config.get("LINKAGE_BROKER_PROBE")
    if probe is not None:
        checks["broker"] = bool(probe())
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), (200 if ready else 503)


def _database_ready() -> bool:
    try:
        with platform().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not ready"; the detail is in the logs
        current_app.logger.exception("database not ready")
        return False


@blp.get("/api/v1/categories")
def categories():
    def pairs(table):
        return [{"code": k, "name": v[0], "label": v[1]} for k, v in table.items()]

    return jsonify(
        categories=[{"name": k, "label": v} for k, v in CATEGORIES.items()],
        target_groups=pairs(TARGET_GROUPS), urgency=pairs(URGENCY),
        certificate_levels=pairs(CERTIFICATE_LEVELS), registration=pairs(REGISTRATION),
        resource_kinds=pairs(RESOURCE_KINDS), availability_slots=list(AVAILABILITY_SLOTS),
    )


def _swagger_dir() -> Path:
    import swagger_ui_bundle  # local: only the docs page needs the bundled assets
    return Path(swagger_ui_bundle.swagger_ui_path)


DOCS_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Linkage API 文档</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script nonce="{nonce}">window.ui = SwaggerUIBundle({{url: "/api/v1/openapi.json", dom_id: "#ui"}});</script>
</body></html>"""


@blp.get("/docs")
def docs():
    return DOCS_PAGE.format(nonce=nonce()), 200, {"Content-Type": "text/html; charset=utf-8"}


@blp.get("/docs/assets/<path:name>")
def docs_assets(name):
    return send_from_directory(_swagger_dir(), name)
