"""The SoPost mock's Flask layer: authenticate, call one state method, render.

``create_app(config)`` builds everything the mock owns (state, clock, dispatcher) and keeps it
in ``app.extensions["mockkit"]``; nothing lives at module level, so tests can build as many
independent mocks as they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from faker import Faker
from flask import Flask, g, request

from mocks.core.app import build_app
from mocks.core.errors import ApiError, error_body
from mocks.core.ids import IdSource
from mocks.core.runtime import MockRuntime, RuntimeConfig
from mocks.core.spec import Operation, ValidatedRequest
from mocks.core.webhooks import Dispatcher
from mocks.sopost.control import sopost_control_handlers
from mocks.sopost.fixtures import build_world
from mocks.sopost.state import DECISIONS, PENDING, LifecycleConfig, Organisation, SoPostState

__all__ = ["SoPostConfig", "SoPostMock", "create_app"]

WEBHOOK_USER_AGENT = "SoPost-Webhooks/1.0 (mockkit)"


@dataclass
class SoPostConfig:
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    lifecycle: LifecycleConfig = field(default_factory=LifecycleConfig)
    require_auth: bool = False
    fixture_orders: int = 50
    webhook_timeout: float = 10.0
    retry_scale: float = 1.0  # multiplies the webhook retry schedule (verify compresses it)
    allow_webhook_hosts: tuple[str, ...] = ()
    webhook_workers: int = 4


class SoPostMock:
    """Everything one SoPost mock owns. :meth:`reset` swaps in a freshly built state."""

    def __init__(self, config: SoPostConfig) -> None:
        self.config = config
        self.config.lifecycle.seed = config.runtime.seed
        self.runtime = MockRuntime("sopost", config.runtime, error_body)
        self.dispatcher = Dispatcher(
            self.runtime.scheduler,
            self.runtime.faults,
            user_agent=WEBHOOK_USER_AGENT,
            schedule_scale=config.retry_scale,
            timeout=config.webhook_timeout,
            allowed_hosts=config.allow_webhook_hosts,
            workers=config.webhook_workers,
        )
        enum = self.runtime.spec.document["components"]["schemas"]["OrderStatus"]["enum"]
        self.distribution_stages = tuple(s for s in enum if s not in (PENDING, *DECISIONS))
        self.state = self._fresh_state()

    def _fresh_state(self) -> SoPostState:
        seed = self.config.runtime.seed
        self.runtime.ids = IdSource(seed)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed + 1)
        world = build_world(seed, self.config.fixture_orders)
        return SoPostState(
            world.catalogue,
            world.orders,
            self.runtime.scheduler,
            self.runtime.ids,
            self.config.lifecycle,
            self.distribution_stages,
            emit=self._deliver,
        )

    def _deliver(self, subscription: Any, event: dict[str, Any]) -> None:
        self.dispatcher.enqueue(
            subscription.id,
            subscription.url,
            subscription.secret,
            event["event_id"],
            event["event"],
            event,
        )

    def reset(self) -> None:
        self.dispatcher.clear()
        self.state = self._fresh_state()

    def start(self) -> None:
        self.runtime.scheduler.start()
        self.dispatcher.start()

    def stop(self) -> None:
        self.runtime.scheduler.stop()
        self.dispatcher.stop()

    def authenticate(self, _: Operation) -> Organisation:
        """HTTP Basic credentials name the organisation; none means the default one."""
        catalogue = self.state.catalogue
        if "Authorization" not in request.headers:
            if self.config.require_auth:
                raise _unauthorized(
                    "Authentication required: send HTTP Basic credentials "
                    "(your API user id and password)."
                )
            organisation = catalogue.organisations[catalogue.default_organisation_id]
        else:
            auth = request.authorization
            if auth is None or auth.type != "basic":
                raise _unauthorized(
                    "Use HTTP Basic authentication: Authorization: Basic base64(user:password)."
                )
            found = self.state.organisation_for(auth.username or "", auth.password or "")
            if found is None:
                raise _unauthorized(
                    "Unknown API credentials; check the user id and password "
                    "(GET /_mock/organisations lists the mock's)."
                )
            organisation = found
        g.account = organisation.id
        return organisation


def _unauthorized(message: str) -> ApiError:
    return ApiError("unauthorized", message, headers={"WWW-Authenticate": 'Basic realm="SoPost"'})


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


def api_handlers(mock: SoPostMock) -> dict[str, Any]:
    """One small function per operationId in ``openapi/sopost.yaml``."""

    def create_webhook(req: ValidatedRequest) -> tuple[dict, int]:
        subscription = mock.state.subscribe(req.context.id, **req.body)
        return subscription.to_api(), 201

    def list_webhooks(req: ValidatedRequest) -> list[dict]:
        return [s.to_api() for s in mock.state.subscriptions(req.context.id)]

    def get_webhook(req: ValidatedRequest) -> dict:
        return mock.state.subscription(req.context.id, req.path_params["webhook_id"]).to_api()

    def delete_webhook(req: ValidatedRequest) -> tuple[str, int]:
        mock.state.unsubscribe(req.context.id, req.path_params["webhook_id"])
        return "", 204

    def create_order(req: ValidatedRequest) -> tuple[dict, int]:
        activity = mock.state.visible_activity(req.context.id, req.body["activity_id"])
        fields = {
            **req.body,
            "consents": mock.state.consents_for(activity, req.body.get("consents", [])),
        }
        order = mock.state.place_order(req.context.id, fields)
        return {**order.to_api(), "created": _iso(order.created)}, 201

    def get_order(req: ValidatedRequest) -> dict:
        return mock.state.order(req.path_params["order_id"], req.context.id).to_api()

    def list_organisations(req: ValidatedRequest) -> list[dict]:
        return [{"id": req.context.id, "name": req.context.name}]

    def list_campaigns(req: ValidatedRequest) -> list[dict]:
        activities = mock.state.catalogue.activities
        return [
            {
                "id": c.id,
                "name": c.name,
                "organisation_id": c.organisation_id,
                "activities": [{"id": a, "name": activities[a].name} for a in c.activity_ids],
            }
            for c in mock.state.campaigns_of(req.context.id)
        ]

    def list_activity_products(req: ValidatedRequest) -> list[dict]:
        return mock.state.visible_activity(req.context.id, req.path_params["activity_id"]).products

    def list_activity_consents(req: ValidatedRequest) -> list[dict]:
        activity = mock.state.visible_activity(req.context.id, req.path_params["activity_id"])
        return [
            {"id": c.id, "consent_name": c.consent_name, "data_handler": c.data_handler}
            for c in activity.consents
        ]

    return {
        "createWebhook": create_webhook,
        "listWebhooks": list_webhooks,
        "getWebhook": get_webhook,
        "deleteWebhook": delete_webhook,
        "createOrder": create_order,
        "getOrder": get_order,
        "listOrganisations": list_organisations,
        "listCampaigns": list_campaigns,
        "listActivityProducts": list_activity_products,
        "listActivityConsents": list_activity_consents,
    }


def create_app(config: SoPostConfig | None = None, *, start: bool = True) -> Flask:
    """A SoPost mock app; ``start`` runs its scheduler and webhook senders (off for unit tests)."""
    mock = SoPostMock(config or SoPostConfig())
    app = build_app(
        __name__, mock, api_handlers(mock), sopost_control_handlers(mock), prefixes=("", "/v1")
    )
    if start:
        mock.start()
    return app
