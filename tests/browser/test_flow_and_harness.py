"""A person watching the demo: orders appear in the flow view without a reload, a dead letter
is retried from the harness page, and nothing anyone typed runs as script."""

from __future__ import annotations

from mockkit.demo_stack import Stack
from tests.browser.conftest import shoot

SCRIPT_NAME = "<script>alert(1)</script>"


def test_the_flow_view_follows_an_order_live_and_opens_its_timeline(stack: Stack, page) -> None:
    page.goto(f"{stack.ui.url}/")
    page.get_by_text("No order has moved yet").wait_for()
    order = stack.mocks.sopost.create_order(outcome="APPROVED", full_name="Ada Lovelace")
    row = page.locator(f'tr[data-order-id="{order["id"]}"]')
    row.locator(".poplar", has_text="stored").wait_for()  # no reload: refresh.js swaps the table
    assert "forwarded (created)" in row.locator(".decision").inner_text()
    stack.mocks.sopost.create_order(full_name="Brian Cox", outcome="APPROVED", consents=[])
    stack.mocks.sopost.create_order(full_name="Chloe Ng", email="chloe+reject@example.com")
    page.locator("tr", has_text="Chloe Ng").locator(".decision", has_text="rejected").wait_for()
    page.locator("tr", has_text="Brian Cox").locator(".decision", has_text="no_consent").wait_for()
    shoot(page, "flow-view")
    row.get_by_role("link", name="Ada Lovelace").click()
    page.locator("ol.timeline li", has_text="order stored").wait_for()
    assert page.locator("ol.timeline li", has_text="webhook APPROVED attempt 1: 202").count() == 1
    shoot(page, "flow-timeline")


def test_a_dead_letter_is_retried_from_the_harness_page(stack: Stack, page) -> None:
    stack.mocks.poplar.add_fault(method="POST", path="/v1/order", status=400, times=1)
    # Stopped at APPROVED, so no later event forwards it meanwhile: only the retry can.
    order = stack.mocks.sopost.create_order(
        outcome="APPROVED", distribute=False, full_name="Dora Dead"
    )
    page.goto(f"{stack.harness.url}/status")
    letter = page.locator("#dead-letters tr", has_text=order["id"])
    letter.wait_for()  # the page refreshes itself
    shoot(page, "harness-status")
    letter.get_by_role("button", name="Retry").click()
    page.get_by_role("status").filter(has_text="back in the inbox").wait_for()
    page.goto(f"{stack.ui.url}/")
    page.locator(f'tr[data-order-id="{order["id"]}"] .poplar', has_text="stored").wait_for()


def test_what_a_user_typed_renders_as_text(stack: Stack, page) -> None:
    order = stack.mocks.sopost.create_order(outcome="APPROVED", full_name=SCRIPT_NAME)
    page.goto(f"{stack.ui.url}/")
    link = page.locator(f'tr[data-order-id="{order["id"]}"] a')
    assert link.inner_text() == SCRIPT_NAME  # shown as text; the fixture fails on any dialog
    link.click()
    assert page.locator("h1").inner_text() == SCRIPT_NAME
