"""The Poplar mock's Flask layer: authenticate, rate-limit, call one state method, render.

``create_app(config)`` builds everything the mock owns (state, clock, rate limiter) and keeps it
in ``app.extensions["mockkit"]``; nothing lives at module level, so tests can build as many
independent mocks as they like. Routes and validation come from ``openapi/poplar.yaml`` through
``mocks.core``; the Transactions page is a plain Flask blueprint outside the spec.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from mocks.core.app import build_app
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource
from mocks.core.runtime import MockRuntime, RuntimeConfig
from mocks.core.spec import Operation, Spec, ValidatedRequest, load_spec
from mocks.poplar.control import poplar_control_handlers
from mocks.poplar.fixtures import account_name
from mocks.poplar.ratelimit import RateLimiter, parse_rate_limit
from mocks.poplar.state import Account, Defaults, PoplarState, account_id_for, bearer_token
from mocks.poplar.transactions import transactions_blueprint

__all__ = ["PoplarConfig", "PoplarMock", "create_app", "redact", "render_error"]

DASHBOARD_PREFIX = "/transactions"
REDACTED = "[redacted]"

# Poplar documents the envelope and "ValidationError"; the other titles are assumed.
TITLES = {
    "validation_error": "ValidationError",
    "malformed_json": "ValidationError",
    "unauthorized": "Unauthorized",
    "forbidden": "Forbidden",
    "not_found": "NotFound",
    "method_not_allowed": "MethodNotAllowed",
    "conflict": "Conflict",
    "unsupported_media_type": "UnsupportedMediaType",
    "rate_limited": "TooManyRequests",
    "server_error": "InternalServerError",
    "service_unavailable": "ServiceUnavailable",
}


@dataclass
class PoplarConfig:
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    lenient: bool = False  # accept and ignore unknown request fields (--lenient)
    tokens: tuple[str, ...] | None = None  # only these tokens are accepted (--tokens a,b)
    rate_limit: str = "1000/10s"  # per token, fixed window (--rate-limit; assumed default)


def render_error(error: ApiError) -> dict[str, Any]:
    """Poplar's envelope ``{"error": {"title", "message"}}``; the message names the field."""
    message = error.message
    if error.field and error.field not in message:
        message = f"Invalid '{error.field}': {message}"
    title = TITLES.get(
        error.code, "ValidationError" if error.status < 500 else "InternalServerError"
    )
    return {"error": {"title": title, "message": message}}


