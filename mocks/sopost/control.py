"""SoPost's own control operations: catalogue with credentials, orders on demand, deliveries.

``POST /_mock/orders`` fills every field a test leaves out with seeded Faker data, so a test
states only what matters to it (an outcome, a consent, an e-mail) and stays deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.core.errors import ApiError
from mocks.core.spec import ValidatedRequest
from mocks.sopost.catalogue import Activity
from mocks.sopost.mock import SoPostMock

__all__ = ["sopost_control_handlers"]


def sopost_control_handlers(mock: SoPostMock) -> dict[str, Any]:
    def list_organisations(_: ValidatedRequest) -> dict[str, Any]:
        catalogue = mock.state.catalogue
        return {
            "organisations": [
                {
                    "id": o.id,
                    "name": o.name,
                    "api_user": o.api_user,
                    "api_password": o.api_password,
                    "default": o.id == catalogue.default_organisation_id,
                    "campaigns": [
                        _campaign(mock, c.id) for c in mock.state.catalogue.campaigns_of(o.id)
                    ],
                }
                for o in catalogue.organisations.values()
            ]
        }

    def list_orders(req: ValidatedRequest) -> dict[str, Any]:
        orders = mock.state.orders(req.query.get("organisation_id"), req.query.get("status"))
        return {
            "orders": [
                {**o.to_api(), "organisation_id": o.organisation_id, "campaign_id": o.campaign_id}
                for o in orders
            ]
        }

    def create_order(req: ValidatedRequest) -> tuple[dict[str, Any], int]:
        body = dict(req.body)
        catalogue = mock.state.catalogue
        activity_id = body.get("activity_id") or _default_activity(mock)
        activity = catalogue.activities.get(activity_id)
        if activity is None:
            raise ApiError(
                "not_found",
                f"No activity {activity_id}; GET /_mock/organisations lists every activity.",
                field="activity_id",
            )
        organisation_id = catalogue.campaigns[activity.campaign_id].organisation_id
        fields = _with_defaults(mock, activity, body)
        order = mock.state.place_order(
            organisation_id,
            fields,
            outcome=body.get("outcome"),
            distribute=body.get("distribute", True),
        )
        return order.to_api(), 201

    def transition(req: ValidatedRequest) -> dict[str, Any]:
        order = mock.state.transition(
            req.path_params["order_id"], req.body["status"], resume=req.body.get("continue", False)
        )
        return order.to_api()

    def list_deliveries(req: ValidatedRequest) -> dict[str, Any]:
        return {"deliveries": [d.to_dict() for d in mock.dispatcher.deliveries(**req.query)]}

    def redeliver(req: ValidatedRequest) -> tuple[dict[str, Any], int]:
        again = mock.dispatcher.redeliver(req.path_params["delivery_id"])
        if again is None:
            raise ApiError(
                "not_found",
                f"No delivery {req.path_params['delivery_id']}; GET /_mock/deliveries lists them.",
                field="delivery_id",
            )
        return again.to_dict(), 202

    return {
        "listMockOrganisations": list_organisations,
        "listMockOrders": list_orders,
        "createMockOrder": create_order,
        "transitionMockOrder": transition,
        "listDeliveries": list_deliveries,
        "redeliver": redeliver,
    }


def _campaign(mock: SoPostMock, campaign_id: str) -> dict[str, Any]:
    campaign = mock.state.catalogue.campaigns[campaign_id]
    activities = [mock.state.catalogue.activities[a] for a in campaign.activity_ids]
    return {
        "id": campaign.id,
        "name": campaign.name,
        "activities": [
            {
                "id": a.id,
                "name": a.name,
                "stock_partition_ids": sorted(a.stock_partition_ids()),
                "consents": [
                    {"id": c.id, "consent_name": c.consent_name, "data_handler": c.data_handler}
                    for c in a.consents
                ],
            }
            for a in activities
        ],
    }


def _default_activity(mock: SoPostMock) -> str:
    catalogue = mock.state.catalogue
    first = mock.state.catalogue.campaigns_of(catalogue.default_organisation_id)[0]
    return first.activity_ids[0]


def _with_defaults(mock: SoPostMock, activity: Activity, body: dict[str, Any]) -> dict[str, Any]:
    """The order's fields: the test's overrides on top of seeded, realistic defaults."""
    fake = mock.faker
    address = {
        "line_1": f"{fake.building_number()} {fake.street_name()}",
        "line_2": None,
        "town": fake.city(),
        "district": None,
        "territory": "GBR",
        "postcode": fake.postcode(),
    }
    address.update(body.get("address", {}))
    sopost_consent = activity.consents[0]
    ids = mock.runtime.ids
    consents = (
        [_consent(activity, given, ids.uuid) for given in body["consents"]]
        if "consents" in body
        else [_consent(activity, {"consent_id": sopost_consent.id}, ids.uuid)]
    )
    return {
        **{
            key: value
            for key, value in body.items()
            if key not in ("outcome", "distribute", "consents", "address")
        },
        "activity_id": activity.id,
        "full_name": body.get("full_name") or fake.name(),
        "email": body.get("email") or f"{fake.user_name()}.{mock.runtime.ids.hex(6)}@example.com",
        "address": address,
        "line_items": body.get("line_items")
        or [{"stock_partition_id": sorted(activity.stock_partition_ids())[0]}],
        "consents": consents,
    }


def _consent(
    activity: Activity, given: dict[str, Any], new_id: Callable[[], str]
) -> dict[str, str]:
    """A whole consent record: fields the test gave, the rest from the matching definition.

    A consent matching none of the activity's (e.g. another retailer's) gets a fresh id.
    """
    handler = given.get("data_handler")
    match = next(
        (
            d
            for d in activity.consents
            if d.id == given.get("consent_id") or (handler is None or d.data_handler == handler)
        ),
        None,
    )
    handler = handler or (match.data_handler if match else "SoPost")
    return {
        "consent_id": given.get("consent_id") or (match.id if match else new_id()),
        "consent_name": given.get("consent_name")
        or (match.consent_name if match else f"{handler} Marketing Optin"),
        "data_handler": handler,
        "status": given.get("status", "APPROVED"),
    }
