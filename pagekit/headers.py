"""Response headers for HTML pages: no framing, no sniffing, only our own scripts and styles.

Every page's script is a static file (``pagekit/static/*.js``), so ``script-src 'self'`` holds
without an inline exception.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

__all__ = ["CONTENT_SECURITY_POLICY", "add_missing", "secure_page"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


# Every answer: no MIME sniffing. HTML pages also: no framing, our own resources only.
_EVERY_ANSWER = {"X-Content-Type-Options": "nosniff"}
_HTML_PAGE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    **_EVERY_ANSWER,
}


def secure_page(response: Response) -> Response:
    """Add the page headers to an HTML response (an ``after_request`` hook); JSON is left be."""
    html = (response.content_type or "").startswith("text/html")  # the header, not parsed
    add_missing(response, _HTML_PAGE if html else _EVERY_ANSWER)
    return response


def add_missing(response: Response, headers: Mapping[str, str]) -> None:
    """Set each of ``headers`` the response does not carry yet (what it set itself wins).

    Not werkzeug's ``setdefault``, which builds and catches an exception for each header it
    finds missing: that was most of its cost, paid on every answer.
    """
    if not headers:
        return
    present = {name.lower() for name, _ in response.headers}
    for name, value in headers.items():
        if name.lower() not in present:
            response.headers.add(name, value)
