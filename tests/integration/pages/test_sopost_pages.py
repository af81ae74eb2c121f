"""SoPost's /_mock/ui and both mocks' /_mock/docs over HTTP: forms need their token, what a
user typed is escaped, the reference is the served spec."""

from __future__ import annotations

import re

import requests

from mockkit.demo_stack import Stack

SCRIPT = "<script>alert(1)</script>"


def token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=5)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="(\w+)"', page.text).group(1)


def test_creating_an_order_needs_the_forms_token(stack: Stack) -> None:
    ui = f"{stack.mocks.sopost_url}/_mock/ui"
    session = requests.Session()
    before = len(stack.mocks.sopost.orders())
    forged = session.post(f"{ui}/orders", data={"full_name": "Mallory"}, timeout=5)
    assert forged.status_code == 403 and len(stack.mocks.sopost.orders()) == before
    made = session.post(
        f"{ui}/orders",
        data={"csrf_token": token(session, ui), "full_name": SCRIPT, "outcome": "REJECTED"},
        timeout=5,
    )
    assert made.status_code == 200 and len(stack.mocks.sopost.orders()) == before + 1
    assert SCRIPT not in made.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in made.text
    listing = session.get(ui, timeout=5).text
    assert SCRIPT not in listing and "&lt;script&gt;" in listing


def test_a_form_the_control_api_would_refuse_is_refused_with_its_message(stack: Stack) -> None:
    ui = f"{stack.mocks.sopost_url}/_mock/ui"
    session = requests.Session()
    answer = session.post(
        f"{ui}/orders",
        data={"csrf_token": token(session, ui), "email": "not an e-mail"},
        timeout=5,
    )
    assert answer.status_code == 400 and "email" in answer.text


def test_filters_narrow_the_orders(stack: Stack) -> None:
    rejected = stack.mocks.sopost.create_order(full_name="Filter Me", outcome="REJECTED")
    page = requests.get(
        f"{stack.mocks.sopost_url}/_mock/ui", params={"status": "APPROVED"}, timeout=5
    ).text
    assert rejected["id"] not in page.split('id="orders"')[-1]


def test_the_docs_serve_the_specs_the_mock_runs_on(stack: Stack) -> None:
    for url, vendor, other in (
        (stack.mocks.sopost_url, "sopost", "poplar"),
        (stack.mocks.poplar_url, "poplar", "sopost"),
    ):
        page = requests.get(f"{url}/_mock/docs", timeout=5)
        assert page.status_code == 200 and "<script>" not in page.text  # scripts are files
        assert page.headers["Content-Security-Policy"].count("script-src 'self';") == 1
        vendor_spec = requests.get(f"{url}/_mock/docs/{vendor}.json", timeout=5).json()
        assert vendor_spec["info"]["title"]
        control = requests.get(f"{url}/_mock/docs/control.json", timeout=5).json()
        operations = [op for item in control["paths"].values() for op in item.values()]
        assert operations and all(vendor in op["x-mock"] for op in operations)
        assert all(other not in op.get("tags", []) for op in operations)
