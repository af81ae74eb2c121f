"""The SoPost mock's Flask layer: one small handler per operation, calling one state method.

``create_app(config)`` builds a :class:`~mocks.sopost.mock.SoPostMock` (state, clock, dispatcher)
and keeps it in ``app.extensions["mockkit"]``; nothing lives at module level, so tests can
build as many independent mocks as they like.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from mocks.core.app import build_app
from mocks.core.clock import iso_utc
from mocks.core.pages import install_pages
from mocks.core.spec import ValidatedRequest
from mocks.sopost.catalogue import Activity
from mocks.sopost.config import SoPostConfig
from mocks.sopost.control import sopost_control_handlers
from mocks.sopost.mock import SoPostMock
from mocks.sopost.orders import expand_consents
from mocks.sopost.ui import sopost_ui_blueprint

# The config is create_app's argument, so it is importable from here too.
__all__ = ["SoPostConfig", "create_app"]


def api_handlers(mock: SoPostMock) -> dict[str, Any]:
    """One small function per operationId in ``openapi/sopost.yaml``."""

    def create_webhook(req: ValidatedRequest) -> tuple[dict, int]:
        subscription = mock.state.subscriptions.subscribe(req.context.id, **req.body)
        return subscription.to_api(), 201

    def list_webhooks(req: ValidatedRequest) -> list[dict]:
        return [s.to_api() for s in mock.state.subscriptions.all(req.context.id)]

    def get_webhook(req: ValidatedRequest) -> dict:
        return mock.state.subscriptions.get(req.context.id, req.path_params["webhook_id"]).to_api()

    def delete_webhook(req: ValidatedRequest) -> tuple[str, int]:
        mock.unsubscribe(req.context.id, req.path_params["webhook_id"])
        return "", 204

    def create_order(req: ValidatedRequest) -> tuple[dict, int]:
        activity = mock.state.catalogue.visible_activity(req.context.id, req.body["activity_id"])
        fields = {
            **req.body,
            "consents": expand_consents(activity, req.body.get("consents", [])),
        }
        order = mock.state.place_order(req.context.id, fields)
        # Exactly what the one recorded real answer holds; GET /orders/{id} has the rest.
        return {"id": order.id, "created": iso_utc(order.created, whole_seconds=True)}, 201

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
            for c in mock.state.catalogue.campaigns_of(req.context.id)
        ]

    def _activity(req: ValidatedRequest) -> Activity:
        return mock.state.catalogue.visible_activity(req.context.id, req.path_params["activity_id"])

    def list_activity_products(req: ValidatedRequest) -> list[dict]:
        return _activity(req).products

    def list_activity_consents(req: ValidatedRequest) -> list[dict]:
        return [
            {"id": c.id, "consent_name": c.consent_name, "data_handler": c.data_handler}
            for c in _activity(req).consents
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
    pages = [("Orders", "/_mock/ui"), ("Controls", "/_mock/ui/controls")]
    app.register_blueprint(sopost_ui_blueprint(mock, install_pages(app, "SoPost", pages)))
    if start:
        mock.start()
    return app
