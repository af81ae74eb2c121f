"""The harness's /status: JSON for programs, HTML for a person, sign-in, retry, escaping."""

from __future__ import annotations

import re

import requests

from mockkit.demo_stack import Stack
from tests.support import wait_until

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def signed_in(stack: Stack) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.harness.url}/status", headers=HTML, timeout=5)
    assert page.status_code == 401 and 'name="token"' in page.text
    token = re.search(r'name="csrf_token" value="(\w+)"', page.text).group(1)
    answer = session.post(
        f"{stack.harness.url}/status/sign-in",
        data={"token": stack.admin_token, "csrf_token": token},
        headers=HTML,
        timeout=5,
    )
    assert answer.status_code == 200 and "Harness status" in answer.text
    assert stack.admin_token not in str(session.cookies.get_dict())  # a digest, not the token
    return session


def test_programs_still_get_json_and_need_the_token(stack: Stack) -> None:
    url = f"{stack.harness.url}/status"
    assert requests.get(url, timeout=5).status_code == 401
    answer = requests.get(url, headers={"Authorization": f"Bearer {stack.admin_token}"}, timeout=5)
    assert answer.headers["Content-Type"] == "application/json" and "inbox" in answer.json()


def test_a_wrong_token_or_a_forged_form_does_not_sign_in(stack: Stack) -> None:
    session = requests.Session()
    session.get(f"{stack.harness.url}/status", headers=HTML, timeout=5)
    forged = session.post(
        f"{stack.harness.url}/status/sign-in", data={"token": stack.admin_token}, timeout=5
    )
    assert forged.status_code == 403
    assert session.get(f"{stack.harness.url}/status", headers=HTML, timeout=5).status_code == 401


def test_a_dead_letter_is_retried_from_the_page(stack: Stack) -> None:
    session = signed_in(stack)
    stack.mocks.poplar.add_fault(method="POST", path="/v1/order", status=400, times=1)
    order = stack.mocks.sopost.create_order(
        outcome="APPROVED", distribute=False, full_name="<b>Dora</b>"
    )
    page = wait_until(
        lambda: (
            (p := session.get(f"{stack.harness.url}/status", headers=HTML, timeout=5))
            and order["id"] in p.text.split("Skipped, by reason")[0]
            and p
        ),
        timeout=20,
        message="the dead letter on the status page",
    )
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert all(o["order_id"] != order["id"] for o in stack.mocks.poplar.orders())
    action = re.search(r'action="(/status/dead-letters/\w+/retry)"', page.text).group(1)
    without_token = session.post(stack.harness.url + action, timeout=5)
    assert without_token.status_code == 403
    token = re.search(r'name="csrf_token" value="(\w+)"', page.text).group(1)
    retried = session.post(
        stack.harness.url + action, data={"csrf_token": token}, headers=HTML, timeout=5
    )
    assert retried.status_code == 200 and "back in the inbox" in retried.text
    wait_until(
        lambda: any(o["order_id"] == order["id"] for o in stack.mocks.poplar.orders()),
        timeout=20,
        message="the retried order in Poplar",
    )


def test_events_list_each_orders_decisions_newest_first(stack: Stack) -> None:
    order = stack.mocks.sopost.create_order(email="eve+reject@example.com")
    headers = {"Authorization": f"Bearer {stack.admin_token}"}
    events = wait_until(
        lambda: [
            e
            for e in requests.get(
                f"{stack.harness.url}/events",
                params={"order_id": order["id"]},
                headers=headers,
                timeout=5,
            ).json()["events"]
            if e["state"] == "skipped" and e["event"] == "REJECTED"
        ],
        timeout=20,
        message="the REJECTED event's decision",
    )
    assert events[0]["reason"] == "rejected" and events[0]["order_id"] == order["id"]
