"""The request pipeline every mock shares, mounted on a Flask app.

:meth:`MockRuntime.pipeline` lists the stages a request goes through, in order; each exits early
with an :class:`ApiError` rendered in the vendor's envelope (or, under ``/_mock``, the control
API's). What the stages learn travels in one typed :class:`~mocks.core.pipeline.Exchange` per
request. Every vendor request lands in the journal with its verdict, and optionally as one log
line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from mocks.core.browser import HostGuard, browser_stages
from mocks.core.clock import Scheduler, make_clock
from mocks.core.config import RuntimeConfig
from mocks.core.errors import ApiError, ErrorRenderer, error_body
from mocks.core.failures import Failures
from mocks.core.faults import Faults
from mocks.core.ids import run_ids
from mocks.core.journal import Journal
from mocks.core.limits import body_stage, too_large
from mocks.core.pipeline import (
    CONTROL,
    PAGE,
    VENDOR,
    Exchange,
    Gate,
    Stage,
    authenticate,
    exchange,
    fault_stage,
    respond,
    route,
    validate,
    warn,
)
from mocks.core.recording import record_exchange
from mocks.core.redaction import Redactor
from mocks.core.spec import Operation, Spec, ValidatedRequest, load_spec
from mocks.core.unmodelled import unmodelled_paths
from pagekit.headers import add_missing

__all__ = ["CONTROL_PREFIX", "Handler", "MockRuntime"]

CONTROL_PREFIX = "/_mock"

Handler = Callable[[ValidatedRequest], Any]


class MockRuntime:
    """Clock, scheduler, ids, faults and journal of one mock, plus its spec-driven routes."""

    def __init__(
        self,
        vendor: str,
        config: RuntimeConfig,
        render_error: ErrorRenderer,
        redactor: Redactor | None = None,
    ) -> None:
        self.vendor = vendor
        self.config = config
        self.spec: Spec = load_spec(vendor)
        self.control_spec: Spec = load_spec("control")
        self.clock = make_clock(config.clock)
        self.failures = Failures()  # exceptions inside the mock, for in-process tests
        self.scheduler = Scheduler(self.clock, on_error=self.failures.record)
        self.ids = run_ids(config.seed, config.id_seed)
        self.faults = Faults(config.seed)
        self.journal = Journal(redactor=redactor)
        self.render_error = render_error
        # Plain Flask routes outside the spec (e.g. Poplar's Transactions page): no faults,
        # no journal entries, so a dashboard never shows up in what it reports on.
        self.exempt_prefixes: tuple[str, ...] = ()
        self.stages: list[Stage] = []
        self._operations: dict[str, Operation] = {}  # Flask endpoint -> spec operation
        # Vendor paths whose writes wait on the network (SoPost resolves a webhook's host).
        self.resolving_paths: tuple[str, ...] = ()

    def pipeline(self, gate: Gate | None, vendor_stages: Sequence[Stage]) -> list[Stage]:
        """Every request's way through the mock, in order: add a check here as one entry.

        Browser safety (Host check, cross-site writes) comes first and is the only part that
        also sees pages. The vendor's own stages (Poplar's rate limit) come after faults and
        before routing, so they see every vendor request, unknown paths included.
        """
        return [
            *browser_stages(HostGuard(self.config.host, self.config.host_aliases)),
            body_stage(self.config.max_body),
            Stage("faults", fault_stage(self.faults), kinds=frozenset({VENDOR})),
            *vendor_stages,
            Stage("route", route(self._operations)),  # 404 / 405 from Flask's URL map
            Stage("authenticate", authenticate(gate), kinds=frozenset({VENDOR})),
            # The spec's compiled JSON Schemas; warnings for assumed rules (docs/provenance.md).
            Stage("validate", validate(self.config.strict), warn),
        ]

    # -- mounting ------------------------------------------------------------------------
    def install(
        self,
        app: Flask,
        handlers: dict[str, Handler],
        control_handlers: dict[str, Handler],
        gate: Gate | None = None,
        stages: Sequence[Stage] = (),
        prefixes: tuple[str, ...] = ("",),
        exempt_prefixes: tuple[str, ...] = (),
    ) -> None:
        """Route every spec operation to its handler and add the shared hooks.

        Every operation in the vendor spec must have a handler and every handler an operation,
        so the spec and the app cannot drift apart silently.
        """
        _check_coverage(self.spec.operations, handlers, f"{self.vendor} spec")
        self.exempt_prefixes = exempt_prefixes
        self.stages = self.pipeline(gate, stages)
        control_ops = {op.id: op for op in self.control_spec.operations_where(mock=self.vendor)}
        _check_coverage(control_ops, control_handlers, "control spec")
        for operation in self.spec.operations.values():
            for prefix in prefixes:
                self._route(app, operation, handlers[operation.id], prefix)
        for operation in control_ops.values():
            self._route(app, operation, control_handlers[operation.id], "")
        for path in unmodelled_paths(self.spec):  # real paths outside the model: 501
            for prefix in prefixes:
                app.add_url_rule(
                    prefix + path.flask_rule,
                    endpoint=f"unmodelled:{path.method} {path.path}@{prefix}",
                    view_func=path.view(),
                    methods=[path.method],
                    provide_automatic_options=False,
                )
        app.config["MAX_CONTENT_LENGTH"] = self.config.max_body
        app.before_request(self._before)
        app.after_request(self._after)
        app.register_error_handler(ApiError, self._api_error)
        app.register_error_handler(HTTPException, self._http_error)
        app.register_error_handler(Exception, self._unexpected)

    def _route(self, app: Flask, operation: Operation, handler: Handler, prefix: str) -> None:
        def view(**_: str) -> Any:
            return handler(exchange().validated)  # the stages have checked it

        endpoint = f"{operation.id}@{prefix}"
        self._operations[endpoint] = operation
        app.add_url_rule(
            prefix + operation.flask_rule,
            endpoint=endpoint,
            view_func=view,
            methods=[operation.method],
            provide_automatic_options=False,
        )

    def runs_inline(self, environ: dict[str, Any]) -> bool:
        """Whether a request may run on the server's event loop instead of a thread.

        Inline is fastest (no thread hand-off, no contention for the interpreter) but holds
        up every other request while it runs, so only vendor calls that just compute qualify:
        not pages or the control API (they may wait on the scheduler), not while a fault rule
        adds latency (it sleeps), not writes that resolve a webhook host. docs/slow-clients.md
        """
        path = environ.get("PATH_INFO", "")
        if self.kind_of(path) != VENDOR or self.faults.have_latency():
            return False
        writes = environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
        return not (writes and any(part in path for part in self.resolving_paths))

    def kind_of(self, path: str) -> str:
        """An exempt (dashboard) page, the control API, or a vendor request. Pages come first:
        some live under /_mock (mocks.core.pages: /_mock/ui, /_mock/docs)."""
        prefixes = self.exempt_prefixes
        if path.startswith(prefixes) and any(  # one C call rules out a vendor path
            path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes
        ):
            return PAGE
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return CONTROL
        return VENDOR

    # -- hooks ---------------------------------------------------------------------------
    def _before(self) -> Response | None:
        current = g.mockkit_exchange = Exchange(kind=self.kind_of(request.path))
        for stage in self.stages:
            if stage.before is not None and current.kind in stage.kinds:
                response = stage.before(current)
                if response is not None:
                    return response
        return None

    def _after(self, response: Response) -> Response:
        current = exchange()
        for stage in self.stages:
            if stage.after is not None and current.kind in stage.kinds:
                stage.after(current, response)
        add_missing(response, current.response_headers)  # an injected fault's own values win
        if current.kind == VENDOR:
            record_exchange(self, current, response)
        return response

    # -- errors --------------------------------------------------------------------------
    def _api_error(self, error: ApiError) -> Response:
        current = exchange()
        if not current.verdict:
            current.verdict = "rejected" if error.status in (401, 403, 429) else "invalid"
        current.error = error.message
        render = error_body if self.kind_of(request.path) == CONTROL else self.render_error
        return respond(render(error), error.status, error.headers)

    def _http_error(self, error: HTTPException) -> Response:
        if isinstance(error, NotFound):
            exchange().verdict = "unmatched"
            api_error = ApiError(
                "not_found", f"No route {request.path}: check the path against the API reference."
            )
        elif isinstance(error, MethodNotAllowed):
            exchange().verdict = "unmatched"
            allowed = sorted(set(error.valid_methods or []) - {"OPTIONS"})
            api_error = ApiError(
                "method_not_allowed",
                f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )
        elif isinstance(error, RequestEntityTooLarge):  # a page's form over MAX_CONTENT_LENGTH
            api_error = too_large(self.config.max_body)
        else:
            api_error = ApiError.from_status(error.code or 500, error.description or "error")
        return self._api_error(api_error)

    def _unexpected(self, error: Exception) -> Response:
        self.failures.record(f"unhandled error in the {self.vendor} mock: {request.path}")
        return self._api_error(
            ApiError(
                "server_error", f"Internal mock error ({type(error).__name__}); please report it."
            )
        )


def _check_coverage(operations: dict, handlers: dict, where: str) -> None:
    missing = set(operations) - set(handlers)
    extra = set(handlers) - set(operations)
    if missing or extra:
        raise RuntimeError(
            f"{where} and handlers disagree: no handler for {sorted(missing)}, "
            f"no operation for {sorted(extra)}"
        )
