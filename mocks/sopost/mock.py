"""Everything one SoPost mock owns, with no Flask: its config, runtime, dispatcher and state.

``mocks.sopost.app`` wraps a :class:`SoPostMock` in a Flask app; the mock itself only needs the
request headers to authenticate, so it can be built and driven without a request context.
SoPost's error envelope is the shared one (``mocks.core.errors.error_body``) and nothing is
redacted from its journal.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from faker import Faker
from werkzeug.datastructures import Authorization

from mocks.core.errors import ApiError, error_body
from mocks.core.ids import IdSource, run_ids
from mocks.core.runtime import MockRuntime
from mocks.core.webhooks import Dispatcher, Message
from mocks.sopost.catalogue import Organisation
from mocks.sopost.config import SoPostConfig
from mocks.sopost.fake import seeded_faker
from mocks.sopost.fixtures import build_world
from mocks.sopost.orders import DECISIONS, PENDING
from mocks.sopost.state import SoPostState
from mocks.sopost.subscriptions import Subscription

__all__ = ["WEBHOOK_USER_AGENT", "SoPostMock"]

WEBHOOK_USER_AGENT = "SoPost-Webhooks/1.0 (mockkit)"


class SoPostMock:
    """Everything one SoPost mock owns. :meth:`reset` swaps in a freshly built state."""

    def __init__(self, config: SoPostConfig) -> None:
        self.config = config
        self.config.lifecycle.seed = config.runtime.seed
        self.runtime = MockRuntime("sopost", config.runtime, error_body)
        self.runtime.resolving_paths = ("/webhooks",)  # a subscription's host is resolved
        self.dispatcher = Dispatcher(
            self.runtime.scheduler,
            self.runtime.faults,
            user_agent=WEBHOOK_USER_AGENT,
            schedule_scale=config.retry_scale,
            timeout=config.webhook_timeout,
            allowed_hosts=config.allow_webhook_hosts,
            workers=config.webhook_workers,
            on_error=self.runtime.failures.record,
        )
        enum = self.runtime.spec.document["components"]["schemas"]["OrderStatus"]["enum"]
        self.distribution_stages = tuple(s for s in enum if s not in (PENDING, *DECISIONS))
        self.runtime.ids, self.faker, self.state = self._fresh_state()

    def _fresh_state(self) -> tuple[IdSource, Faker, SoPostState]:
        """The seed's world anew: ids, the Faker behind on-demand orders, and the state."""
        seed = self.config.runtime.seed
        ids = run_ids(seed, self.config.runtime.id_seed)
        faker = seeded_faker(seed + 1)
        world = build_world(seed, self.config.fixture_orders)
        state = SoPostState(
            world.catalogue,
            world.orders,
            self.runtime.scheduler,
            ids,
            self.config.lifecycle,
            self.distribution_stages,
            emit=self._deliver,
        )
        return ids, faker, state

    def _deliver(self, subscription: Subscription, event: dict[str, Any]) -> None:
        self.dispatcher.enqueue(
            Message(
                subscription.id,
                subscription.url,
                subscription.secret,
                event["event_id"],
                event["event"],
                event,
            )
        )

    def unsubscribe(self, organisation_id: str, subscription_id: str) -> None:
        """Delete a subscription and cancel every delivery still due to it (queued, delayed or
        waiting for a retry): after the 204, nothing more arrives."""
        self.state.subscriptions.unsubscribe(organisation_id, subscription_id)
        self.dispatcher.cancel(subscription_id)

    def reset(self) -> None:
        self.dispatcher.clear()
        self.runtime.ids, self.faker, self.state = self._fresh_state()

    def start(self) -> None:
        self.runtime.scheduler.start()
        self.dispatcher.start()

    def stop(self) -> None:
        self.runtime.scheduler.stop()
        self.dispatcher.stop()

    def authenticate(self, headers: Mapping[str, str]) -> Organisation:
        """HTTP Basic credentials name the organisation; none means the default one."""
        catalogue = self.state.catalogue
        if "Authorization" not in headers:
            if self.config.require_auth:
                raise _unauthorized(
                    "Authentication required: send HTTP Basic credentials "
                    "(your API user id and password)."
                )
            return catalogue.organisations[catalogue.default_organisation_id]
        auth = _basic_credentials(headers.get("Authorization"))
        if auth is None or auth.type != "basic":
            raise _unauthorized(
                "Use HTTP Basic authentication: Authorization: Basic base64(user:password)."
            )
        found = self.state.catalogue.organisation_for(auth.username or "", auth.password or "")
        if found is None:
            raise _unauthorized(
                "Unknown API credentials; check the user id and password "
                "(GET /_mock/organisations lists the mock's)."
            )
        return found


@functools.lru_cache(maxsize=256)
def _basic_credentials(header: str | None) -> Authorization | None:
    """The parsed ``Authorization`` header: a client sends the same one on every request."""
    return Authorization.from_header(header)


def _unauthorized(message: str) -> ApiError:
    return ApiError("unauthorized", message, headers={"WWW-Authenticate": 'Basic realm="SoPost"'})
