"""CSRF tokens for every HTML form of mockkit (mocks and harness).

Any page the developer visits can submit a form to 127.0.0.1, so a dashboard form that changes
state (purge, reset, retry...) must prove it was rendered by the server. Signed double submit:
the browser holds a random nonce in an HttpOnly, SameSite=Strict cookie and the form carries
HMAC(per-run secret, nonce). A cross-site page can neither read the form's token nor compute
one, and planting a cookie (cookies are shared across ports on one host) does not help without
the secret, which is fresh in every process.

Usage, in a blueprint factory::

    page = Blueprint("dashboard", __name__, template_folder="templates")
    protect_forms(page)

and in each ``<form method="post">`` of its templates: ``{{ csrf_field() }}``. Every POST, PUT,
PATCH and DELETE to the blueprint without a valid token is answered 403 before its view runs.
When another blueprint's view renders those forms too, :meth:`FormGuard.offer` the helpers to
the whole app.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, Flask, Response, g, request
from markupsafe import Markup

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "FormGuard", "protect_forms"]

CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "mockkit_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REFUSAL = (
    "Forbidden: this form's CSRF token is missing or stale. Reload the page and submit it "
    "again (the server only accepts forms it rendered itself)."
)


class FormGuard:
    """One secret; the check for the forms' targets and the helpers for the pages."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._key = secret or secrets.token_bytes(32)

    def protect(self, scope: Blueprint) -> None:
        """Refuse every state-changing request to ``scope`` without a valid token."""
        scope.before_request(self.check)

    def offer(self, scope: Blueprint | Flask) -> None:
        """Give ``scope``'s templates ``csrf_field()``/``csrf_token()`` and set the cookie."""
        scope.after_request(self.set_cookie)
        scope.context_processor(self.helpers)

    def token_for(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def nonce(self) -> str:
        if "csrf_nonce" not in g:
            cookie = request.cookies.get(CSRF_COOKIE, "")
            g.csrf_new = not (16 <= len(cookie) <= 64 and cookie.isalnum())
            g.csrf_nonce = secrets.token_hex(16) if g.csrf_new else cookie
        return g.csrf_nonce

    def csrf_token(self) -> str:
        return self.token_for(self.nonce())

    def csrf_field(self) -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, self.csrf_token()
        )

    def check(self) -> Response | None:
        if request.method in SAFE_METHODS:
            return None
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
        if cookie and sent and hmac.compare_digest(sent, self.token_for(cookie)):
            return None
        return Response(_REFUSAL, 403, mimetype="text/plain")

    def set_cookie(self, response: Response) -> Response:
        if g.get("csrf_new") and not g.get("csrf_cookie_set"):
            g.csrf_cookie_set = True
            response.set_cookie(
                CSRF_COOKIE, g.csrf_nonce, httponly=True, samesite="Strict", path="/"
            )
        return response

    def helpers(self) -> dict:
        return {"csrf_field": self.csrf_field, "csrf_token": self.csrf_token}


def protect_forms(blueprint: Blueprint, secret: bytes | None = None) -> FormGuard:
    """Require a CSRF token on every state-changing request to ``blueprint``, and give its
    templates ``csrf_field()`` (the hidden input) and ``csrf_token()`` (the bare value).
    ``secret`` defaults to a fresh random one; pass one only in tests."""
    guard = FormGuard(secret)
    guard.protect(blueprint)
    guard.offer(blueprint)
    return guard
