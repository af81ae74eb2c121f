"""Poplar's own control operations: stored orders and the audience per account, and purge.

Accounts are shown by id, name and a masked token; a token never leaves the mock in full.
"""

from __future__ import annotations

from typing import Any

from mocks.core.errors import ApiError
from mocks.core.spec import ValidatedRequest
from mocks.poplar.mock import PoplarMock
from mocks.poplar.state import Account

__all__ = ["poplar_control_handlers"]


def poplar_control_handlers(mock: PoplarMock) -> dict[str, Any]:
    def accounts(req: ValidatedRequest) -> list[Account]:
        wanted = req.query.get("account_id")
        found = [a for a in mock.state.accounts() if wanted in (None, a.id)]
        if wanted is not None and not found:
            raise ApiError(
                "not_found",
                f"No account {wanted}; GET /_mock/orders lists the "
                "accounts that have called the mock.",
                field="account_id",
            )
        return found

    def list_orders(req: ValidatedRequest) -> dict[str, Any]:
        chosen = accounts(req)
        return {
            "accounts": [_account(a) for a in chosen],
            "orders": [
                {
                    **order.to_api(),
                    "account_id": a.id,
                    "received_at": order.received_at,
                    "updated_at": order.updated_at,
                }
                for a in chosen
                for order in mock.state.orders(a)
            ],
        }

    def audience(req: ValidatedRequest) -> dict[str, Any]:
        return {
            "audiences": [
                {
                    **_account(a),
                    "audience": (mock.state.audiences(a) or [None])[0],
                    "members": mock.state.audience_records(a),
                }
                for a in accounts(req)
            ]
        }

    def purge(req: ValidatedRequest) -> dict[str, Any]:
        return {"purged": sum(mock.state.purge(a) for a in accounts(req))}

    return {"listMockOrders": list_orders, "getMockAudience": audience, "purgeMockOrders": purge}


def _account(account: Account) -> dict[str, Any]:
    return {
        "account_id": account.id,
        "name": account.name,
        "token": account.token_hint,
        "order_count": len(account.orders),
    }
