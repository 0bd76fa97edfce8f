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


VERIFY_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>志愿服务记录证明核验</title>
<style nonce="{nonce}">body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}
.ok{{color:#0a7d32}}.bad{{color:#b3261e}}dt{{color:#555}}dd{{margin:0 0 .6rem 0;font-size:1.1rem}}</style></head>
<body><h1>志愿服务记录证明核验</h1>{body}</body></html>"""


@blp.get("/verify/<code>")
def verify_page(code):
    """The page a certificate's QR code opens: public, masked, in Chinese."""
    from html import escape

    from linkage.errors import NotFound
    from linkage.http.context import session
    from linkage.services.certificates import get_certificate, public_view
    try:
        view = public_view(session(), get_certificate(session(), code))
    except NotFound:
        return VERIFY_PAGE.format(nonce=nonce(), body='<p class="bad">未找到该证明编号。</p>'), 404
    state = ('<p class="ok">✔ 有效证明</p>' if view["valid"]
             else '<p class="bad">✘ 与志愿服务记录账本不再一致，本证明不可采信</p>'
             if view["status"] == "ledger_mismatch"
             else f'<p class="bad">✘ 已撤销：{escape(view["revoked_reason"])}</p>')
    rows = "".join(f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in (
        ("证明编号", view["code"]), ("志愿者", view["volunteer_name"]),
        ("已核实服务时长", f'{view["verified_hours"]} 小时'), ("出具单位", view["issuer"]),
        ("出具日期", view["issued_on"])))
    return VERIFY_PAGE.format(nonce=nonce(), body=state + f"<dl>{rows}</dl>")
