"""A person drives the demo from SoPost's page: creates an order, watches the flow view (never
reloaded) show it approved and in Poplar, moves it on, adds a fault, reads the API docs."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from mockkit.demo_stack import Stack
from tests.browser.conftest import shoot


def test_an_order_made_on_the_sopost_page_reaches_poplar_in_the_flow_view(
    stack: Stack, new_page
) -> None:
    flow = new_page()
    flow.goto(f"{stack.ui.url}/")
    sopost = new_page()
    sopost.goto(f"{stack.mocks.sopost_url}/_mock/ui")
    form = sopost.locator("#create-order")
    form.get_by_label("Name").fill("Grace Hopper")
    form.get_by_label("Outcome").select_option("APPROVED")
    form.get_by_label("Marketing consent").select_option("SoPost marketing")
    form.get_by_label("Custom questions").fill("Skin type: Dry; Oily")
    form.get_by_role("button", name="Create order").click()
    sopost.get_by_role("heading", name="Grace Hopper").wait_for()
    # The page refreshes itself: the APPROVED webhook appears, the status moves past PENDING.
    sopost.locator("#deliveries .badge", has_text="APPROVED").first.wait_for()
    assert sopost.locator("#order-status").inner_text() != "PENDING"
    shoot(sopost, "sopost-order")
    row = flow.locator("tr", has_text="Grace Hopper")
    row.locator(".poplar", has_text="stored").wait_for()
    assert row.locator(".decision").inner_text() == "forwarded (created)"
    sopost.goto(f"{stack.mocks.sopost_url}/_mock/ui")
    sopost.locator("#orders tr", has_text="Grace Hopper").wait_for()
    shoot(sopost, "sopost-orders")


def test_approve_a_pending_order_and_redeliver_its_webhook(stack: Stack, page) -> None:
    order = stack.mocks.sopost.create_order(full_name="Hedy Lamarr", outcome="PENDING")
    page.goto(f"{stack.mocks.sopost_url}/_mock/ui/orders/{order['id']}")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("status").filter(has_text="Order is now APPROVED").wait_for()
    page.locator("#deliveries tr", has_text="APPROVED").first.wait_for()
    page.locator("#deliveries tr", has_text="APPROVED").get_by_role("button").first.click()
    page.get_by_role("status").filter(has_text="Delivery queued again").wait_for()
    page.locator("#deliveries tr", has_text="redelivery").wait_for()
    stored = [o for o in stack.mocks.poplar.orders() if o["order_id"] == order["id"]]
    assert len(stored) <= 1  # the duplicate changes nothing


def test_a_fault_rule_is_added_and_removed_on_the_controls_page(stack: Stack, page) -> None:
    page.goto(f"{stack.mocks.sopost_url}/_mock/ui/controls")
    page.get_by_label("Path (glob)").fill("/v1/campaigns")
    page.get_by_label("Answer status").fill("503")
    page.get_by_role("button", name="Add fault").click()
    page.get_by_role("status").filter(has_text="Fault rule added").wait_for()
    assert any(f["path"] == "/v1/campaigns" for f in stack.mocks.sopost.faults())
    shoot(page, "sopost-controls")
    page.locator("#faults tr", has_text="/v1/campaigns").get_by_role("button").click()
    page.get_by_role("status").filter(has_text="Fault rule removed").wait_for()
    assert stack.mocks.sopost.faults() == []


def test_the_docs_page_lists_every_operation_of_both_specs(stack: Stack, page) -> None:
    for url in (stack.mocks.sopost_url, stack.mocks.poplar_url):
        vendor = requests.get(f"{url}/_mock/health", timeout=5).json()["vendor"]
        specs = {
            name: requests.get(f"{url}/_mock/docs/{name}.json", timeout=5).json()
            for name in (vendor, "control")
        }
        page.goto(f"{url}/_mock/docs")
        for index, document in enumerate(specs.values()):
            expected = sum(
                1
                # OAS 3.1 webhooks (SoPost's OrderEvent) are listed beside the paths
                for item in [*document["paths"].values(), *document.get("webhooks", {}).values()]
                for method in item
                if method in ("get", "post", "put", "delete", "patch")
            )
            if index:
                page.locator(".topbar select").select_option(index=index)
            expect(page.locator(".opblock")).to_have_count(expected)
            if index == 0:
                shoot(page, f"{vendor}-docs")
