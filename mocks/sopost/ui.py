"""SoPost's pages at ``/_mock/ui``: orders with filters, one order's timeline, subscriptions,
and forms that drive the mock (create an order, approve/reject, advance the clock, redeliver,
add a fault rule).

Every form runs the control operation of the same name through :class:`ControlCalls`, so the
page can do exactly what ``/_mock`` can, validated the same way; every form carries a CSRF
token (:mod:`pagekit.csrf`). Server-rendered; the only script is pagekit's live refresh.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from mocks.core.errors import ApiError
from mocks.core.pages import ControlCalls
from mocks.sopost.mock import SoPostMock
from mocks.sopost.orders import Order
from mocks.sopost.ui_forms import CONSENT_CHOICES, OUTCOMES, fault_body, order_body
from pagekit import protect_forms

__all__ = ["sopost_ui_blueprint"]

STATUSES = ("PENDING", "APPROVED", "REJECTED", "PROCESSING", "DISPATCHED", "DELIVERED")
CONSENT_FILTERS = {"": "any", "sopost": "SoPost marketing", "other": "other only", "none": "none"}
SHOWN = 200


def _consent_kind(order: Order) -> str:
    approved = [c for c in order.consents if c.get("status") == "APPROVED"]
    if not approved:
        return "none"
    return "sopost" if any(c.get("data_handler") == "SoPost" for c in approved) else "other"


def _clock(epoch: float | None) -> str:
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def sopost_ui_blueprint(mock: SoPostMock, calls: ControlCalls) -> Blueprint:
    page = Blueprint("sopost_ui", __name__, url_prefix="/_mock/ui", template_folder="templates")
    protect_forms(page)
    page.add_app_template_filter(_clock, "utc")

    def campaigns() -> dict[str, str]:
        return {c.id: c.name for c in mock.state.catalogue.campaigns.values()}

    def render(template: str, code: int = 200, **context: Any) -> tuple[str, int]:
        context.setdefault("notice", request.args.get("notice"))
        context.setdefault("done", request.args.get("done"))
        return render_template(template, campaigns=campaigns(), **context), code

    def listed() -> dict[str, Any]:
        chosen = {k: request.args.get(k, "") for k in ("status", "consent", "campaign")}
        found = [
            o
            for o in mock.state.orders(status=chosen["status"] or None)
            if (not chosen["campaign"] or o.campaign_id == chosen["campaign"])
            and (not chosen["consent"] or _consent_kind(o) == chosen["consent"])
        ]
        found.sort(key=lambda o: (o.created, o.sequence), reverse=True)
        return {
            "orders": found[:SHOWN],
            "total": len(found),
            "chosen": chosen,
            "consent_filters": CONSENT_FILTERS,
            "consent_kind": _consent_kind,
        }

    def activities() -> list[tuple[Any, str]]:
        """Every activity with its organisation's name; the default organisation's first."""
        catalogue = mock.state.catalogue
        found = []
        for activity in catalogue.activities.values():
            organisation = catalogue.organisation_of(activity)
            found.append((organisation != catalogue.default_organisation_id, activity))
        found.sort(key=lambda pair: (pair[0], pair[1].name))
        names = {o.id: o.name for o in catalogue.organisations.values()}
        return [(a, names[catalogue.organisation_of(a)]) for _, a in found]

    def orders_page(code: int = 200, notice: str | None = None) -> tuple[str, int]:
        return render(
            "sopost/orders.html",
            code,
            active="Orders",
            statuses=STATUSES,
            activities=activities(),
            outcomes=OUTCOMES,
            consent_choices=list(CONSENT_CHOICES),
            notice=notice,
            **listed(),
        )

    @page.get("")
    @page.get("/")
    def orders() -> Any:
        return orders_page()

    @page.get("/live")
    def orders_live() -> Any:
        return render("sopost/orders_table.html", **listed())

    @page.post("/orders")
    def create_order() -> Any:
        try:
            order, _ = calls("createMockOrder", order_body(request.form))
        except ApiError as error:
            return orders_page(400, error.message)
        return redirect(url_for("sopost_ui.order", order_id=order["id"]), 303)

    def one_order(template: str, order_id: str) -> Any:
        try:
            found = mock.state.order(order_id)
        except ApiError as error:
            return orders_page(404, error.message)
        deliveries = mock.dispatcher.deliveries(order_id=order_id)
        return render(
            template,
            active="Orders",
            order=found,
            deliveries=[d.to_dict() for d in deliveries],
            statuses=STATUSES,
        )

    @page.get("/orders/<order_id>")
    def order(order_id: str) -> Any:
        return one_order("sopost/order.html", order_id)

    @page.get("/orders/<order_id>/live")
    def order_live(order_id: str) -> Any:
        return one_order("sopost/order_timeline.html", order_id)

    @page.post("/orders/<order_id>/transition")
    def transition(order_id: str) -> Any:
        status = request.form.get("status", "")
        body = {"status": status, "continue": request.form.get("continue") == "on"}
        return _act(
            order_id, f"Order is now {status}.", "transitionMockOrder", body, order_id=order_id
        )

    @page.post("/deliveries/<delivery_id>/redeliver")
    def redeliver(delivery_id: str) -> Any:
        order_id = request.form.get("order_id", "")
        return _act(order_id, "Delivery queued again.", "redeliver", delivery_id=delivery_id)

    def _act(back_to: str, done: str, operation: str, body: Any = None, **params: str) -> Any:
        """Run the operation, then show order ``back_to`` with what happened."""
        try:
            calls(operation, body, **params)
        except ApiError as error:
            notice = error.message
            return redirect(url_for("sopost_ui.order", order_id=back_to, notice=notice), 303)
        return redirect(url_for("sopost_ui.order", order_id=back_to, done=done), 303)

    @page.get("/controls")
    def controls() -> Any:
        return render(
            "sopost/controls.html",
            active="Controls",
            subscriptions=mock.state.subscriptions.all(),
            organisations=mock.state.catalogue.organisations,
            clock=calls("getClock"),
            faults=calls("listFaults")["faults"],
        )

    def _control(done: str, operation: str, body: Any = None, **params: str) -> Any:
        try:
            calls(operation, body, **params)
        except ApiError as error:
            return redirect(url_for("sopost_ui.controls", notice=error.message), 303)
        return redirect(url_for("sopost_ui.controls", done=done), 303)

    @page.post("/clock")
    def advance_clock() -> Any:
        try:
            seconds = float(request.form.get("seconds", ""))
        except ValueError:
            return redirect(url_for("sopost_ui.controls", notice="Give the seconds as a number."))
        return _control(f"Clock advanced {seconds:g} s.", "advanceClock", {"seconds": seconds})

    @page.post("/faults")
    def add_fault() -> Any:
        try:
            body = fault_body(request.form)
        except ValueError:
            return redirect(url_for("sopost_ui.controls", notice="Status and times are numbers."))
        return _control("Fault rule added.", "addFault", body)

    @page.post("/faults/<fault_id>/delete")
    def delete_fault(fault_id: str) -> Any:
        return _control("Fault rule removed.", "deleteFault", fault_id=fault_id)

    return page
