"""CSRF tokens for the mocks' HTML forms: one call protects every form on a blueprint.

Any page the developer visits can submit a form to 127.0.0.1, so a dashboard form that changes
state (purge, reset, ...) must prove it was rendered by the mock. Signed double submit: the
browser holds a random nonce in an HttpOnly, SameSite=Strict cookie and the form carries
HMAC(per-run secret, nonce). A cross-site page can neither read the form's token nor compute
one, and planting a cookie (cookies are shared across ports on one host) does not help without
the secret, which is fresh in every process.

Usage, in a blueprint factory::

    page = Blueprint("dashboard", __name__, template_folder="templates")
    protect_forms(page)

and in each ``<form method="post">`` of its templates: ``{{ csrf_field() }}``. Every POST, PUT,
PATCH and DELETE to the blueprint without a valid token is answered 403 before its view runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, Response, g, request
from markupsafe import Markup

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "protect_forms"]

CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "mockkit_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REFUSAL = (
    "Forbidden: this form's CSRF token is missing or stale. Reload the page and submit it "
    "again (the mock only accepts forms it rendered itself)."
)


def protect_forms(blueprint: Blueprint, secret: bytes | None = None) -> None:
    """Require a CSRF token on every state-changing request to ``blueprint``.

    Templates rendered by the blueprint's views get ``csrf_field()`` (the hidden input) and
    ``csrf_token()`` (the bare value, e.g. for a header). ``secret`` defaults to a fresh
    random one; pass one only in tests.
    """
    key = secret or secrets.token_bytes(32)

    def token_for(nonce: str) -> str:
        return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()

    def nonce() -> str:
        if "csrf_nonce" not in g:
            cookie = request.cookies.get(CSRF_COOKIE, "")
            g.csrf_new = not (16 <= len(cookie) <= 64 and cookie.isalnum())
            g.csrf_nonce = secrets.token_hex(16) if g.csrf_new else cookie
        return g.csrf_nonce

    def csrf_token() -> str:
        return token_for(nonce())

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token())

    @blueprint.before_request
    def check() -> Response | None:
        if request.method in SAFE_METHODS:
            return None
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
        if cookie and sent and hmac.compare_digest(sent, token_for(cookie)):
            return None
        return Response(_REFUSAL, 403, mimetype="text/plain")

    @blueprint.after_request
    def set_cookie(response: Response) -> Response:
        if g.get("csrf_new"):
            response.set_cookie(
                CSRF_COOKIE, g.csrf_nonce, httponly=True, samesite="Strict", path="/"
            )
        return response

    @blueprint.context_processor
    def helpers() -> dict:
        return {"csrf_field": csrf_field, "csrf_token": csrf_token}
