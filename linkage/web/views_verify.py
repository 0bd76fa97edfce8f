"""The public certificate check (no login): a box for the number on a paper certificate, and the verdict."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from linkage import formats
from linkage.errors import NotFound
from linkage.http.context import session as db_session
from linkage.services import certificates
from linkage.web.blueprint import bp
from linkage.web.i18n import t


def _typed_code(typed: str) -> str:
    """The number as people type or paste it: spaces, lower case, or the whole link of the QR code."""
    return "".join(typed.rsplit("/", 1)[-1].split()).upper()


@bp.get("/verify")
def verify():
    """The box (GET form); a typed number goes on to its own address, the one the QR code holds."""
    if "code" not in request.args:
        return render_template("verify.html", code="", view=None, error="")
    code = _typed_code(request.args["code"])
    if not code:
        return render_template("verify.html", code="", view=None, error=t("web.verify.empty")), 422
    return redirect(url_for("web.verify_certificate", code=code))


@bp.get("/verify/<code>")
def verify_certificate(code: str):
    """What the QR code of a certificate opens: valid or not, and what it vouches for (name masked)."""
    try:
        view = certificates.public_view(db_session(), certificates.get_certificate(db_session(), code))
    except NotFound:
        return render_template("verify.html", code=code, view=None, error="", not_found=True), 404
    return render_template(
        "verify.html", code=view["code"], view=view, error="", hours=formats.hours(view["verified_minutes"])
    )
