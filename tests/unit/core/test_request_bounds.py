"""Body size, JSON nesting, Host and cross-site rules on both mocks, in the vendor's envelope."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mocks.core.config import RuntimeConfig
from mocks.core.json_body import MAX_JSON_DEPTH
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import SoPostConfig
from mocks.sopost.app import create_app as create_sopost
from servekit.rsgi_bridge import BODY_TIMED_OUT

TOKEN = "prod_bounds"
POPLAR = {"Authorization": f"Bearer {TOKEN}"}


def poplar(**runtime):
    config = PoplarConfig(runtime=RuntimeConfig(clock="manual", **runtime))
    return create_poplar(config, start=False).test_client()


def sopost(**runtime):
    config = SoPostConfig(runtime=RuntimeConfig(clock="manual", **runtime))
    app = create_sopost(config, start=False)
    return app.test_client()


def nested(depth: int) -> bytes:
    return b'{"order_id": "x", "metadata": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 255, 500, 1000, 100_000])
def test_deep_json_is_a_400_in_poplars_envelope_and_is_journaled(depth: int) -> None:
    client = poplar()
    response = client.post(
        "/v1/order", data=nested(depth), headers={**POPLAR, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["title"] == "ValidationError"
    assert (
        "deeper than" in response.json["error"]["message"]
        or "JSON" in (response.json["error"]["message"])
    )
    entries = client.get("/_mock/requests").json["requests"]
    assert [e["status"] for e in entries] == [400]


def test_deep_json_is_a_400_on_sopost_and_the_control_api() -> None:
    client = sopost()
    for path in ("/v1/orders", "/_mock/faults"):
        response = client.post(path, data=nested(300), content_type="application/json")
        assert response.status_code == 400
        assert response.json["error"]["code"] in ("validation_error", "malformed_json")


def test_a_body_over_max_body_is_a_413_in_the_envelope() -> None:
    client = poplar(max_body=1000)
    body = b'{"order_id": "' + b"x" * 2000 + b'"}'
    response = client.post(
        "/v1/order", data=body, headers={**POPLAR, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json["error"]["title"] == "PayloadTooLarge"
    assert "1000 bytes" in response.json["error"]["message"]
    [entry] = client.get("/_mock/requests").json["requests"]
    assert entry["status"] == 413


def test_a_chunked_body_the_server_cut_at_the_limit_is_a_413_without_being_read() -> None:
    """As servekit hands it over: the bytes read so far, and a length past the limit."""
    config = SoPostConfig(runtime=RuntimeConfig(clock="manual", max_body=1000))
    app = create_sopost(config, start=False)
    environ = EnvironBuilder(
        path="/v1/orders", method="POST", content_type="application/json"
    ).get_environ()
    environ.update({"wsgi.input": io.BytesIO(b" " * 1001), "CONTENT_LENGTH": "1001"})
    chunks, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert json.loads(b"".join(chunks))["error"]["code"] == "payload_too_large"
    assert environ["wsgi.input"].tell() == 0


@pytest.mark.parametrize("vendor", ["sopost", "poplar"])
def test_a_body_the_server_timed_out_is_a_408_in_the_envelope_and_journaled(vendor: str) -> None:
    client = sopost() if vendor == "sopost" else poplar()
    path = "/v1/orders" if vendor == "sopost" else "/v1/order"
    response = client.post(
        path,
        data=b"{",
        headers={**POPLAR, "Content-Type": "application/json"},
        environ_overrides={BODY_TIMED_OUT: True},
    )
    assert response.status_code == 408
    error = response.json["error"]
    assert error["code" if vendor == "sopost" else "title"] in ("request_timeout", "RequestTimeout")
    [entry] = client.get("/_mock/requests").json["requests"]
    assert (entry["status"], entry["body"]) == (408, None)  # the cut body is not kept


def test_the_default_limit_is_one_megabyte() -> None:
    client = sopost()
    response = client.post(
        "/v1/orders", data=b" " * (1024 * 1024 + 1), content_type="application/json"
    )
    assert response.status_code == 413


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "127.0.0.1.nip.io"])
def test_a_foreign_host_header_is_a_421(host: str) -> None:
    client = sopost()
    response = client.get("/_mock/organisations", headers={"Host": host})
    assert response.status_code == 421
    assert "--host" in response.json["error"]["message"]
    assert poplar().get("/transactions", headers={"Host": host}).status_code == 421
    assert poplar().get("/v1/me", headers={**POPLAR, "Host": host}).status_code == 421


def test_the_bound_address_localhost_and_aliases_are_served() -> None:
    client = sopost(host="127.0.0.1", host_aliases=("mock.test",))
    for host in ("127.0.0.1:8080", "localhost:8080", "mock.test:8080", "[::1]:8080"):
        assert client.get("/_mock/health", headers={"Host": host}).status_code == 200


def test_cross_site_simple_requests_cannot_reset_the_mock() -> None:
    client = sopost()
    response = client.post("/_mock/reset", data="x", content_type="text/plain")
    assert response.status_code == 403
    assert "JSON" in response.json["error"]["message"]
    response = client.post(
        "/_mock/reset",
        headers={"Origin": "http://attacker.example"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.post("/_mock/reset").status_code == 200  # curl, requests: no Origin
    assert client.post("/_mock/reset", json={}).status_code == 200


def test_pages_carry_the_security_headers_and_every_answer_nosniff() -> None:
    client = poplar()
    page = client.get("/transactions")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    for response in (page, client.get("/_mock/health"), client.get("/nope")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
