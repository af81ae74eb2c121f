"""The Transactions page: Poplar's dashboard view of what the Orders API received.

Server-rendered (Jinja, no JavaScript). An account is picked from a select of the accounts that
have called the mock (``?account=<id>``); ``?token=`` opens a token's account and redirects to
its id so the token does not stay in the address bar. Tokens are only ever shown masked.
Purge is a POST that needs the word "purge" typed into a confirmation field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from mocks.core.errors import ApiError
from mocks.poplar.mock import PoplarMock
from mocks.poplar.orders import money

__all__ = ["transactions_blueprint"]

CONFIRM_WORD = "purge"


def transactions_blueprint(mock: PoplarMock) -> Blueprint:
    page = Blueprint("transactions", __name__, template_folder="templates")

    @page.get("")
    @page.get("/")
    def show() -> Any:
        token = request.args.get("token")
        if token is not None:
            try:
                account = mock.state.account_for(f"Bearer {token}")
            except ApiError as error:
                return _render(mock, None, notice=error.message, status=400)
            return redirect(url_for("transactions.show", account=account.id))
        return _render(
            mock, request.args.get("account"), purged=request.args.get("purged", type=int)
        )

    @page.post("/purge")
    def purge() -> Any:
        account_id = request.form.get("account", "")
        account = mock.state.account(account_id)
        if account is None:
            return _render(mock, None, notice="Choose an account to purge.", status=400)
        if request.form.get("confirm", "").strip().lower() != CONFIRM_WORD:
            return _render(
                mock,
                account.id,
                status=400,
                notice=f'Nothing purged: type "{CONFIRM_WORD}" to confirm.',
            )
        count = mock.state.purge(account)
        return redirect(url_for("transactions.show", account=account.id, purged=count), 303)

    return page


def _render(
    mock: PoplarMock,
    account_id: str | None,
    *,
    notice: str | None = None,
    purged: int | None = None,
    status: int = 200,
) -> tuple[str, int]:
    accounts = mock.state.accounts()
    account = mock.state.account(account_id) if account_id else None
    if account is None and account_id is None and accounts:
        account = accounts[0]
    if account_id and account is None:
        notice = notice or "No such account: pick one from the list."
    orders, rejected, audience = [], [], None
    if account is not None:
        orders = [
            {
                "received": _iso(o.received_at),
                "order_id": o.order_id,
                "total": money(o.total),
                "currency": o.currency,
                "items": [i["identifier"] for i in o.order_items],
                "edited": o.updated_at != o.received_at,
            }
            for o in reversed(mock.state.orders(account))
        ]
        rejected = [
            {
                "time": _iso(e.time),
                "method": e.method,
                "path": e.path,
                "status": e.status,
                "reason": e.error or f"HTTP {e.status}",
            }
            for e in reversed(mock.runtime.journal.entries())
            if e.account == account.id and e.status >= 400
        ]
        audience = (mock.state.audiences(account) or [None])[0]
    html = render_template(
        "transactions.html",
        accounts=accounts,
        account=account,
        orders=orders,
        rejected=rejected,
        audience=audience,
        notice=notice,
        purged=purged,
        confirm_word=CONFIRM_WORD,
    )
    return html, status


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
