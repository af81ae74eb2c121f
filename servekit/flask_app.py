"""The Flask app the mocks and the harness serve: Flask, minus the per-request work whose answer
cannot change between requests.

- JSON answers are written by orjson.
- Each hook and view is checked for being a coroutine once, not on every call: Flask's
  ``ensure_sync`` inspects the function it is given each time it calls a view or a
  ``before_request`` / ``after_request`` hook, three times a request; none of ours is async, and
  a function's nature does not change (2 % of the SoPost mock's ``GET /orders/{id}``).
- The URL adapter is built directly: Flask derives the host twice and werkzeug normalises it
  (lower case, IDNA) on every request, for apps like ours that match neither hosts nor
  subdomains (10 % of the SoPost mock's in-process time).
- Apps without a secret key share one null session instead of building one per request.
- A body servekit's bridge has read whole is read from memory as it is, not through
  werkzeug's guarding stream, whose limits the bridge has already applied (7 % of the Poplar
  mock's ``POST /v1/order`` on the server).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import IO, Any

from flask import Flask, Request
from flask.sessions import NullSession, SecureCookieSessionInterface
from werkzeug.exceptions import BadHost
from werkzeug.routing import MapAdapter
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_content_length, get_host

from servekit.json_provider import OrjsonProvider
from servekit.response import ServedResponse
from servekit.rsgi_bridge import BODY_READ

__all__ = ["ServedFlask"]

# Distinct functions (or hosts) remembered; far more than an app has hooks and views (or than
# its clients use names), and a bound on anything that would bring a fresh one each time (the
# adapter is built before the app's Host check, so any host a client sends lands here).
_KEPT = 1024


class ServedRequest(Request):
    @cached_property
    def content_length(self) -> int | None:  # type: ignore[override]
        """werkzeug's, parsed once and from the environ (its headers view pays for an exception
        on each header it misses): the body bound, the journal and the handler all ask."""
        return get_content_length(self.environ)

    @cached_property
    def stream(self) -> IO[bytes]:
        if self.environ.get(BODY_READ):
            return self.environ["wsgi.input"]  # all there, within --max-body
        return super().stream


class ServedFlask(Flask):
    request_class = ServedRequest
    response_class = ServedResponse  # answers handed to the server as they are

    def __init__(self, import_name: str, **options: Any) -> None:
        super().__init__(import_name, **options)
        # A path with "//" is no route (the app's own 404), not werkzeug's redirect to the
        # merged path: Flask hands that back as werkzeug's HTML page, past the error handlers.
        self.url_map.merge_slashes = False
        self.json = OrjsonProvider(self)  # keeps the documented field order
        self.session_interface = _SharedNullSessions()
        self._checked = functools.lru_cache(maxsize=_KEPT)(super().ensure_sync)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return self._checked(func)

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """What Flask 3.1 builds for a request (werkzeug's ``Map.bind_to_environ``), for an
        app without ``SERVER_NAME``, trusted hosts, host or subdomain matching; any other app,
        and the application context's adapter, get Flask's own."""
        config = self.config
        if (
            request is None
            or config["SERVER_NAME"] is not None
            or config["TRUSTED_HOSTS"] is not None
            or request.trusted_hosts is not None
            or self.url_map.host_matching
            or self.subdomain_matching
        ):
            return super().create_url_adapter(request)
        environ = request.environ
        request.host = host = get_host(environ)  # type: ignore[misc]  # as Flask sets it
        return MapAdapter(
            self.url_map,
            _server_name(host),
            _text(environ, "SCRIPT_NAME", "/"),
            self.url_map.default_subdomain or "",
            environ["wsgi.url_scheme"],
            _text(environ, "PATH_INFO", "/"),
            environ["REQUEST_METHOD"],
            _text(environ, "QUERY_STRING", ""),
        )


def _text(environ: dict[str, Any], key: str, default: str) -> str:
    """An environ string as werkzeug's router reads it: WSGI's latin-1 taken back to UTF-8."""
    value = environ.get(key)
    return default if value is None else value.encode("latin-1").decode(errors="replace")


@functools.lru_cache(maxsize=_KEPT)
def _server_name(host: str) -> str:
    """``host`` as werkzeug's ``Map.bind`` normalises it: lower case, the name IDNA-encoded."""
    name, separator, port = host.lower().partition(":")
    try:
        return f"{name.encode('idna').decode('ascii')}{separator}{port}"
    except UnicodeError as error:  # Flask turns it into the request's routing error, a 400
        raise BadHost() from error


class _SharedNullSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions; without a secret key, one null session for every request
    (it refuses every write, so there is nothing one request could leave for the next)."""

    _null = NullSession()

    def make_null_session(self, app: Flask) -> NullSession:
        return self._null
