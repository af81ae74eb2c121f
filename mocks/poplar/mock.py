"""Everything one Poplar mock owns, with no Flask: config, runtime, rate limiter and state.

Also Poplar's error envelope and what its journal must never keep (the raw ``customer_email``).
``mocks.poplar.app`` wraps a :class:`PoplarMock` in a Flask app; authentication needs only the
request headers, so the mock can be built and driven without a request context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mocks.core.errors import ApiError
from mocks.core.ids import IdSource, run_ids
from mocks.core.redaction import Redactor
from mocks.core.runtime import MockRuntime
from mocks.poplar.config import PoplarConfig
from mocks.poplar.fixtures import account_name
from mocks.poplar.orders import Defaults
from mocks.poplar.ratelimit import RateLimiter, parse_rate_limit
from mocks.poplar.state import Account, PoplarState

__all__ = ["PoplarMock", "render_error"]

# Poplar hashes the raw address and must never keep it: not in state, logs or the journal.
REDACTED_FIELDS = ("customer_email",)

# Poplar documents the envelope and "ValidationError"; the other titles are assumed.
TITLES = {
    "validation_error": "ValidationError",
    "malformed_json": "ValidationError",
    "unauthorized": "Unauthorized",
    "forbidden": "Forbidden",
    "not_found": "NotFound",
    "method_not_allowed": "MethodNotAllowed",
    "request_timeout": "RequestTimeout",
    "conflict": "Conflict",
    "payload_too_large": "PayloadTooLarge",
    "unsupported_media_type": "UnsupportedMediaType",
    "misdirected_request": "MisdirectedRequest",
    "rate_limited": "TooManyRequests",
    "server_error": "InternalServerError",
    "not_implemented": "NotImplemented",
    "service_unavailable": "ServiceUnavailable",
}


def render_error(error: ApiError) -> dict[str, Any]:
    """Poplar's envelope ``{"error": {"title", "message"}}``; the message names the field."""
    message = error.message
    if error.field and error.field not in message:
        message = f"Invalid '{error.field}': {message}"
    title = TITLES.get(
        error.code, "ValidationError" if error.status < 500 else "InternalServerError"
    )
    return {"error": {"title": title, "message": message}}


class PoplarMock:
    """Everything one Poplar mock owns. :meth:`reset` swaps in a freshly built state."""

    def __init__(self, config: PoplarConfig) -> None:
        self.config = config
        self.runtime = MockRuntime(
            "poplar", config.runtime, render_error, redactor=Redactor(REDACTED_FIELDS)
        )
        self.rate = parse_rate_limit(config.rate_limit)
        schemas = self.runtime.spec.document["components"]["schemas"]
        self.defaults = Defaults(
            currency=schemas["OrderRequest"]["properties"]["currency"]["default"],
            country=schemas["CountryCode"]["default"],
        )
        self.runtime.ids, self.limiter, self.state = self._fresh_state()

    def _fresh_state(self) -> tuple[IdSource, RateLimiter, PoplarState]:
        """The seed's world anew: ids, empty rate windows, and the state."""
        seed = self.config.runtime.seed
        ids = run_ids(seed, self.config.runtime.id_seed)
        state = PoplarState(
            self.runtime.clock,
            ids,
            self.defaults,
            tokens=self.config.tokens,
            name_for=lambda token: account_name(seed, token),
            max_accounts=self.config.max_accounts,
        )
        return ids, RateLimiter(self.rate, self.runtime.clock), state

    def reset(self) -> None:
        self.runtime.ids, self.limiter, self.state = self._fresh_state()

    def start(self) -> None:
        self.runtime.scheduler.start()

    def stop(self) -> None:
        self.runtime.scheduler.stop()

    def authenticate(self, headers: Mapping[str, str]) -> Account:
        return self.state.account_for(headers.get("Authorization"))
