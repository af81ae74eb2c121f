"""Flask's response, handed to the server without rebuilding what an ordinary answer already has.

werkzeug prepares every answer for WSGI the same way: it copies all its headers, to fix a
``Location`` or drop a length that a 1xx / 204 / 304 must not carry, and wraps its body in a
closing iterator, for bodies that hold a file or callbacks to run once sent. A JSON answer
needs neither, and the two were 6 % of the SoPost mock's ``GET /orders/{id}`` on the server.
Any answer that might need them still goes werkzeug's way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response

__all__ = ["ServedResponse"]

# Headers werkzeug rewrites for the request (made absolute or URI-encoded).
_REWRITTEN = ("location", "content-location")


class ServedResponse(Response):
    def get_wsgi_response(
        self, environ: dict[str, Any]
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        if self._ordinary(environ):
            return self.response, self.status, self.headers.to_wsgi_list()
        return super().get_wsgi_response(environ)

    def _ordinary(self, environ: dict[str, Any]) -> bool:
        """A body to send (not to a HEAD, not for a 1xx / 204 / 304) that is a list of bytes
        with a known length, no callbacks to run once sent, no header werkzeug rewrites."""
        status = self.status_code
        if (
            self.direct_passthrough
            or self._on_close
            or status < 200
            or status in (204, 304)
            or environ["REQUEST_METHOD"] == "HEAD"
            or not isinstance(self.response, list)
            or not all(isinstance(part, bytes) for part in self.response)
        ):
            return False
        names = {name.lower() for name, _ in self.headers}
        return "content-length" in names and names.isdisjoint(_REWRITTEN)
