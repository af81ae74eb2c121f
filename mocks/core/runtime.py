"""The request pipeline every mock shares, mounted on a Flask app.

A vendor request goes: fault check -> route (404/405) -> vendor gate (auth, rate limit) ->
spec validation -> handler. Each step exits early with an :class:`ApiError` rendered in the
vendor's envelope (or, under ``/_mock``, the control API's). Every vendor request lands in the
journal with its verdict, and optionally as one log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from mocks.core.clock import Scheduler, make_clock
from mocks.core.errors import ApiError, ErrorRenderer, error_body
from mocks.core.faults import Faults
from mocks.core.ids import IdSource
from mocks.core.journal import Journal
from mocks.core.spec import Operation, Spec, ValidatedRequest, load_spec

__all__ = ["CONTROL_PREFIX", "Handler", "MockRuntime", "RuntimeConfig"]

CONTROL_PREFIX = "/_mock"
request_log = logging.getLogger("mockkit.requests")

Handler = Callable[[ValidatedRequest], Any]
Gate = Callable[[Operation], Any]


@dataclass
class RuntimeConfig:
    """Settings every mock has (the CLI's shared flags)."""

    seed: int = 0
    clock: str = "real"  # "real" or "manual"
    log_requests: bool = False


class MockRuntime:
    """Clock, scheduler, ids, faults and journal of one mock, plus its spec-driven routes."""

    def __init__(
        self,
        vendor: str,
        config: RuntimeConfig,
        render_error: ErrorRenderer,
        redact: Callable[[Any], Any] | None = None,
    ) -> None:
        self.vendor = vendor
        self.config = config
        self.spec: Spec = load_spec(vendor)
        self.control_spec: Spec = load_spec("control")
        self.clock = make_clock(config.clock)
        self.scheduler = Scheduler(self.clock)
        self.ids = IdSource(config.seed)
        self.faults = Faults(config.seed)
        self.journal = Journal(redact=redact)
        self.render_error = render_error
        # Plain Flask routes outside the spec (e.g. Poplar's Transactions page): no faults,
        # no journal entries, so a dashboard never shows up in what it reports on.
        self.exempt_prefixes: tuple[str, ...] = ()

    # -- mounting ------------------------------------------------------------------------
    def install(
        self,
        app: Flask,
        handlers: dict[str, Handler],
        control_handlers: dict[str, Handler],
        gate: Gate | None = None,
        prefixes: tuple[str, ...] = ("",),
        exempt_prefixes: tuple[str, ...] = (),
    ) -> None:
        """Route every spec operation to its handler and add the shared hooks.

        Every operation in the vendor spec must have a handler and every handler an operation,
        so the spec and the app cannot drift apart silently.
        """
        _check_coverage(self.spec.operations, handlers, f"{self.vendor} spec")
        self.exempt_prefixes = exempt_prefixes
        control_ops = {op.id: op for op in self.control_spec.operations_where(mock=self.vendor)}
        _check_coverage(control_ops, control_handlers, "control spec")
        for operation in self.spec.operations.values():
            for prefix in prefixes:
                self._route(app, operation, handlers[operation.id], gate, prefix)
        for operation in control_ops.values():
            self._route(app, operation, control_handlers[operation.id], None, "")
        app.before_request(self._before)
        app.after_request(self._after)
        app.register_error_handler(ApiError, self._api_error)
        app.register_error_handler(HTTPException, self._http_error)
        app.register_error_handler(Exception, self._unexpected)

    def _route(
        self, app: Flask, operation: Operation, handler: Handler, gate: Gate | None, prefix: str
    ) -> None:
        def view(**path_params: str) -> Any:
            g.operation_id = operation.id
            context = gate(operation) if gate else None
            validated = operation.validate(
                path_params,
                request.args.to_dict(flat=False),
                request.content_type,
                request.get_data(),
                request.headers,
            )
            validated.context = context
            g.body = validated.body
            g.verdict = "valid"  # what the handler then decides does not change the verdict
            return handler(validated)

        app.add_url_rule(
            prefix + operation.flask_rule,
            endpoint=f"{operation.id}@{prefix}",
            view_func=view,
            methods=[operation.method],
            provide_automatic_options=False,
        )

    # -- hooks ---------------------------------------------------------------------------
    def _before(self) -> Response | None:
        g.started = time.perf_counter()
        if self.is_outside_api(request.path):
            return None
        rule = self.faults.match(request.method, request.path)
        if rule is None:
            return None
        g.verdict = "fault"
        if rule.latency_ms:
            time.sleep(rule.latency_ms / 1000)  # wall-clock latency: it is what clients feel
        if rule.drop:
            g.dropped = True
            return _dropped_connection()
        if rule.status:
            error = ApiError.from_status(
                rule.status, f"Injected fault {rule.id}: this response was forced by a fault rule."
            )
            error.headers.update(rule.headers)
            if rule.body is not None:
                return self._respond(rule.body, rule.status, rule.headers)
            raise error
        return None

    def _after(self, response: Response) -> Response:
        if self.is_outside_api(request.path):
            return response
        duration = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        verdict = g.get("verdict") or ("valid" if response.status_code < 400 else "invalid")
        body = g.get("body")
        if body is None and request.content_length:
            body = request.get_json(silent=True)
        self.journal.record(
            time=self.clock.now(),
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            status=0 if g.get("dropped") else response.status_code,  # 0: no answer was sent
            verdict=verdict,
            operation_id=g.get("operation_id"),
            error=g.get("error"),
            body=body,
            account=g.get("account"),
            duration_ms=round(duration, 3),
        )
        if self.config.log_requests:
            request_log.info(
                "%s %s %s %d %.1fms %s",
                self.vendor,
                request.method,
                request.full_path.rstrip("?"),
                response.status_code,
                duration,
                verdict,
            )
        return response

    def is_outside_api(self, path: str) -> bool:
        """Control API or an exempt (dashboard) path: not a vendor request."""
        return _is_control(path) or any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in self.exempt_prefixes
        )

    # -- errors --------------------------------------------------------------------------
    def _api_error(self, error: ApiError) -> Response:
        if not g.get("verdict"):
            g.verdict = "rejected" if error.status in (401, 403, 429) else "invalid"
        g.error = error.message
        render = error_body if _is_control(request.path) else self.render_error
        return self._respond(render(error), error.status, error.headers)

    def _http_error(self, error: HTTPException) -> Response:
        if isinstance(error, NotFound):
            g.verdict = "unmatched"
            api_error = ApiError(
                "not_found", f"No route {request.path}: check the path against the API reference."
            )
        elif isinstance(error, MethodNotAllowed):
            g.verdict = "unmatched"
            allowed = sorted(set(error.valid_methods or []) - {"OPTIONS"})
            api_error = ApiError(
                "method_not_allowed",
                f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )
        else:
            api_error = ApiError.from_status(error.code or 500, error.description or "error")
        return self._api_error(api_error)

    def _unexpected(self, error: Exception) -> Response:
        logging.getLogger(__name__).exception("unhandled error in %s mock", self.vendor)
        return self._api_error(
            ApiError(
                "server_error", f"Internal mock error ({type(error).__name__}); please report it."
            )
        )

    @staticmethod
    def _respond(body: Any, status: int, headers: dict[str, str]) -> Response:
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


def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def _check_coverage(operations: dict, handlers: dict, where: str) -> None:
    missing = set(operations) - set(handlers)
    extra = set(handlers) - set(operations)
    if missing or extra:
        raise RuntimeError(
            f"{where} and handlers disagree: no handler for {sorted(missing)}, "
            f"no operation for {sorted(extra)}"
        )