def redact(body: Any) -> Any:
    """The journal's view of a body: every ``customer_email`` replaced, at any depth (a
    rejected body may be any shape), so the raw address is never kept."""
    if isinstance(body, dict):
        return {
            key: REDACTED if key == "customer_email" else redact(value)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [redact(value) for value in body]
    return body


@functools.cache
def lenient_spec() -> Spec:
    """``poplar.yaml`` with every ``additionalProperties: false`` dropped (``--lenient``)."""
    document = copy.deepcopy(load_spec("poplar").document)
    _relax(document)
    return Spec("poplar", document)


def _relax(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


def _success_status(operation: Operation) -> int:
    """The operation's 2xx status as the spec states it (the one place to change it)."""
    return next(int(code) for code in operation.definition["responses"] if code.startswith("2"))


class PoplarMock:
    """Everything one Poplar mock owns. :meth:`reset` swaps in a freshly built state."""

    def __init__(self, config: PoplarConfig) -> None:
        self.config = config
        self.runtime = MockRuntime("poplar", config.runtime, render_error, redact=redact)
        if config.lenient:
            self.runtime.spec = lenient_spec()
        self.rate = parse_rate_limit(config.rate_limit)
        schemas = self.runtime.spec.document["components"]["schemas"]
        self.defaults = Defaults(
            currency=schemas["OrderRequest"]["properties"]["currency"]["default"],
            country=schemas["CountryCode"]["default"],
        )
        self.state = self._fresh_state()

    def _fresh_state(self) -> PoplarState:
        seed = self.config.runtime.seed
        self.runtime.ids = IdSource(seed)
        self.limiter = RateLimiter(self.rate, self.runtime.clock)
        return PoplarState(
            self.runtime.clock,
            self.runtime.ids,
            self.defaults,
            tokens=self.config.tokens,
            name_for=lambda token: account_name(seed, token),
        )

    def reset(self) -> None:
        self.state = self._fresh_state()

    def start(self) -> None:
        self.runtime.scheduler.start()

    def stop(self) -> None:
        self.runtime.scheduler.stop()

    # -- pipeline hooks ------------------------------------------------------------------
    def count_request(self) -> None:
        """Every vendor request counts against its token's window (401s and 404s too)."""
        if self.runtime.is_outside_api(request.path):
            return
        token = bearer_token(request.headers.get("Authorization"))
        if token and self.state.accepts(token):
            g.account = account_id_for(token)
        g.rate_window, allowed = self.limiter.hit(_rate_key(token))
        if not allowed:
            window = g.rate_window
            raise ApiError(
                "rate_limited",
                f"Rate limit of {window.limit} requests per "
                f"{self.rate.period:g} s exceeded for this token; retry after "
                f"x-rate-limit-reset ({window.reset}).",
            )

    def add_rate_headers(self, response: Response) -> Response:
        """The documented headers on every API response, errors included."""
        if self.runtime.is_outside_api(request.path):
            return response
        window = g.get("rate_window") or self.limiter.peek(
            _rate_key(bearer_token(request.headers.get("Authorization")))
        )
        for name, value in window.headers().items():
            response.headers.setdefault(name, value)  # an injected fault's own values win
        return response

    def authenticate(self, _: Operation) -> Account:
        account = self.state.account_for(request.headers.get("Authorization"))
        g.account = account.id
        return account


def _rate_key(token: str | None) -> str:
    # Requests without a usable token share one window per client address.
    return f"token:{token}" if token else f"anonymous:{request.remote_addr}"


def api_handlers(mock: PoplarMock) -> dict[str, Any]:
    """One small function per operationId in ``openapi/poplar.yaml``."""
    status = {op_id: _success_status(op) for op_id, op in mock.runtime.spec.operations.items()}

    def submit_order(req: ValidatedRequest) -> tuple[dict, int]:
        return mock.state.submit(req.context, req.body).to_api(), status["submitOrder"]

    def edit_order(req: ValidatedRequest) -> tuple[dict, int]:
        order = mock.state.edit(req.context, req.path_params["order_id"], req.body)
        return order.to_api(), status["editOrder"]

    def delete_order(req: ValidatedRequest) -> tuple[dict, int]:
        order = mock.state.delete(req.context, req.path_params["order_id"])
        return order.to_api(), status["deleteOrder"]

    def get_me(req: ValidatedRequest) -> dict:
        return {"id": req.context.id, "name": req.context.name, "mode": "production"}

    def list_audiences(req: ValidatedRequest) -> list[dict]:
        return mock.state.audiences(req.context)

    return {
        "submitOrder": submit_order,
        "editOrder": edit_order,
        "deleteOrder": delete_order,
        "getMe": get_me,
        "listAudiences": list_audiences,
    }


def create_app(config: PoplarConfig | None = None, *, start: bool = True) -> Flask:
    """A Poplar mock app; ``start`` runs its scheduler (off for unit tests)."""
    mock = PoplarMock(config or PoplarConfig())
    app = build_app(
        __name__,
        mock,
        api_handlers(mock),
        poplar_control_handlers(mock),
        prefixes=("",),
        exempt_prefixes=(DASHBOARD_PREFIX,),
    )
    app.before_request(mock.count_request)  # after the runtime's fault check
    app.after_request(mock.add_rate_headers)
    app.register_blueprint(transactions_blueprint(mock), url_prefix=DASHBOARD_PREFIX)
    if start:
        mock.start()
    return app
