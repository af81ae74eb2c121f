"""The Poplar mock's Flask layer: the rate-limit stage and one small handler per operation.

``create_app(config)`` builds a :class:`~mocks.poplar.mock.PoplarMock` (state, clock, rate
limiter) and keeps it in ``app.extensions["mockkit"]``; nothing lives at module level, so tests
can build as many independent mocks as they like. Routes and validation come from
``openapi/poplar.yaml`` through ``mocks.core``; the Transactions page is a plain Flask
blueprint outside the spec.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from mocks.core.app import build_app
from mocks.core.errors import ApiError
from mocks.core.pages import install_pages
from mocks.core.pipeline import VENDOR, Exchange, Stage
from mocks.core.spec import Operation, ValidatedRequest
from mocks.poplar.config import PoplarConfig
from mocks.poplar.control import poplar_control_handlers
from mocks.poplar.mock import PoplarMock
from mocks.poplar.ratelimit import RATE_LIMIT_HEADER
from mocks.poplar.tokens import account_id_for, bearer_token
from mocks.poplar.transactions import transactions_blueprint

# The config is create_app's argument, so it is importable from here too.
__all__ = ["PoplarConfig", "create_app", "rate_limit_stage"]

DASHBOARD_PREFIX = "/transactions"


def _success_status(operation: Operation) -> int:
    """The operation's 2xx status as the spec states it (the one place to change it)."""
    return next(int(code) for code in operation.definition["responses"] if code.startswith("2"))


def rate_limit_stage(mock: PoplarMock) -> Stage:
    """Every vendor request counts against its token's window (401s and 404s too), and the
    documented headers go on every answer, errors and injected faults included."""

    def count(current: Exchange) -> None:
        token = bearer_token(current.headers.get("Authorization"))
        if mock.state.accepts(token):
            current.account = account_id_for(token)
        window, allowed = mock.limiter.hit(_rate_key(current, token))
        current.response_headers.update(window.headers())
        if not allowed:
            raise ApiError(
                "rate_limited",
                f"Rate limit of {window.limit} requests per "
                f"{mock.rate.period:g} s exceeded for this token; retry after "
                f"x-rate-limit-reset ({window.reset}).",
            )

    def peek(current: Exchange, _: Response) -> None:
        """A request a fault answered before it was counted still reports its window."""
        if RATE_LIMIT_HEADER not in current.response_headers:
            token = bearer_token(current.headers.get("Authorization"))
            current.response_headers.update(mock.limiter.peek(_rate_key(current, token)).headers())

    return Stage("rate limit", count, peek, kinds=frozenset({VENDOR}))


def _rate_key(current: Exchange, token: str | None) -> str:
    # Requests without a usable token share one window per client address.
    return f"token:{token}" if token else f"anonymous:{current.request.remote_addr}"


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
        return order.deleted_record(req.context.id), status["deleteOrder"]

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
        stages=[rate_limit_stage(mock)],
        prefixes=("",),
        exempt_prefixes=(DASHBOARD_PREFIX,),
    )
    app.register_blueprint(
        transactions_blueprint(mock, DASHBOARD_PREFIX), url_prefix=DASHBOARD_PREFIX
    )
    install_pages(app, "Poplar", [("Transactions", DASHBOARD_PREFIX)])
    if start:
        mock.start()
    return app
