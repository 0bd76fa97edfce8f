"""POST /auth/token: a bearer token for a username and password."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from linkage.http.context import actor, platform
from linkage.services.accounts import LoginPolicy, log_in, revoke_tokens
from schemas.auth import TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录 / log in")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
def issue_token(body):
    p = platform()
    with p.uow() as uow:
        token, user = log_in(uow, p.passwords, p.tokens, LoginPolicy.from_settings(p.settings), body["username"],
                             body["password"], request.remote_addr or "", p.clock())
    return {"access_token": token, "token_type": "Bearer", "expires_in": p.tokens.ttl_seconds,
            "role": user.role, "user_id": user.id, "community_id": user.community_id,
            "organization_id": user.organization_id, "volunteer_id": user.volunteer_id,
            "social_worker_id": user.social_worker_id}


@blp.route("/revoke", methods=["POST"])
@blp.response(204)
def revoke():
    """Log out everywhere: every token issued to you so far stops working."""
    who = actor()
    with platform().uow() as uow:
        revoke_tokens(uow, who)
