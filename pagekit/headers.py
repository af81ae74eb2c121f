"""Response headers for HTML pages: no framing, no sniffing, only our own scripts and styles.

Every page's script is a static file (``pagekit/static/*.js``), so ``script-src 'self'`` holds
without an inline exception.
"""

from __future__ import annotations

from flask import Response

__all__ = ["CONTENT_SECURITY_POLICY", "secure_page"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def secure_page(response: Response) -> Response:
    """Add the page headers to an HTML response (an ``after_request`` hook); JSON is left be."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
