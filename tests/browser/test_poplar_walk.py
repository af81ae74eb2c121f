"""The forwarded order on Poplar's Transactions page: sign in with the harness's token, find
the order and its two audience records, purge it."""

from __future__ import annotations

from mockkit.apps import DEMO_POPLAR_TOKEN
from mockkit.demo_stack import Stack
from tests.browser.conftest import shoot
from tests.support import wait_until


def test_find_the_order_on_the_transactions_page_and_purge_it(stack: Stack, page) -> None:
    order = stack.mocks.sopost.create_order(outcome="APPROVED", full_name="Katherine Johnson")
    wait_until(
        lambda: any(o["order_id"] == order["id"] for o in stack.mocks.poplar.orders()),
        timeout=20,
        message="the order in Poplar",
    )
    page.goto(f"{stack.mocks.poplar_url}/transactions")
    page.get_by_label("Poplar API token").fill(DEMO_POPLAR_TOKEN)
    page.get_by_role("button", name="Show this account").click()
    page.locator("#orders tr", has_text=order["id"]).wait_for()
    assert page.locator("#audience tr", has_text=order["id"]).count() == 2  # shipping, billing
    assert DEMO_POPLAR_TOKEN not in page.content()  # only ever shown masked
    shoot(page, "poplar-transactions")
    page.get_by_label("Confirmation").fill("purge")
    page.get_by_role("button", name="Purge stored orders").click()
    page.get_by_role("status").filter(has_text="Purged").wait_for()
    assert page.locator("#orders tr", has_text=order["id"]).count() == 0
    assert not any(o["order_id"] == order["id"] for o in stack.mocks.poplar.orders())
