"""The flow view reads the three services over HTTP: one row per order, a timeline per order."""

from __future__ import annotations

import requests

from mockkit.demo_stack import Stack
from tests.support import wait_until

NAME = "<script>alert(1)</script>"


def test_an_order_becomes_a_row_with_its_decision_and_poplar(stack: Stack) -> None:
    order = stack.mocks.sopost.create_order(outcome="APPROVED", full_name=NAME)

    def row() -> dict | None:
        """The order's row once all three services are done with it: Poplar stores the order
        before the harness records its decision and SoPost records the 202 it got."""
        rows = requests.get(f"{stack.ui.url}/api/flow", timeout=5).json()["rows"]
        found = [r for r in rows if r["order_id"] == order["id"]]
        settled = found and (
            found[0]["poplar"]["text"] == "stored"
            and found[0]["decision"]["tone"] == "ok"
            and any(w[0] == "APPROVED" and w[3] == "ok" for w in found[0]["webhooks"])
        )
        return found[0] if settled else None

    found = wait_until(row, timeout=20, message="the order stored in Poplar and decided")
    assert found["decision"] == {"text": "forwarded (created)", "tone": "ok"}
    assert [w[0] for w in found["webhooks"]][:2] == ["PENDING", "APPROVED"]
    fragment = requests.get(f"{stack.ui.url}/live", timeout=5).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment and NAME not in fragment
    timeline = requests.get(f"{stack.ui.url}/orders/{order['id']}", timeout=5)
    assert timeline.status_code == 200 and NAME not in timeline.text
    for text in ("status APPROVED", "APPROVED attempt 1: 202", "order stored"):
        assert text in timeline.text


def test_foreign_host_headers_are_refused(stack: Stack) -> None:
    answer = requests.get(f"{stack.ui.url}/", headers={"Host": "attacker.example"}, timeout=5)
    assert answer.status_code == 421


def test_an_unknown_order_is_404(stack: Stack) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert requests.get(f"{stack.ui.url}/orders/{missing}", timeout=5).status_code == 404
