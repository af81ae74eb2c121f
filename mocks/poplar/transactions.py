"""The Transactions page: Poplar's dashboard view of what the Orders API received.

Server-rendered (Jinja, pagekit's look, no JavaScript needed). A visitor sees exactly one
account: the one whose token they entered. The token is kept in an HttpOnly, SameSite=Strict
cookie scoped to this page (never in a URL, never shown unmasked), so a web page can neither
read it nor send it cross-site; there is no list of other accounts, and purge acts only on the
cookie's account. Every form carries a CSRF token (:mod:`pagekit.csrf`); purge also needs the
word "purge" typed into a confirmation field.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for

from mocks.core.clock import iso_utc
from mocks.poplar.mock import PoplarMock
from mocks.poplar.orders import money
from mocks.poplar.state import Account
from mocks.poplar.tokens import token_problem
from pagekit import protect_forms

__all__ = ["TOKEN_COOKIE", "transactions_blueprint"]

CONFIRM_WORD = "purge"
TOKEN_COOKIE = "poplar_dashboard_token"


def transactions_blueprint(mock: PoplarMock, url_prefix: str) -> Blueprint:
    page = Blueprint("transactions", __name__, template_folder="templates")
    protect_forms(page)

    def signed_in() -> tuple[str | None, Account | None]:
        token = request.cookies.get(TOKEN_COOKIE)
        if not token or not mock.state.accepts(token):
            return None, None
        return token, mock.state.find(token)

    @page.get("")
    @page.get("/")
    def show() -> Any:
        token, account = signed_in()
        if token is None:
            return _page(mock, None, signed_in=False)
        return _page(mock, account, purged=request.args.get("purged", type=int))

    @page.post("/sign-in")
    def sign_in() -> Any:
        token = request.form.get("token", "").strip()
        problem = token_problem(token or None, mock.state.tokens)
        if problem is not None:
            return _page(mock, None, signed_in=False, notice=problem.message, status=400)
        response = redirect(url_for("transactions.show"), 303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path=url_prefix)
        return response

    @page.post("/sign-out")
    def sign_out() -> Response:
        response = redirect(url_for("transactions.show"), 303)
        response.delete_cookie(TOKEN_COOKIE, path=url_prefix)
        return response

    @page.post("/purge")
    def purge() -> Any:
        token, account = signed_in()
        if token is None:
            return _page(mock, None, signed_in=False, notice="Enter a token first.", status=400)
        if request.form.get("confirm", "").strip().lower() != CONFIRM_WORD:
            notice = f'Nothing purged: type "{CONFIRM_WORD}" to confirm.'
            return _page(mock, account, notice=notice, status=400)
        count = mock.state.purge(account) if account is not None else 0
        return redirect(url_for("transactions.show", purged=count), 303)

    return page


def _page(
    mock: PoplarMock,
    account: Account | None,
    *,
    signed_in: bool = True,
    notice: str | None = None,
    purged: int | None = None,
    status: int = 200,
) -> tuple[str, int]:
    html = render_template(
        "transactions.html",
        product="Poplar mock",
        signed_in=signed_in,
        account=account,
        notice=notice,
        purged=purged,
        confirm_word=CONFIRM_WORD,
        **(_account_view(mock, account) if account is not None else {}),
    )
    return html, status


def _account_view(mock: PoplarMock, account: Account) -> dict[str, Any]:
    """What the page shows of one account: its orders, its rejected requests, its audience."""
    orders = [
        {
            "received": iso_utc(o.received_at),
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
            "time": iso_utc(e.time),
            "method": e.method,
            "path": e.path,
            "status": e.status,
            "reason": e.error or f"HTTP {e.status}",
        }
        for e in reversed(mock.runtime.journal.entries())
        if e.account == account.id and e.status >= 400
    ]
    audience = (mock.state.audiences(account) or [None])[0]
    members = mock.state.audience_records(account)
    return {"orders": orders, "rejected": rejected, "audience": audience, "members": members}
