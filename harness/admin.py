"""Who may use the operator endpoints, and the JSON error envelope every harness answer uses.

With ``HARNESS_ADMIN_TOKEN`` set, a program sends ``Authorization: Bearer <token>``; a person
in a browser types the token once into the status page, which keeps a keyed digest of it (not
the token) in an HttpOnly, ``SameSite=Strict`` cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Response, jsonify, request

__all__ = ["ADMIN_COOKIE", "admin_cookie_value", "is_admin", "json_error", "wants_html"]

ADMIN_COOKIE = "harness_admin"


def json_error(status: int, title: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": {"title": title, "message": message, **extra}}), status


def admin_cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"harness admin cookie", hashlib.sha256).hexdigest()


def is_admin(token: str | None) -> bool:
    """True when no token is configured or the request proves it knows the token."""
    if token is None:
        return True
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if hmac.compare_digest(given.encode(), token.encode()):
        return True
    cookie = request.cookies.get(ADMIN_COOKIE, "")
    return hmac.compare_digest(cookie.encode(), admin_cookie_value(token).encode())


def wants_html() -> bool:
    """A browser asks for HTML first; curl, requests and fetch() without Accept get JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"
