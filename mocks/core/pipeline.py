"""The stages of a mock's request pipeline, and the one typed record a request carries.

A request walks the ordered list of :class:`Stage` that ``MockRuntime.pipeline`` returns; each
stage reads and writes the request's :class:`Exchange` instead of loose ``flask.g`` keys, so
what one stage hands the next is declared here, with its type. Adding a check (a Host header
check, a body limit, a warning for an assumed constraint) is one more ``Stage`` in that list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Request, Response, current_app, g, jsonify, request

from mocks.core.errors import ApiError
from mocks.core.faults import Faults
from mocks.core.findings import WARNING_HEADER
from mocks.core.header_view import HeaderView
from mocks.core.spec import Operation, ValidatedRequest

__all__ = [
    "ALL_KINDS",
    "CONTROL",
    "PAGE",
    "VENDOR",
    "Caller",
    "Exchange",
    "Gate",
    "Stage",
    "authenticate",
    "exchange",
    "fault_stage",
    "respond",
    "route",
    "validate",
    "warn",
]

# What kind of path a request is for; a stage declares which kinds it sees.
VENDOR = "vendor"  # the vendor's API (matched or not: a 404 is still a vendor request)
CONTROL = "control"  # the /_mock control API
PAGE = "page"  # plain Flask pages outside the spec (Poplar's Transactions page)
ALL_KINDS = frozenset({VENDOR, CONTROL, PAGE})  # pages only see the browser-safety stages


class Caller(Protocol):
    """What a vendor's gate returns: the organisation or account a request acts for."""

    id: str


# A vendor's authentication: the request headers -> the caller, or an ApiError (401/403).
Gate = Callable[[Mapping[str, str]], Caller]


def _current_request() -> Request:
    return request._get_current_object()  # type: ignore[attr-defined]


@dataclass(slots=True)
class Exchange:
    """Everything the pipeline learns about one request; the journal reads it at the end."""

    kind: str = VENDOR
    # The request itself, so a stage reads it without going through Flask's context proxy.
    request: Request = field(default_factory=_current_request)
    headers: HeaderView = field(init=False)  # the request's, read without werkzeug's misses
    started: float = field(default_factory=time.perf_counter)
    operation: Operation | None = None  # the spec operation the path routes to, if any
    caller: Any = None  # what the vendor's gate returned (handlers get it as ``context``)
    validated: ValidatedRequest | None = None  # set once the spec accepts the request
    verdict: str | None = None  # the journal's verdict once a stage decides it
    error: str | None = None  # the message of the ApiError that answered the request
    account: str | None = None  # the caller's account or organisation id, once known
    dropped: bool = False  # a fault closed the connection instead of answering
    warnings: list[str] = field(default_factory=list)  # assumed rules broken (not --strict)
    # Headers stages put on the answer (e.g. Poplar's rate-limit figures).
    response_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = HeaderView(self.request.environ)

    @property
    def operation_id(self) -> str | None:
        return self.operation.id if self.operation else None

    @property
    def body(self) -> Any:
        return self.validated.body if self.validated else None


@dataclass(frozen=True)
class Stage:
    """One step every request of the given ``kinds`` goes through, in pipeline order.

    ``before`` runs on the way in: raising an :class:`ApiError` or returning a response ends
    the request there (later stages do not run). ``after`` runs on every answer to a request of
    those kinds, errors and early exits included.
    """

    name: str
    before: Callable[[Exchange], Response | None] | None = None
    after: Callable[[Exchange, Response], None] | None = None
    kinds: frozenset[str] = frozenset({VENDOR, CONTROL})


def exchange() -> Exchange:
    """This request's exchange (made on first use, should an error come before any stage)."""
    current = g.get("mockkit_exchange")
    if current is None:
        current = g.mockkit_exchange = Exchange()
    return current


# -- the stages every mock has -----------------------------------------------------------
def _json_body(current: Exchange) -> Callable[[], Any]:
    """The request's JSON body for a fault rule's ``where``; None when it is not JSON."""

    def read() -> Any:
        try:
            return current.request.get_json(silent=True)
        except Exception:  # e.g. nested too deep to parse: no rule can match it
            return None

    return read


def fault_stage(faults: Faults) -> Callable[[Exchange], Response | None]:
    """The first matching fault rule: latency, a dropped connection or a forced answer."""

    def inject(current: Exchange) -> Response | None:
        asked = current.request
        rule = faults.match(asked.method, asked.path, fields=_json_body(current))
        if rule is None:
            return None
        current.verdict = "fault"
        if rule.latency_ms:
            time.sleep(rule.latency_ms / 1000)  # wall-clock latency: it is what clients feel
        if rule.drop:
            current.dropped = True
            return _dropped_connection()
        if rule.status:
            if rule.body is not None:
                return respond(rule.body, rule.status, rule.headers)
            error = ApiError.from_status(
                rule.status, f"Injected fault {rule.id}: this response was forced by a fault rule."
            )
            error.headers.update(rule.headers)
            raise error
        return None

    return inject


def route(operations: Mapping[str, Operation]) -> Callable[[Exchange], None]:
    """The spec operation behind the request's Flask endpoint; an unknown path or method is
    Flask's routing error, rendered as the vendor's 404 / 405."""

    def match(current: Exchange) -> None:
        if current.request.routing_exception is not None:
            current_app.raise_routing_exception(current.request)
        if current.request.url_rule is not None:
            current.operation = operations.get(current.request.url_rule.endpoint)

    return match


def authenticate(gate: Gate | None) -> Callable[[Exchange], None]:
    """The vendor's gate on every vendor operation; its caller goes to the handler."""

    def check(current: Exchange) -> None:
        if gate is not None and current.operation is not None:
            current.caller = gate(current.headers)
            current.account = current.caller.id

    return check


def validate(strict: bool) -> Callable[[Exchange], None]:
    """Path, query and body against the operation's compiled JSON Schemas; a broken
    ``assumed`` rule is a warning on the answer, or under ``strict`` the vendor's 400."""

    def check(current: Exchange) -> None:
        if current.operation is None:
            return
        asked = current.request
        validated = current.operation.validate(
            asked.view_args or {},
            asked.args.to_dict(flat=False) if asked.query_string else {},
            current.headers.get("Content-Type"),
            asked.get_data() if current.operation.has_body else b"",  # a GET's is never read
            current.headers,
            strict=strict,
        )
        validated.context = current.caller
        current.validated = validated
        current.warnings = [finding.header() for finding in validated.findings]
        # What the handler then decides does not change the verdict.
        current.verdict = "warning" if current.warnings else "valid"

    return check


def warn(current: Exchange, response: Response) -> None:
    """One ``X-Mockkit-Warning`` header per finding, on whatever the request was answered."""
    for text in current.warnings:
        response.headers.add(WARNING_HEADER, text)


def respond(body: Any, status: int, headers: Mapping[str, str]) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response


def _dropped_connection() -> Response:
    """Promise a body and close without sending it: the client sees a broken connection.

    Server-agnostic: WSGI gives no portable access to the socket, but every server closes a
    connection whose body ends short of its Content-Length.
    """
    response = Response(iter(()), status=200, direct_passthrough=True)
    response.headers["Content-Length"] = "1024"
    response.headers["Connection"] = "close"
    return response
